/** A small "Copy" button that puts text on the clipboard and says whether it worked. */
import { useEffect, useState } from 'react';
import { errorMessage } from './format.ts';

/** How long "Copied" stays on the button before it reads "Copy" again. */
const COPIED_FEEDBACK_MS = 1500;

type CopyState = { kind: 'idle' } | { kind: 'copied' } | { kind: 'failed'; message: string };

/** `label` is the button's accessible name, e.g. "Copy address". */
export function CopyButton({ text, label }: { text: string; label: string }) {
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
      <button type="button" className="button button-small" aria-label={label} onClick={() => void copy()}>
        {state.kind === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {state.kind === 'failed' && (
        <span className="copy-error" role="alert">
          Copy failed: {state.message}
        </span>
      )}
    </>
  );
}
