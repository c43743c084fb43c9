/** A small "Copy" button that puts text on the clipboard and says whether it worked. */
import { useEffect, useState } from 'react';
import { errorMessage } from './format.ts';

/** How long "Copied" stays on the button before it reads "Copy" again. */
const COPIED_FEEDBACK_MS = 1500;

/** Two overlapping sheets, or a tick once copied; drawn, since fonts differ in which symbols they have. */
function CopyIcon({ done }: { done: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.4">
      {done ? <path d="M2 6.5l2.5 2.5L10 3.5" /> : <><rect x="3.5" y="3.5" width="7" height="7" rx="1" /><path d="M8.5 1.5h-6a1 1 0 0 0-1 1v6" /></>}
    </svg>
  );
}

type CopyState = { kind: 'idle' } | { kind: 'copied' } | { kind: 'failed'; message: string };

/** `label` is the button's accessible name, e.g. "Copy address"; `compact` shows an icon instead of the word, for table rows. */
export function CopyButton({ text, label, compact = false }: { text: string; label: string; compact?: boolean }) {
  const [state, setState] = useState<CopyState>({ kind: 'idle' });
  useEffect(() => {
    if (state.kind !== 'copied') return;
    const timer = setTimeout(() => setState({ kind: 'idle' }), COPIED_FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState({ kind: 'copied' });
    } catch (error) {
      setState({ kind: 'failed', message: errorMessage(error) });
    }
  };

  return (
    <>
      <button type="button" className={`button button-small${compact ? ' button-icon' : ''}`} aria-label={label} title={compact ? label : undefined} onClick={() => void copy()}>
        {compact ? <CopyIcon done={state.kind === 'copied'} /> : state.kind === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state.kind === 'failed' && (
        <span className="copy-error" role="alert">
          Copy failed: {state.message}
        </span>
      )}
    </>
  );
}
