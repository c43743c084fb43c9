/** A notice, for REORG_NOTICE_MS after it happened, that a reorg replaced blocks of the best chain. */
import { useEffect, useState } from 'react';
import { useTabmesh } from './use-tabmesh.ts';
import type { ReorgView } from './view-models.ts';

/** Long enough to be noticed after the tip jumps; short enough that an old reorg does not look current. */
export const REORG_NOTICE_MS = 30_000;

/** "Reorg: 2 blocks replaced at height 10 (new tip #11)"; the height is the first block replaced. */
export function reorgMessage(reorg: ReorgView): string {
  const replaced = reorg.disconnected.length;
  const fromHeight = Math.max(0, reorg.newTipHeight - reorg.connected.length + 1);
  return `Reorg: ${replaced} ${replaced === 1 ? 'block' : 'blocks'} replaced at height ${fromHeight} (new tip #${reorg.newTipHeight})`;
}

export function ReorgNotice() {
  const reorg = useTabmesh((s) => s.lastReorg);
  // The reorg whose notice has timed out; a newer reorg is a new object and shows again.
  const [expired, setExpired] = useState<ReorgView | undefined>();
  useEffect(() => {
    if (!reorg) return;
    const timer = setTimeout(() => setExpired(reorg), Math.max(0, reorg.atMs + REORG_NOTICE_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [reorg]);
  const visible = reorg !== undefined && reorg !== expired && Date.now() - reorg.atMs < REORG_NOTICE_MS;

  // The status region stays mounted so screen readers announce the text when it appears.
  return (
    <div role="status" className="reorg-notice">
      {visible && reorgMessage(reorg)}
    </div>
  );
}
