/**
 * The Send form. It checks its fields as the user types (once a field has
 * been left or the form submitted), calls `onSend`, and shows the outcome,
 * success or the rejection's message, in an alert region.
 */
import { useId, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { errorMessage, shortId } from './format.ts';
import { validateSend, type SendField, type SendInput } from './send-validation.ts';
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';

/** Sends a transfer and resolves with its transaction id, or rejects with a message for the user. */
export type OnSend = (to: string, amount: number, fee: number) => Promise<string>;

type Outcome = { kind: 'sent'; txId: string } | { kind: 'failed'; message: string };

const INITIAL: SendInput = { recipient: '', amount: '', fee: '1' };

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
  const listId = useId();
  const [input, setInput] = useState<SendInput>(INITIAL);
  const [touched, setTouched] = useState<Partial<Record<SendField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const validation = validateSend(input, spendable);
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
          hint={openPeers.length > 0 ? 'A peer id (64 hex characters). Connected peers are suggested.' : 'A peer id (64 hex characters).'}
          inputProps={{ list: listId, autoComplete: 'off', spellCheck: false, className: 'mono', placeholder: 'peer id' }}
          onChange={change}
          onBlur={blur}
        />
        <datalist id={listId}>
          {openPeers.map((peer) => (
            <option key={peer.id} value={peer.id} label={`peer ${shortId(peer.id)}`} />
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
          <Field field="fee" label="Fee" value={input.fee} error={errorFor('fee')} inputProps={{ inputMode: 'numeric', autoComplete: 'off' }} onChange={change} onBlur={blur} />
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
