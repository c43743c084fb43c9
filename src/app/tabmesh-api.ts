/**
 * `window.tabmesh`: the scripting API that Playwright tests and demos drive
 * (README.md, "Scripting API"). Its shape is a public contract: add to it,
 * never change it. Amounts are integers.
 */
import { accountArgument, encodeAddress } from '../core/address.ts';
import { isHexOfLength } from '../core/bytes.ts';
import type { DeploymentStatus } from '../core/ledger/deployments.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { MAX_RESTORED_BAN_MS } from '../peer/ban-store.ts';
import { MAX_RELAYS } from './config.ts';
import type { RunningPeer } from './start-peer.ts';
import { updateOffered, type UpdateOfferView } from '../ui/update-slice.ts';

export interface TabmeshApi {
  /** This tab's peer id = account (hex Ed25519 public key); '' until ready() resolves. */
  readonly id: string;
  /** The same account as a `tm1…` address (bech32m, core/address.ts), the form people copy; '' until ready() resolves. */
  readonly address: string;
  /** From ?net=NAME (default 'main'). */
  readonly network: string;
  /** Resolves when identity, storage, workers and ledger are loaded; rejects with the startup error. */
  ready(): Promise<void>;
  /** Open links (HELLO completed), with traffic, when each opened, and the protocol version it speaks: min(ours, theirs) (docs/PROTOCOL.md, "Versioning"). */
  peers(): { id: string; rttMs?: number; direction: 'in' | 'out'; bytesIn: number; bytesOut: number; connectedAtMs: number; protocol?: number }[];
  /**
   * Signs and broadcasts a transfer; resolves the tx id (hex); rejects with a clear Error. `to` is a `tm1…`
   * address or a 64-hex id (no checksum); a mistyped address is refused before anything is signed. `fee`
   * defaults to the lowest the next block takes: 1, or 2 once the minfee2 deployment is ACTIVE.
   */
  send(to: string, amount: number, fee?: number): Promise<string>;
  /**
   * Replaces this account's pending transaction `id` by the same transfer at a higher `fee` (the mempool's
   * replacement by fee: same sender and nonce, strictly higher fee); resolves the new id. Rejects with a
   * `reason`: 'unknown-tx', 'not-ours', 'already-confirmed', 'replacement-fee-too-low' (the message says the minimum).
   */
  bump(id: string, fee: number): Promise<string>;
  /**
   * Replaces this account's pending transaction `id` by a transfer of 1 unit to the burn account (all-zero key)
   * at `fee` (default: the old fee + 1), so the original never confirms; resolves the new id. Rejects as bump().
   */
  cancel(id: string, fee?: number): Promise<string>;
  /**
   * A recent transaction's status, from memory (the last 20,000 this tab saw); 'unknown' for older ids.
   * `receivedAtMs`: when this tab first saw it, on the page's clock (performance.timeOrigin + performance.now()).
   */
  tx(id: string): { status: 'unknown' | 'pending' | 'confirmed'; height?: number; receivedAtMs?: number };
  /** Any transaction's status: like tx(id), then the mempool, and for older ids IndexedDB. */
  findTx(id: string): Promise<{ status: 'unknown' | 'pending' | 'confirmed'; height?: number; receivedAtMs?: number }>;
  /** Counters: messages and bytes in/out, duplicates dropped, invalid dropped, ... */
  stats(): Record<string, number>;
  /** The confirmed balance at the tip, of this peer by default; `account` is a `tm1…` address or a 64-hex id. */
  balance(account?: string): number;
  tip(): { height: number; hash: string };
  /** Mines n blocks on the current tip, broadcasts them, and resolves their hashes. */
  mine(blocks: number): Promise<string[]>;
  /** Switches continuous mining (in a dedicated worker) on or off. */
  setMining(on: boolean): void;
  /** The peer book: every peer id this tab knows of (relay room and peer records), linked or not. */
  knownPeers(): string[];
  /** Closes the link to a peer without holding it off (for demos of link repair); false when not linked. */
  disconnect(peerId: string): boolean;
  /**
   * Holds a peer off for `ms` (default 10 minutes, at most a day), as Bitcoin Core's setban: its link closes and
   * redials and signals are refused. Kept across a reload. Demos split the network with it; unban() heals.
   */
  ban(peerId: string, ms?: number): void;
  /** Lifts a ban (ours, or one for misbehaviour); false when the peer was not banned. */
  unban(peerId: string): boolean;
  /** Peers held off now, with why and until when (the page's clock). */
  bans(): { peerId: string; reason: string; untilMs: number }[];
  /**
   * Asks the network when each tab first had transaction `id` and from whom (a diagnostic; docs/PROTOCOL.md,
   * "Transaction trace"). Resolves after 3 s with every answer, earliest first, this tab's own included
   * (`via: 'self'`); `via` is the linked peer the answer came through; `catchUp` marks a tab that got it in the
   * pool handed over when it linked. Rejects when traces are asked too often.
   */
  trace(id: string): Promise<{ reporter: string; firstSeenMs: number; from: string | 'origin'; via: string | 'self'; catchUp: boolean }[]>;
  /**
   * Each signaling route and its state: the relays (from ?relay= and addRelay), then, where the browser has
   * BroadcastChannel, the same-browser channel (`url` 'broadcast:tabmesh/signal/v1/NETWORK').
   */
  relays(): { url: string; status: 'connecting' | 'open' | 'closed' }[];
  /**
   * Joins one more relay at run time: a ws:// or wss:// URL, at most 8 relays in all (as ?relay=). Resolves
   * false when it is already joined; rejects with a clear Error for a bad URL or one relay too many.
   */
  addRelay(url: string): Promise<boolean>;
  /** Leaves a relay (or the same-browser channel) by its URL; false when it is not one of this tab's. */
  removeRelay(url: string): boolean;
  /** Whether the page offers "reload to update", and why: peers run a newer protocol, or a newer build of the page waits (docs/PROTOCOL.md, "Versioning"). Works before ready(). */
  updateAvailable(): { offered: boolean; newerPeers: number; newestProtocol?: number; workerWaiting: boolean };
  /**
   * The consensus changes this build knows (docs/PROTOCOL.md, "Deployments"), as the next block on the tip
   * sees them: state, signal bit, schedule, and the current window's signalling blocks so far (`count` of
   * `elapsed`, `share` = count / elapsed; `possible`: the threshold can still be reached in this window).
   */
  deployments(): DeploymentStatus[];
}

