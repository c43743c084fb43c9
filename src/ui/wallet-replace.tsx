/**
 * Bump and cancel for one of this account's pending transfers, shown under
 * its row in the wallet history. Both replace the transfer by a higher fee
 * (the mempool keeps one transaction per sender and nonce, docs/PROTOCOL.md,
 * "Fee bump and cancel"): a bump re-signs it at the fee given, a cancel
 * re-signs its nonce as a burn of 1 unit at the lowest fee allowed.
 */
import { useId, useState, type FormEvent } from 'react';
import { errorMessage, shortId } from './format.ts';
import type { TxView } from './view-models.ts';

/** What the wallet history may ask of the running peer (window.tabmesh bump and cancel). */
export interface WalletActions {
  /** Resolves the replacement's id, or rejects with a message for the user. */
  onBump(id: string, fee: number): Promise<string>;
  onCancel(id: string): Promise<string>;
}

type Mode = 'idle' | 'bump' | 'cancel';
type Outcome = { kind: 'failed'; message: string } | { kind: 'replaced'; id: string };

export function ReplaceControls({ tx, actions }: { tx: TxView; actions: WalletActions }) {
  const minimum = tx.fee + 1; // mempool.ts: a replacement pays strictly more
  const [mode, setMode] = useState<Mode>('idle');
  const [fee, setFee] = useState(String(minimum));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const feeId = useId();
  const name = shortId(tx.id);

  const run = async (replace: () => Promise<string>) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      setOutcome({ kind: 'replaced', id: await replace() });
      setMode('idle');
    } catch (error) {
      setOutcome({ kind: 'failed', message: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  const bump = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = Number(fee.trim());
    if (!/^\d+$/.test(fee.trim()) || value < minimum) {
      setOutcome({ kind: 'failed', message: `the new fee must be a whole number of at least ${minimum}` });
      return;
    }
    void run(() => actions.onBump(tx.id, value));
  };

  return (
    <div className="history-replace">
      {mode === 'idle' && (
        <span className="history-actions">
          <button type="button" className="button button-small" aria-label={`Bump fee of ${name}`} onClick={() => setMode('bump')}>
            Bump fee
          </button>
          <button type="button" className="button button-small" aria-label={`Cancel ${name}`} onClick={() => setMode('cancel')}>
            Cancel
          </button>
        </span>
      )}
      {mode === 'bump' && (
        <form className="replace-form" aria-label={`Bump fee of ${name}`} onSubmit={bump}>
          <label htmlFor={feeId}>New fee</label>
          <input id={feeId} inputMode="numeric" autoComplete="off" value={fee} onChange={(event) => setFee(event.target.value)} aria-describedby={`${feeId}-hint`} />
          <span id={`${feeId}-hint`} className="hint">
            at least {minimum} (it pays {tx.fee})
          </span>
          <button type="submit" className="button button-small button-primary" disabled={busy} aria-busy={busy || undefined}>
            Bump
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('idle')}>
            Back
          </button>
        </form>
      )}
      {mode === 'cancel' && (
        <div className="replace-form" role="group" aria-label={`Cancel ${name}`}>
          <span className="hint">
            Replaces it with a burn of 1 at fee {minimum}: the recipient gets nothing.
          </span>
          <button type="button" className="button button-small button-primary" disabled={busy} aria-busy={busy || undefined} onClick={() => void run(() => actions.onCancel(tx.id))}>
            Cancel transfer
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('idle')}>
            Keep
          </button>
        </div>
      )}
      {outcome?.kind === 'failed' && (
        <span role="alert" className="field-error">
          Not replaced: {outcome.message}
        </span>
      )}
    </div>
  );
}
