/**
 * The header's account switcher (README.md, "Accounts and backup"): this
 * network's accounts in this browser, and create, label, switch, delete,
 * export and import. The work is done by the actions it is given
 * (app/accounts-api.ts, through AccountActionsContext); switching reloads the
 * page, because a peer, its ledger and its workers belong to one account.
 */
import { createContext, useCallback, useContext, useEffect, useId, useState, type FormEvent } from 'react';
import { errorMessage, shortId } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';

/** One account as the switcher lists it (app/accounts-api.ts adds its times). */
export interface AccountEntry {
  id: string;
  label: string;
  /** The account this tab runs. */
  current: boolean;
  /** Held by another open tab (it can be neither switched to nor deleted from here). */
  inUse: boolean;
}

/** What the switcher asks of the page: window.tabmesh's accounts methods (AccountsApi satisfies it; ui/ may not import app/, so the shape is restated). */
export interface AccountActions {
  accounts(): Promise<AccountEntry[]>;
  createAccount(label?: string): Promise<string>;
  labelAccount(id: string, label: string): Promise<void>;
  switchAccount(id: string): Promise<void>;
  canExportAccount(): Promise<boolean>;
  exportAccount(passphrase: string): Promise<string>;
  importAccount(text: string, passphrase: string): Promise<string>;
  deleteAccount(id: string): Promise<void>;
  moveCoinsToNewAccount(): Promise<{ id: string; txId: string }>;
}

export const AccountActionsContext = createContext<AccountActions | undefined>(undefined);

type Notice = { kind: 'ok' | 'error'; text: string } | undefined;