/** A script's ban with no length: as long as a misbehaving peer's (node.ts banMs). */
const DEFAULT_SCRIPT_BAN_MS = 10 * 60_000;

export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
}

/** Builds the API over a peer that is still starting; calls made before ready() settle wait for it. */
export function createTabmeshApi(network: string, starting: Promise<RunningPeer>, update: () => UpdateOfferView = () => ({ newerPeerIds: [], workerWaiting: false })): TabmeshApi {
  let peer: RunningPeer | undefined;
  let address = '';
  const ready = starting.then((running) => {
    peer = running;
    address = encodeAddress(running.id);
  });
  // The page reports startup failures itself; this keeps an unobserved rejection out of the console.
  ready.catch(() => undefined);
  const requirePeer = (): RunningPeer => {
    if (!peer) throw new NotReadyError('tabmesh is not ready yet: await tabmesh.ready() first');
    return peer;
  };
  return {
    get id() {
      return peer?.id ?? '';
    },
    get address() {
      return address;
    },
    network,
    ready: () => ready,
    peers: () => requirePeer().node.peers().map(({ id, rttMs, direction, bytesIn, bytesOut, connectedAtMs, protocol }) => ({ id, rttMs, direction, bytesIn, bytesOut, connectedAtMs, protocol: protocol?.version })),
    send: async (to, amount, fee) => {
      await ready;
      return requirePeer().send(to, amount, fee);
    },
    bump: async (id, fee) => {
      await ready;
      return requirePeer().bump(id, fee);
    },
    cancel: async (id, fee) => {
      await ready;
      return requirePeer().cancel(id, fee);
    },
    tx: (id) => requirePeer().txStatus(id),
    findTx: async (id) => {
      await ready;
      // Like tx(): an id that is not a transaction id is simply unknown.
      return isHexOfLength(id, 32) ? requirePeer().findTx(id) : { status: 'unknown' };
    },
    stats: () => requirePeer().stats(),
    balance(account) {
      const running = requirePeer();
      return running.ledger.account(account === undefined ? running.id : accountArgument(account, 'account')).balance;
    },
    tip() {
      const { height, hash } = requirePeer().ledger.tip();
      return { height, hash };
    },
    mine: async (blocks) => {
      await ready;
      return requirePeer().mine(blocks);
    },
    setMining: (on) => requirePeer().setMining(on === true),
    knownPeers: () => requirePeer().knownPeers(),
    disconnect: (peerId) => requirePeer().disconnect(peerId),
    ban(peerId, ms = DEFAULT_SCRIPT_BAN_MS) {
      const running = requirePeer();
      const id = accountArgument(peerId, 'ban: peerId');
      if (!Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_RESTORED_BAN_MS) throw new InvalidArgumentError(`ban: ms must be an integer in 1..${MAX_RESTORED_BAN_MS}, got ${String(ms)}`);
      if (id === running.id) throw new InvalidArgumentError('ban: a tab cannot ban itself');
      running.node.ban(id, 'banned by script', ms);
    },
    unban(peerId) {
      return requirePeer().node.unban(accountArgument(peerId, 'unban: peerId'));
    },
    bans: () => requirePeer().node.bans(),
    relays: () => requirePeer().relays().map(({ url, status }) => ({ url, status })),
    addRelay: async (url) => {
      await ready;
      const running = requirePeer();
      if (typeof url !== 'string' || !/^wss?:\/\//.test(url) || !URL.canParse(url)) {
        throw new InvalidArgumentError(`addRelay: ${JSON.stringify(String(url))} is not a ws:// or wss:// URL`);
      }
      const relays = running.relays().filter((relay) => !relay.local);
      if (relays.some((relay) => relay.url === url)) return false;
      if (relays.length >= MAX_RELAYS) throw new InvalidArgumentError(`addRelay: this tab already has ${relays.length} relays; at most ${MAX_RELAYS}`);
      return running.addRelay(url);
    },
    removeRelay: (url) => requirePeer().removeRelay(url),
    updateAvailable() {
      const view = update();
      return { offered: updateOffered(view), newerPeers: view.newerPeerIds.length, ...(view.newestProtocol !== undefined ? { newestProtocol: view.newestProtocol } : {}), workerWaiting: view.workerWaiting };
    },
    deployments: () => requirePeer().ledger.deployments().map((d) => ({ ...d })),
    trace: async (id) => {
      await ready;
      if (!isHexOfLength(id, 32)) throw new InvalidArgumentError('id must be a transaction id (64 lower-case hex characters)');
      const { reports } = await requirePeer().trace(id);
      return reports.map(({ reporter, firstSeenMs, from, via, catchUp }) => ({ reporter, firstSeenMs, from, via, catchUp })).sort((a, b) => a.firstSeenMs - b.firstSeenMs);
    },
  };
}
