/**
 * The accounts of one network in this browser (docs/ARCHITECTURE.md,
 * "Identity"): id, label, when created and when last opened. The key and
 * the ledger live in each account's own database; this is only the list.
 *
 * It is kept in localStorage, one entry per account
 * (`tabmesh:account:<network>:<id>`): the list is read synchronously as a
 * tab starts, every tab of the origin shares it, and with one entry per
 * account two tabs writing at once (each touching its own account) never
 * lose each other's write, as they could rewriting one shared list. If
 * localStorage is cleared the accounts are not lost: their databases are
 * adopted again (adoptDatabases).
 */
import { isHexOfLength } from '../core/bytes.ts';
import { InvalidArgumentError } from '../core/result.ts';
import type { Clock, PeerId } from '../core/types.ts';

export interface AccountRecord {
  id: PeerId;
  label: string;
  createdAt: number;
  /** When a tab last opened it (0 for an account adopted from before the registry). */
  lastUsedAt: number;
}

/** The part of the Web Storage API the registry uses (localStorage, or a Map-backed one in tests). */
export type RegistryStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Web Storage semantics over a Map: for tests, and for a page whose localStorage is blocked (the list then lasts one page load). */
export function createMemoryStorage(): RegistryStorage {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, String(value)),
    removeItem: (key) => void map.delete(key),
    key: (index) => [...map.keys()][index] ?? null,
    get length() {
      return map.size;
    },
  };
}

export interface AccountRegistry {
  /** Every account, most recently used first. */
  list(): AccountRecord[];
  get(id: PeerId): AccountRecord | undefined;
  /** Adds an account (label defaults to "Account N"); an id already listed keeps its record. */
  add(id: PeerId, init?: { label?: string; createdAt?: number; lastUsedAt?: number }): AccountRecord;
  /** Marks an account as opened now. */
  touch(id: PeerId): void;
  setLabel(id: PeerId, label: string): void;
  remove(id: PeerId): void;
  /** Adds every id of `ids` not listed yet (accounts whose database exists but whose entry does not); returns those added. */
  adopt(ids: readonly PeerId[]): PeerId[];
}

export const MAX_ACCOUNT_LABEL_CHARS = 64;

/** Trims a label and checks its length; throws InvalidArgumentError naming the field. */
export function normalizeLabel(label: unknown): string {
  if (typeof label !== 'string') throw new InvalidArgumentError('label must be a string');
  const trimmed = label.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_ACCOUNT_LABEL_CHARS) throw new InvalidArgumentError(`label must be 1-${MAX_ACCOUNT_LABEL_CHARS} characters`);
  return trimmed;
}

function parseRecord(id: PeerId, text: string | null): AccountRecord | undefined {
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Written only by this module; a bad entry (edited by hand) is treated as absent and adopted again.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { label, createdAt, lastUsedAt } = value as Record<string, unknown>;
  if (typeof label !== 'string' || !Number.isSafeInteger(createdAt) || !Number.isSafeInteger(lastUsedAt)) return undefined;
  return { id, label, createdAt: createdAt as number, lastUsedAt: lastUsedAt as number };
}

export function createAccountRegistry(components: { storage: RegistryStorage; clock: Clock }, init: { network: string }): AccountRegistry {
  const { storage, clock } = components;
  const prefix = `tabmesh:account:${init.network}:`;
  const keyOf = (id: PeerId) => `${prefix}${id}`;
  const write = (record: AccountRecord) => storage.setItem(keyOf(record.id), JSON.stringify({ label: record.label, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt }));
  const get = (id: PeerId) => parseRecord(id, storage.getItem(keyOf(id)));

  function list(): AccountRecord[] {
    const records: AccountRecord[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(prefix)) continue;
      const id = key.slice(prefix.length);
      const record = isHexOfLength(id, 32) ? get(id) : undefined;
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.lastUsedAt - a.lastUsedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  function add(id: PeerId, options: { label?: string; createdAt?: number; lastUsedAt?: number } = {}): AccountRecord {
    if (!isHexOfLength(id, 32)) throw new InvalidArgumentError('account id must be 64 lower-case hex characters');
    const known = get(id);
    if (known) return known;
    const now = Math.round(clock.nowMs());
    const record: AccountRecord = {
      id,
      label: options.label === undefined ? `Account ${list().length + 1}` : normalizeLabel(options.label),
      createdAt: options.createdAt ?? now,
      lastUsedAt: options.lastUsedAt ?? now,
    };
    write(record);
    return record;
  }

  function update(id: PeerId, change: Partial<Pick<AccountRecord, 'label' | 'lastUsedAt'>>): void {
    const known = get(id);
    if (!known) throw new InvalidArgumentError(`no account ${id} on this network`);
    write({ ...known, ...change });
  }

  return {
    list,
    get,
    add,
    touch: (id) => update(id, { lastUsedAt: Math.round(clock.nowMs()) }),
    setLabel: (id, label) => update(id, { label: normalizeLabel(label) }),
    remove: (id) => storage.removeItem(keyOf(id)),
    adopt(ids) {
      const added = ids.filter((id) => get(id) === undefined);
      // Adopted accounts never opened since the registry existed: created and used "at 0", so a tab
      // prefers any account it has used, and the label says where they came from.
      for (const id of added) add(id, { label: `Recovered ${id.slice(0, 8)}`, createdAt: 0, lastUsedAt: 0 });
      return added;
    },
  };
}