/** Hands the backup to the browser as a file download. */
function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click starts the download at once; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function AccountRow({ entry, act }: { entry: AccountEntry; act: Act }) {
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [label, setLabel] = useState(entry.label);
  const labelId = useId();
  const rename = (event: FormEvent) => {
    event.preventDefault();
    setRenaming(false);
    act(() => act.actions.labelAccount(entry.id, label), `Renamed to ${label.trim()}`);
  };
  return (
    <li className="account-row" aria-label={entry.label} data-account-id={entry.id} aria-current={entry.current ? 'true' : undefined}>
      <span className="account-label">{entry.label}</span> <code title={entry.id}>{shortId(entry.id)}</code>
      {entry.current && <span className="badge">this tab</span>}
      {entry.inUse && <span className="badge">open in another tab</span>}
      <span className="account-actions">
        <button type="button" className="button button-small" disabled={entry.current || entry.inUse} onClick={() => act(() => act.actions.switchAccount(entry.id), 'Switching…')}>
          Switch
        </button>
        <button type="button" className="button button-small" onClick={() => setRenaming(!renaming)} aria-expanded={renaming}>
          Rename
        </button>
        {confirming ? (
          <button type="button" className="button button-small" onClick={() => act(() => act.actions.deleteAccount(entry.id), `Deleted ${entry.label}`)}>
            Confirm delete
          </button>
        ) : (
          <button type="button" className="button button-small" disabled={entry.current || entry.inUse} onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </span>
      {renaming && (
        <form className="account-inline" onSubmit={rename} aria-label={`Rename ${entry.label}`}>
          <label htmlFor={labelId}>New label</label>
          <input id={labelId} value={label} maxLength={64} required onChange={(event) => setLabel(event.target.value)} />
          <button type="submit" className="button button-small">Save</button>
        </form>
      )}
    </li>
  );
}

function BackupForms({ act, exportable, network, selfId }: { act: Act; exportable: boolean | undefined; network: string; selfId: string }) {
  const [exportPass, setExportPass] = useState('');
  const [importPass, setImportPass] = useState('');
  const [file, setFile] = useState<File>();
  const ids = { exportPass: useId(), importFile: useId(), importPass: useId() };
  const exportBackup = (event: FormEvent) => {
    event.preventDefault();
    act(async () => {
      download(await act.actions.exportAccount(exportPass), `tabmesh-${network}-${selfId.slice(0, 8)}.json`);
      setExportPass('');
    }, 'Backup exported: keep the file and its passphrase apart.');
  };
  const importBackup = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    act(async () => {
      const id = await act.actions.importAccount(await file.text(), importPass);
      setImportPass('');
      return `Imported account ${shortId(id)}: switch to it to use it`;
    }, '');
  };
  return (
    <>
      {exportable === false ? (
        <div className="account-inline">
          <p className="hint" role="note">
            This account was made before backups existed: its key cannot leave this browser. Move its coins to a new account, which can be backed up.
          </p>
          <button
            type="button"
            className="button button-small"
            onClick={() => act(async () => {
              const { id, txId } = await act.actions.moveCoinsToNewAccount();
              return `Sent this account's coins to new account ${shortId(id)} (transaction ${shortId(txId)}): switch to it once confirmed`;
            }, '')}
          >
            Move coins to a new account
          </button>
        </div>
      ) : (
        <form className="account-inline" aria-label="Export backup" onSubmit={exportBackup}>
          <label htmlFor={ids.exportPass}>Backup passphrase</label>
          <input id={ids.exportPass} type="password" autoComplete="new-password" minLength={8} required value={exportPass} onChange={(event) => setExportPass(event.target.value)} />
          <button type="submit" className="button button-small">Export backup</button>
        </form>
      )}
      <form className="account-inline" aria-label="Import backup" onSubmit={importBackup}>
        <label htmlFor={ids.importFile}>Backup file</label>
        <input id={ids.importFile} type="file" accept="application/json,.json" required onChange={(event) => setFile(event.target.files?.[0])} />
        <label htmlFor={ids.importPass}>Passphrase</label>
        <input id={ids.importPass} type="password" autoComplete="current-password" required value={importPass} onChange={(event) => setImportPass(event.target.value)} />
        <button type="submit" className="button button-small">Import backup</button>
      </form>
    </>
  );
}

/** Runs an action, then shows `done` (or the message the action resolves) or the error, and refreshes the list. */
type Act = ((work: () => Promise<unknown>, done: string) => void) & { actions: AccountActions };

function AccountMenu({ actions, selfId, network }: { actions: AccountActions; selfId: string; network: string }) {
  const [entries, setEntries] = useState<AccountEntry[]>([]);
  const [exportable, setExportable] = useState<boolean>();
  const [notice, setNotice] = useState<Notice>();
  const [newLabel, setNewLabel] = useState('');
  const newLabelId = useId();
  const refresh = useCallback(async () => {
    setEntries(await actions.accounts());
    setExportable(await actions.canExportAccount());
  }, [actions]);
  useEffect(() => {
    void refresh().catch((error: unknown) => setNotice({ kind: 'error', text: errorMessage(error) }));
    // Other tabs of the origin change the list (localStorage): follow them.
    const onStorage = () => void refresh().catch((error: unknown) => setNotice({ kind: 'error', text: errorMessage(error) }));
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [refresh]);
  const act: Act = Object.assign(
    (work: () => Promise<unknown>, done: string) => {
      setNotice(undefined);
      work()
        .then(async (result) => {
          setNotice({ kind: 'ok', text: typeof result === 'string' && !done ? result : done });
          await refresh();
        })
        .catch((error: unknown) => setNotice({ kind: 'error', text: errorMessage(error) }));
    },
    { actions },
  );
  const create = (event: FormEvent) => {
    event.preventDefault();
    const label = newLabel.trim();
    act(async () => {
      const id = await actions.createAccount(label || undefined);
      setNewLabel('');
      return `Created account ${shortId(id)}: switch to it to use it`;
    }, '');
  };
  const current = entries.find((entry) => entry.current);

  return (
    // Opened, it reads the list again: this tab's own changes to localStorage fire no storage event here.
    <details className="account-switcher" onToggle={(event) => event.currentTarget.open && void refresh().catch((error: unknown) => setNotice({ kind: 'error', text: errorMessage(error) }))}>
      <summary className="badge">
        <span className="muted">Account</span> {current?.label} <code>{shortId(selfId)}</code>
      </summary>
      <div className="account-menu">
        <ul className="account-list" aria-label="Accounts">
          {entries.map((entry) => (
            <AccountRow key={`${entry.id}:${entry.label}`} entry={entry} act={act} />
          ))}
        </ul>
        <form className="account-inline" aria-label="Create account" onSubmit={create}>
          <label htmlFor={newLabelId}>New account label</label>
          <input id={newLabelId} value={newLabel} maxLength={64} placeholder="optional" onChange={(event) => setNewLabel(event.target.value)} />
          <button type="submit" className="button button-small">Create account</button>
        </form>
        <BackupForms act={act} exportable={exportable} network={network} selfId={selfId} />
        <p className="hint">Switching reloads the page: the peer, its ledger and its workers belong to one account.</p>
        {notice && (
          <p className={notice.kind === 'error' ? 'field-error' : 'hint'} role={notice.kind === 'error' ? 'alert' : 'status'} aria-label="Account notice">
            {notice.text}
          </p>
        )}
      </div>
    </details>
  );
}

export function AccountSwitcher() {
  const actions = useContext(AccountActionsContext);
  const self = useTabmesh((s) => s.self);
  if (!actions || !self) return null;
  return <AccountMenu actions={actions} selfId={self.id} network={self.network} />;
}
