/**
 * The accounts part of `window.tabmesh` (README.md, "Accounts and backup"):
 * list, create, label, switch, delete, export and import this network's
 * accounts in this browser.
 *
 * Switching stores the tab's pointer and reloads the page: the peer, its
 * ledger, its workers and its links all belong to one account, and a fresh
 * page is the one way to be sure nothing of the old account lingers.
 */
import { toHex } from '../core/bytes.ts';
import { checkIdentityStamp } from '../core/identity-stamp.ts';
import { chainParams } from '../core/ledger/params.ts';
import { accountArgument } from '../core/address.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { PeerId } from '../core/types.ts';
import { decryptBackup, encryptBackup } from '../identity/account-backup.ts';
import { normalizeLabel } from '../identity/account-registry.ts';
import { createAccountDb, deleteAccountDb, readAccountKey } from '../identity/account-store.ts';
import { canBackUp, generateKeyMaterial, keyMaterialFromSeed, seedOf } from '../identity/key-material.ts';
import { heldAccounts, lockIdentity, rememberIdentity } from '../identity/tab-identity.ts';
import type { AccountEntry } from '../ui/account-switcher.tsx';
import { accountRegistry } from './open-identity.ts';

/** An account as accounts() lists it: the switcher's entry (ui/account-switcher.tsx) and its times. */
export interface AccountInfo extends AccountEntry {
  createdAt: number;
  lastUsedAt: number;
}

export interface AccountsApi {
  /** This network's accounts in this browser, most recently used first. */
  accounts(): Promise<AccountInfo[]>;
  /** Creates an account (its stamp is minted when a tab first opens it) without switching to it; resolves its id. */
  createAccount(label?: string): Promise<string>;
  labelAccount(id: string, label: string): Promise<void>;
  /** Points this tab at another account and reloads the page; rejects if another tab holds it. */
  switchAccount(id: string): Promise<void>;
  /** False for an account made before backups existed (its key cannot leave this browser). */
  canExportAccount(id?: string): Promise<boolean>;
  /** The backup file's text for an account (this tab's by default), sealed under `passphrase` (8 characters or more). */
  exportAccount(passphrase: string, id?: string): Promise<string>;
  /** Adds the account of a backup file to this browser (not switching to it); resolves its id. Rejects with an AccountError and changes nothing on a wrong passphrase or altered file. */
  importAccount(text: string, passphrase: string): Promise<string>;
  /** Deletes an account and its database; rejects for this tab's account or one another tab holds. */
  deleteAccount(id: string): Promise<void>;
  /**
   * For an account that cannot be backed up: creates a new account and sends it this account's whole confirmed
   * balance less the next block's minimum fee. Resolves the new id and the transfer's id; switch to the new account after.
   */
  moveCoinsToNewAccount(label?: string): Promise<{ id: string; txId: string }>;
}

export type AccountErrorReason = 'unknown-account' | 'in-use' | 'nothing-to-move' | 'cannot-back-up' | 'not-a-backup' | 'unsupported-version' | 'wrong-passphrase-or-tampered' | 'wrong-network';

/** A refused account operation, with why (`reason`) and a message for a person. */
export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly reason: AccountErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export const MIN_PASSPHRASE_CHARS = 8;

export interface AccountsApiComponents {
  /** This tab's account id, once its peer has started. */
  currentId(): Promise<PeerId>;
  /** Reloads the page (a switch). */
  reload(): void;
  /** This tab's wallet, for moveCoinsToNewAccount. */
  wallet: {
    balance(): number;
    send(to: string, amount: number, fee: number): Promise<string>;
    /** The smallest fee the next block takes (Ledger.nextBlockParams: 1, or 2 once minfee2 is ACTIVE). */
    minFee(): Promise<number>;
  };
}

