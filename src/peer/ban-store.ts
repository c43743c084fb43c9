/**
 * A peer's bans across restarts, for every host (a tab's IndexedDB, the full
 * node's LevelDB): the node's active bans (core/node.ts, `bans()`), each with
 * its peer id, reason and expiry, are kept in the store's meta and handed
 * back to the node on start (`restoreBan`). Without this a peer banned for
 * misbehaviour walks back in after a reload of the tab that banned it.
 *
 * Storage is not trusted: each stored entry is checked on its own, so a
 * malformed entry is skipped with a warning and the others still hold;
 * expired ones are dropped. Nothing here throws: a store that fails to read
 * or write is logged, and the bans in memory stay as they are.
 *
 * The store is typed by shape ({getMeta, putMeta}): peer/ knows no storage/.
 */
import { isHexOfLength } from '../core/bytes.ts';
import type { Clock, Logger, PeerId } from '../core/types.ts';
import type { Emitter } from '../core/emitter.ts';
import type { NodeEvents } from '../core/node.ts';
import type { MetaStore } from './peer-book-store.ts';

const BANS_KEY = 'peerBans';
/**
 * Bans stored. A ban lasts 10 minutes (node.ts banMs) and each costs the
 * banned peer a link, so an honest peer holds a handful; 1,000 bounds what a
 * churn of misbehaving identities can make us write (about 130 KB).
 */
export const MAX_STORED_BANS = 1_000;
/**
 * A stored ban ends at most this far after a start: a day, far above the 10
 * minutes a ban lasts (node.ts banMs), so a tampered store or a clock set
 * back cannot hold a peer off for good.
 */
export const MAX_RESTORED_BAN_MS = 24 * 60 * 60_000;
/** Reasons are diagnostics: longer ones are cut so a stored ban stays small. */
export const MAX_REASON_CHARS = 200;

export interface StoredBan {
  peerId: PeerId;
  untilMs: number;
  reason: string;
}

function isStoredBan(value: unknown): value is StoredBan {
  const ban = value as Partial<StoredBan> | null;
  return typeof ban === 'object' && ban !== null && isHexOfLength(ban.peerId, 32)
    && typeof ban.untilMs === 'number' && Number.isFinite(ban.untilMs)
    && typeof ban.reason === 'string' && ban.reason.length <= MAX_REASON_CHARS;
}

/** The stored bans still in force at `nowMs`, none beyond MAX_RESTORED_BAN_MS; malformed entries are skipped with one warning. */
export async function loadBans(store: Pick<MetaStore, 'getMeta'>, nowMs: number, log: Logger): Promise<StoredBan[]> {
  let stored: unknown;
  try {
    stored = await store.getMeta<unknown>(BANS_KEY);
  } catch (error) {
    log.warn('could not read the stored bans; starting without them', { error: String(error) });
    return [];
  }
  if (stored === undefined) return [];
  if (!Array.isArray(stored)) {
    log.warn('the stored bans are malformed; ignored', { key: BANS_KEY });
    return [];
  }
  const wellFormed = stored.slice(0, MAX_STORED_BANS).filter(isStoredBan);
  const skipped = stored.length - wellFormed.length;
  if (skipped > 0) log.warn('skipped malformed stored bans', { key: BANS_KEY, skipped, kept: wellFormed.length });
  return wellFormed.filter((ban) => ban.untilMs > nowMs)
    .map(({ peerId, untilMs, reason }) => ({ peerId, untilMs: Math.min(untilMs, nowMs + MAX_RESTORED_BAN_MS), reason }));
}

/** Writes `bans` (the MAX_STORED_BANS that last longest); false when that failed, which is logged, not thrown. */
export async function saveBans(store: Pick<MetaStore, 'putMeta'>, bans: readonly StoredBan[], log: Logger): Promise<boolean> {
  const kept = [...bans].sort((a, b) => b.untilMs - a.untilMs).slice(0, MAX_STORED_BANS)
    .map(({ peerId, untilMs, reason }) => ({ peerId, untilMs, reason: reason.slice(0, MAX_REASON_CHARS) }));
  try {
    await store.putMeta(BANS_KEY, kept);
    return true;
  } catch (error) {
    log.warn('could not save the bans', { error: String(error) });
    return false;
  }
}

/** What the keeper needs of the node (core/node.ts). */
export interface BanningNode {
  events: Pick<Emitter<Pick<NodeEvents, 'ban' | 'unban'>>, 'on'>;
  bans(): StoredBan[];
  restoreBan(peerId: PeerId, untilMs: number, reason: string): void;
}

export interface BanKeeper {
  /** Bans read back at start and handed to the node. */
  readonly restored: number;
  /** Writes the node's active bans now (also done on every new ban). Never throws. */
  save(): Promise<void>;
  /** Stops saving on new bans. */
  stop(): void;
}

/**
 * Restores the stored bans into `node` (call before it takes links) and
 * saves its bans whenever it bans a peer, so a ban survives a crash too.
 */
export async function keepBans(components: { store: MetaStore; clock: Clock; log: Logger; node: BanningNode }): Promise<BanKeeper> {
  const { store, clock, log, node } = components;
  const stored = await loadBans(store, clock.nowMs(), log);
  for (const ban of stored) node.restoreBan(ban.peerId, ban.untilMs, ban.reason);
  if (stored.length > 0) log.info('restored bans', { bans: stored.length });
  // Writes run one after another, so an older list never lands after a newer one.
  let writing: Promise<unknown> = Promise.resolve();
  const save = () => (writing = writing.then(() => saveBans(store, node.bans(), log)));
  const unsubscribeBan = node.events.on('ban', () => void save());
  const unsubscribeUnban = node.events.on('unban', () => void save());
  const unsubscribe = () => {
    unsubscribeBan();
    unsubscribeUnban();
  };
  return {
    restored: stored.length,
    save: async () => void (await save()),
    stop: unsubscribe,
  };
}
