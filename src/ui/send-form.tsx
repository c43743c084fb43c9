/**
 * The Send form. It checks its fields as the user types (once a field has
 * been left or the form submitted), calls `onSend`, and shows the outcome,
 * success or the rejection's message, in an alert region. The recipient is
 * a `tm1…` address, whose checksum catches a typo here, before anything is
 * signed (or a 64-hex id). The fee starts at the ledger's minimum, and its
 * hint says what fee is being confirmed now (send-validation.ts, feeOutlook).
 */
import { useId, useMemo, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { chainParams } from '../core/ledger/params.ts';
import { accountAddress, errorMessage, shortId } from './format.ts';
import { feeOutlook, type FeeOutlook, type SendField, type SendInput, validateSend } from './send-validation.ts';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS } from './txs-panel.tsx';
import { usePanelRef, useTabmesh, useThrottledTabmesh } from './use-tabmesh.ts';

/** Sends a transfer and resolves with its transaction id, or rejects with a message for the user. */
export type OnSend = (to: string, amount: number, fee: number) => Promise<string>;

type Outcome = { kind: 'sent'; txId: string } | { kind: 'failed'; message: string };

const selectMempool = (s: TabmeshState) => s.mempool;
const selectBlocks = (s: TabmeshState) => s.blocks;

/** The fee field's hint: the ledger's minimum, the next block's floor, and what recent blocks paid. */
function feeHint(outlook: FeeOutlook): string {
  const next = outlook.nextBlockFee <= outlook.minFee ? `the minimum, ${outlook.minFee}, confirms in the next block` : `the next block takes ${outlook.nextBlockFee}${outlook.estimate === 'at-most' ? ' or less' : ''} (minimum ${outlook.minFee})`;
  const recent = outlook.recentFee === undefined ? '' : `; recent blocks paid about ${outlook.recentFee} a transaction`;
  return `Confirming now: ${next}${recent}.`;
}

interface FieldProps {
  field: SendField;
  label: string;
  value: string;
  error: string | undefined;
  hint?: string;
  inputProps: InputHTMLAttributes<HTMLInputElement>;
  onChange(field: SendField, value: string): void;
  onBlur(field: SendField): void;
}

function Field({ field, label, value, error, hint, inputProps, onChange, onBlur }: FieldProps) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field field-${field}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={field}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(field, event.target.value)}
        onBlur={() => onBlur(field)}
        {...inputProps}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

export function SendForm({ onSend }: { onSend: OnSend }) {
  const panelRef = usePanelRef();
  const peers = useTabmesh((s) => s.peers);
  // What pending sends leave of the confirmed balance; undefined until the ledger has loaded.
  const spendable = useTabmesh((s) => s.pendingBalance ?? s.balance);
  const network = useTabmesh((s) => s.self?.network);
  // Every network kind has the same minFee today; until the network is known, main's.
  const params = chainParams(network ?? 'main');
  // The next block's minimum (an ACTIVE deployment may raise it); until the ledger says, the network's.
  const minFee = useTabmesh((s) => s.nextBlockMinFee) ?? params.minFee;
  const mempool = useThrottledTabmesh(selectMempool, LIST_REDRAW_MS);
  const mempoolTotal = useTabmesh((s) => s.mempoolTotal);
  const blocks = useThrottledTabmesh(selectBlocks, LIST_REDRAW_MS);
  const outlook = useMemo(
    () => feeOutlook({ minFee, maxBlockTxs: params.maxBlockTxs, pendingFees: mempool.map((tx) => tx.fee), pendingTotal: mempoolTotal, blocks }),
    [minFee, params, mempool, mempoolTotal, blocks],
  );
  const listId = useId();
  const [input, setInput] = useState<SendInput>(() => ({ recipient: '', amount: '', fee: String(minFee) }));
  // When the minimum moves (a deployment activates, or a reorg undoes it), a fee left at the old minimum
  // follows it; a fee the person typed stays theirs. Adjusted during render, as React advises for derived state.
  const [offeredFee, setOfferedFee] = useState(minFee);
  if (offeredFee !== minFee) {
    setOfferedFee(minFee);
    if (input.fee === String(offeredFee)) setInput((prev) => ({ ...prev, fee: String(minFee) }));
  }
  const [touched, setTouched] = useState<Partial<Record<SendField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const validation = validateSend(input, spendable, minFee);
  const errorFor = (field: SendField) => (submitted || touched[field] ? validation.errors[field] : undefined);
  const openPeers = Object.values(peers).filter((peer) => peer.state === 'open');

  const change = (field: SendField, value: string) => setInput((prev) => ({ ...prev, [field]: value }));
  const blur = (field: SendField) => setTouched((prev) => (prev[field] ? prev : { ...prev, [field]: true }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (sending) return;
    setSubmitted(true);
    setOutcome(undefined);
    if (!validation.ok) {
      // Move focus to the first field that needs fixing, so keyboard users land on it.
      const field = (['recipient', 'amount', 'fee'] as const).find((name) => validation.errors[name]);
      const element = field && event.currentTarget.elements.namedItem(field);
      if (element instanceof HTMLInputElement) element.focus();
      return;
    }
    const { to, amount, fee } = validation.value;
    setSending(true);
    try {
      const txId = await onSend(to, amount, fee);
      setOutcome({ kind: 'sent', txId });
      setInput((prev) => ({ ...prev, amount: '' }));
      setTouched((prev) => ({ ...prev, amount: false }));
      setSubmitted(false);
    } catch (error) {
      setOutcome({ kind: 'failed', message: errorMessage(error) });
    } finally {
      setSending(false);
    }
  };

  return (
    <section ref={panelRef} className="panel panel-send">
      <h2>Send</h2>
      <form aria-label="Send" noValidate onSubmit={(event) => void submit(event)}>
        <Field
          field="recipient"
          label="Recipient"
          value={input.recipient}
          error={errorFor('recipient')}
          hint={`A tm1… address (its checksum catches typos) or a 64-hex id.${openPeers.length > 0 ? ' Connected peers are suggested.' : ''}`}
          inputProps={{ list: listId, autoComplete: 'off', spellCheck: false, className: 'mono', placeholder: 'tm1…' }}
          onChange={change}
          onBlur={blur}
        />
        <datalist id={listId}>
          {openPeers.map((peer) => (
            <option key={peer.id} value={accountAddress(peer.id)} label={`peer ${shortId(peer.id)}`} />
          ))}
        </datalist>
        <div className="field-row">
          <Field
            field="amount"
            label="Amount"
            value={input.amount}
            error={errorFor('amount')}
            hint={spendable === undefined ? undefined : `Available: ${Math.max(0, spendable)}`}
            inputProps={{ inputMode: 'numeric', autoComplete: 'off' }}
            onChange={change}
            onBlur={blur}
          />
          <Field field="fee" label="Fee" value={input.fee} error={errorFor('fee')} hint={feeHint(outlook)} inputProps={{ inputMode: 'numeric', autoComplete: 'off' }} onChange={change} onBlur={blur} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={sending} aria-busy={sending || undefined}>
            {sending ? 'Sending…' : 'Send'}
          </button>
        </div>
        <div role="alert" className={`form-outcome${outcome ? ` outcome-${outcome.kind}` : ''}`}>
          {outcome?.kind === 'sent' && (
            <span data-tx-id={outcome.txId} title={outcome.txId}>
              Sent {shortId(outcome.txId)}
            </span>
          )}
          {outcome?.kind === 'failed' && <span>Not sent: {outcome.message}</span>}
        </div>
      </form>
    </section>
  );
}
