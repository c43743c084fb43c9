/** A wall clock for relative times ("12 s ago") that re-renders its component every `intervalMs` while enabled. */
import { useEffect, useState } from 'react';

export function useNow(intervalMs: number, enabled = true): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, enabled]);
  return nowMs;
}