export function createAccountsApi(components: AccountsApiComponents, init: { network: string }): AccountsApi {
  const { network } = init;
  const registry = accountRegistry(network);
  /** The account `input` names (a tm1… address or hex id), which must be in this browser's registry. */
  const known = (input: unknown, name: string) => {
    const id = accountArgument(input, name);
    const record = registry.get(id);
    if (!record) throw new AccountError('unknown-account', `${name}: no account ${id.slice(0, 8)}… on network ${network} in this browser`);
    return { id, record };
  };

  async function createAccount(label?: string): Promise<PeerId> {
    const key = await generateKeyMaterial();
    const id = await createAccountDb(network, key);
    registry.add(id, { label: label === undefined ? undefined : normalizeLabel(label) });
    return id;
  }

  return {
    createAccount,
    async accounts() {
      const [current, held] = [await components.currentId(), await heldAccounts(network)];
      return registry.list().map(({ id, label, createdAt, lastUsedAt }) => ({ id, label, current: id === current, inUse: id !== current && held.has(id), createdAt, lastUsedAt }));
    },
    async labelAccount(input, label) {
      registry.setLabel(known(input, 'labelAccount: id').id, label);
    },
    async switchAccount(input) {
      const { id } = known(input, 'switchAccount: id');
      if (id === (await components.currentId())) return;
      if ((await heldAccounts(network)).has(id)) throw new AccountError('in-use', 'another tab uses that account: switch to it there, or close that tab first');
      rememberIdentity(network, id);
      components.reload();
    },
    async canExportAccount(id) {
      const target = known(id ?? (await components.currentId()), 'canExportAccount: id').id;
      const stored = await readAccountKey(network, target);
      return stored !== undefined && canBackUp(stored.key);
    },
    async exportAccount(passphrase, id) {
      if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_CHARS) throw new InvalidArgumentError(`exportAccount: the passphrase must be at least ${MIN_PASSPHRASE_CHARS} characters`);
      const { id: target, record } = known(id ?? (await components.currentId()), 'exportAccount: id');
      const stored = await readAccountKey(network, target);
      const seed = stored && (await seedOf(stored.key));
      if (!seed) throw new AccountError('cannot-back-up', 'this account was made before backups existed: its key cannot leave this browser. Create a new account and send its coins there.');
      const stamp = Number.isSafeInteger(stored.stamp) ? (stored.stamp as number) : undefined;
      try {
        return await encryptBackup({ seed, stamp }, passphrase, { network, id: target, label: record.label, createdAt: record.createdAt });
      } finally {
        seed.fill(0);
      }
    },
    async importAccount(text, passphrase) {
      if (typeof passphrase !== 'string') throw new InvalidArgumentError('importAccount: passphrase must be a string');
      const opened = await decryptBackup(text, passphrase);
      if (!opened.ok) throw new AccountError(opened.reason, opened.detail);
      const { header, seed, stamp } = opened.value;
      if (header.network !== network) throw new AccountError('wrong-network', `this backup is of network "${header.network}": open the page with ?net=${header.network} to import it`);
      try {
        const key = await keyMaterialFromSeed(seed);
        if (toHex(key.publicKey) !== header.id) throw new AccountError('not-a-backup', 'the backup\'s key is not the key of the account it names (a file from a faulty writer)');
        // Already here (imported before, or this is its own browser): nothing to change.
        if (registry.get(header.id) && (await readAccountKey(network, header.id))) return header.id;
        // The stamp is re-checked: one short of this network's work is dropped and minted again when a tab opens the account.
        const stampOk = stamp !== undefined && checkIdentityStamp(header.id, stamp, chainParams(network).identityStampBits).ok;
        await createAccountDb(network, key, stampOk ? stamp : undefined);
        registry.add(header.id, { label: normalizeLabel(header.label || `Imported ${header.id.slice(0, 8)}`), createdAt: header.createdAt });
        return header.id;
      } finally {
        seed.fill(0);
      }
    },
    async moveCoinsToNewAccount(label) {
      await components.currentId();
      const minFee = await components.wallet.minFee();
      const amount = components.wallet.balance() - minFee;
      if (amount < 1) throw new AccountError('nothing-to-move', `this account has no coins to move beyond the ${minFee}-coin fee`);
      const id = await createAccount(label);
      return { id, txId: await components.wallet.send(id, amount, minFee) };
    },
    async deleteAccount(input) {
      const { id } = known(input, 'deleteAccount: id');
      if (id === (await components.currentId())) throw new AccountError('in-use', 'this tab uses that account: switch to another account first');
      // Holding its lock keeps any tab from opening it while its database goes.
      const lock = await lockIdentity(network, id, 0);
      if (!lock) throw new AccountError('in-use', 'another tab uses that account: close that tab first');
      try {
        await deleteAccountDb(network, id);
        registry.remove(id);
      } finally {
        lock.release();
      }
    },
  };
}
