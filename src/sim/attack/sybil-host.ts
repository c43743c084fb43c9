/**
 * An attacker's machine in the attack bench (issue 20 §4): one host holding
 * many Sybil identities, each a key with a valid identity stamp that the
 * attacker paid for (sim-identity.ts mints them at the network's bits). The
 * identities speak the real frame protocol (core/frames.ts, the peers frames
 * of core/peers/peers-frames.ts) on real simulated links, but run no ledger:
 * 10,000 of them cost a few megabytes, not 10,000 full nodes.
 *
 * Strategies, each switchable (AttackStrategies):
 *  - flood: every link pushes PEER_RECORDS of the host's identities, signed
 *    v2 records claiming inbound room (and, optionally, more chain work than
 *    anyone), at the receiver's rate limit for a while, then a trickle;
 *  - takeInbound: every tick the host offers links to honest nodes from
 *    identities not yet linked to them, as fast as their gate takes them
 *    (the offer passes mesh.shouldAccept, as a relayed offer does, before
 *    the simulator opens the link);
 *  - withhold, always (an identity has no ledger to serve from): transactions,
 *    blocks and other peers' signals go nowhere, and getData and getBlockTxs
 *    are never answered, nor getHeaders unless the host serves (below);
 *  - announceOnly: inventory heard from one honest node is announced at once
 *    to every other honest node the host is linked to, and never delivered;
 *  - serve (off by default): the host keeps the chain's headers (it syncs
 *    like any node; here it reads an honest node's ledger) and answers
 *    getHeaders, and each identity's record lists its real links to honest
 *    tabs, re-signed each minute. Such an identity passes the outbound proof
 *    and can be a confirmed neighbour; blocks and transactions are still
 *    withheld.
 * Honest dials to an identity are answered wherever the offer lands on the
 * host (a MESH_SIGNAL for any of its identities), so the host looks like
 * many well-connected peers.
 */
import { Emitter } from '../../core/emitter.ts';
import { isBundle, splitBundle } from '../../core/frame-bundle.ts';
import { FRAME_VERSION, MAX_HEADERS_PER_FRAME, USER_AGENT, encodeFrame, parseFrame } from '../../core/frames.ts';
import type { PeerLink } from '../../core/link.ts';
import type { NodeEvents } from '../../core/node.ts';
import { signPeerRecord, type PeerRecord } from '../../core/peers/peer-record.ts';
import { MAX_RECORDS_PER_FRAME, MESH_SIGNAL, PEER_RECORDS, decodePeersFrame, encodeMeshSignal, encodePeerRecords } from '../../core/peers/peers-frames.ts';
import { fromHex } from '../../core/bytes.ts';
import { sealSignal } from '../../core/signal-envelope.ts';
import type { BlockHeader } from '../../core/ledger/types.ts';
import type { BlockHash, PeerId } from '../../core/types.ts';
import type { Prng } from '../prng.ts';
import type { SimSigner } from '../sim-identity.ts';
import type { SimNodeLike } from '../sim-node.ts';

export interface AttackStrategies {
  flood: boolean;
  takeInbound: boolean;
  announceOnly: boolean;
  /** Answer headers requests and list real links (see above). Default false. */
  serve?: boolean;
}

/** What a host needs of the simulation: who is honest, their gate, and link opening. */
export interface SybilHostWorld {
  network: string;
  nowMs(): number;
  /** Live honest nodes' peer ids. */
  honestIds(): PeerId[];
  /** The honest node's offer gate (mesh.shouldAccept(from, 'in')). */
  accepts(honest: PeerId, from: PeerId): boolean;
  /** Opens a link from identity `from` (dialling) to `to`; false if it could not. */
  open(from: PeerId, to: PeerId): boolean;
  /** The honest chain's headers after `locator` (the serve strategy). */
  headersAfter(locator: readonly BlockHash[], max: number): BlockHeader[];
}

export interface SybilHostInit {
  strategies: AttackStrategies;
  /** Chain work the identities' records claim (lures dials for work). Default 0. */
  claimedWork?: bigint;
  /** Link offers the host makes per tick (its dial rate). Default 400. */
  offersPerTick?: number;
  /** PEER_RECORDS frames per link per tick while flooding (the receiver allows 4/s, bursts of 20). Default 1. */
  floodFramesPerTick?: number;
  /**
   * Ticks a new link floods before it trickles (one frame every 30 ticks).
   * Default 5: 120 records, more than a book's share one source can reach,
   * so a longer flood only costs the simulation time (records parsed).
   */
  floodTicks?: number;
}

/** One Sybil identity as the simulator sees it: a node with links and no ledger. */
export interface SybilNode extends SimNodeLike {
  readonly sybil: true;
  readonly peerId: PeerId;
  /** Honest peers this identity is linked to. */
  links(): PeerId[];
  /** Sends raw bytes on the link to `to` (the misbehaviour probe). */
  sendRaw(to: PeerId, bytes: Uint8Array): boolean;
}

interface Identity {
  signer: SimSigner;
  links: Map<PeerId, { link: PeerLink; ticks: number }>;
  record?: PeerRecord;
}

/** How often a serving identity re-signs its record with its current links (an honest tab's refresh). */
const SERVE_RESIGN_MS = 60_000;

const ZERO_HASH = '00'.repeat(32);
/** Records of this host an answer to GET_PEERS or a flood frame carries. */
const RECORDS = MAX_RECORDS_PER_FRAME;

export type SybilHost = ReturnType<typeof createSybilHost>;

export function createSybilHost(world: SybilHostWorld, prng: Prng, init: SybilHostInit) {
  const { strategies } = init;
  const offersPerTick = init.offersPerTick ?? 400;
  const floodFrames = init.floodFramesPerTick ?? 1;
  const floodTicks = init.floodTicks ?? 5;
  const identities = new Map<PeerId, Identity>();
  /** Honest peer → the identities linked to it. */
  const linkedTo = new Map<PeerId, Set<PeerId>>();
  const announced = new Set<string>();
  const counters = { offers: 0, linksOpened: 0, recordFrames: 0, answers: 0, announced: 0, withheld: 0, headersServed: 0 };
  let lastSecond = -1;

  const frame = (type: number, payload: Uint8Array) => {
    const bytes = new Uint8Array(2 + payload.length);
    bytes[0] = FRAME_VERSION;
    bytes[1] = type;
    bytes.set(payload, 2);
    return bytes;
  };

  async function recordOf(identity: Identity): Promise<PeerRecord> {
    const now = world.nowMs();
    const stale = strategies.serve && identity.record !== undefined && now - identity.record.issuedAtMs >= SERVE_RESIGN_MS;
    if (identity.record && !stale) return identity.record;
    const ids = [...identities.keys()];
    const neighbours = new Set<PeerId>();
    // A serving identity lists its real links to honest tabs first, so its record and theirs agree.
    if (strategies.serve) for (const honest of [...identity.links.keys()].sort().slice(0, 16)) neighbours.add(honest);
    // Other identities of the host: honest routing (mesh-signal.ts) finds them within 3 hops.
    for (let i = 0; i < 16 && neighbours.size < 16 && ids.length > 1; i++) {
      const id = ids[prng.int(ids.length)]!;
      if (id !== identity.signer.peerId) neighbours.add(id);
    }
    identity.record = await signPeerRecord(world.network, identity.signer, {
      seq: Math.floor(now), issuedAtMs: now, expiresAtMs: now + 30 * 60_000, acceptsInbound: true,
      neighbours: [...neighbours], tipHeight: 0, chainWork: init.claimedWork ?? 0n,
    });
    return identity.record;
  }

  async function recordsFrame(): Promise<Uint8Array> {
    const ids = [...identities.values()];
    const chosen = new Set<Identity>();
    while (chosen.size < Math.min(RECORDS, ids.length)) chosen.add(ids[prng.int(ids.length)]!);
    const records = await Promise.all([...chosen].map(recordOf));
    return frame(PEER_RECORDS, encodePeerRecords(world.network, records));
  }

  /** An offer for any of our identities, arrived on `via` (a MESH_SIGNAL payload): answer as the addressee, back the same way. */
  async function answer(via: PeerLink, payload: Uint8Array): Promise<void> {
    const parsed = decodePeersFrame(MESH_SIGNAL, payload);
    if (!parsed.ok || parsed.value.kind !== 'signal') return;
    const { envelope } = parsed.value;
    const me = identities.get(envelope.to);
    if (!me || !envelope.payload.includes('"offer"')) return; // another peer's signal: withheld
    const hex = await sealSignal(world.network, me.signer, envelope.from, JSON.stringify({ type: 'answer', sdp: 'sim answer' }), world.nowMs());
    counters.answers++;
    via.send(frame(MESH_SIGNAL, encodeMeshSignal(1, fromHex(hex)!)));
  }

  /** Announces honest inventory to every other honest node we reach, and never delivers it. */
  function reannounce(from: PeerId, items: { kind: 'tx' | 'block'; id: string }[]): void {
    const fresh = items.filter((item) => !announced.has(item.id));
    if (fresh.length === 0) return;
    for (const item of fresh) announced.add(item.id);
    const bytes = encodeFrame({ type: 'inv', items: fresh });
    for (const [honest, ids] of linkedTo) {
      if (honest === from) continue;
      const first = identities.get(ids.values().next().value!)?.links.get(honest);
      if (first?.link.send(bytes)) counters.announced++;
    }
  }

  function receive(identity: Identity, link: PeerLink, bytes: Uint8Array): void {
    if (bytes[0] !== FRAME_VERSION) return;
    if (isBundle(bytes)) {
      const inner = splitBundle(bytes);
      if (inner.ok) for (const one of inner.value) receive(identity, link, one);
      return;
    }
    const type = bytes[1]!;
    if (type === MESH_SIGNAL) return void answer(link, bytes.subarray(2));
    if (type >= 0x10) return; // other peers frames: GET_PEERS is answered by the flood anyway
    const parsed = parseFrame(bytes);
    if (!parsed.ok) return;
    const message = parsed.value;
    if (message.type === 'ping') link.send(encodeFrame({ type: 'pong', nonce: message.nonce }));
    else if (message.type === 'inv' && strategies.announceOnly) reannounce(link.peerId, message.items);
    else if (message.type === 'getHeaders' && strategies.serve) {
      counters.headersServed++;
      link.send(encodeFrame({ type: 'headers', headers: world.headersAfter(message.locator, MAX_HEADERS_PER_FRAME) }));
    } else if (message.type === 'getData' || message.type === 'getHeaders' || message.type === 'getBlockTxs') counters.withheld++;
  }

  async function hostTick(): Promise<void> {
    const honest = world.honestIds();
    if (strategies.takeInbound && honest.length > 0) {
      const ids = [...identities.keys()];
      for (let i = 0; i < offersPerTick; i++) {
        const target = honest[prng.int(honest.length)]!;
        const from = ids[prng.int(ids.length)]!;
        if (identities.get(from)!.links.has(target)) continue;
        counters.offers++;
        if (world.accepts(target, from) && world.open(from, target)) counters.linksOpened++;
      }
    }
    if (!strategies.flood) return;
    for (const identity of identities.values()) {
      for (const state of identity.links.values()) {
        state.ticks++;
        const frames = state.ticks <= floodTicks ? floodFrames : state.ticks % 30 === 0 ? 1 : 0;
        for (let i = 0; i < frames; i++) {
          counters.recordFrames++;
          state.link.send(await recordsFrame());
        }
      }
    }
  }

  return {
    counters,
    /** The identity's node, for the simulator's factory. */
    node(signer: SimSigner): SybilNode {
      const identity: Identity = { signer, links: new Map() };
      identities.set(signer.peerId, identity);
      return {
        sybil: true,
        peerId: signer.peerId,
        events: new Emitter<NodeEvents>(),
        addLink(link) {
          identity.links.set(link.peerId, { link, ticks: 0 });
          let set = linkedTo.get(link.peerId);
          if (!set) linkedTo.set(link.peerId, (set = new Set()));
          set.add(signer.peerId);
          link.onMessage((bytes) => receive(identity, link, bytes));
          link.onClose(() => {
            if (identity.links.get(link.peerId)?.link !== link) return;
            identity.links.delete(link.peerId);
            linkedTo.get(link.peerId)?.delete(signer.peerId);
            if (linkedTo.get(link.peerId)?.size === 0) linkedTo.delete(link.peerId);
          });
          link.send(encodeFrame({ type: 'hello', network: world.network, peerId: signer.peerId, userAgent: USER_AGENT, tipHeight: 0, tipHash: ZERO_HASH, identityStamp: signer.identityStamp }));
        },
        // The simulator ticks every identity; the host does its work once per tick of virtual time.
        tick() {
          const now = world.nowMs();
          if (Math.floor(now / 1000) === lastSecond) return;
          lastSecond = Math.floor(now / 1000);
          void hostTick();
        },
        stats: () => ({ peers: identity.links.size }),
        submitLocalTx: () => ({ ok: false, reason: 'sybil' }),
        links: () => [...identity.links.keys()],
        sendRaw: (to, bytes) => identity.links.get(to)?.link.send(bytes) ?? false,
        close() {
          for (const { link } of [...identity.links.values()]) link.close('node shutting down');
        },
      };
    },
    /**
     * A PEER_RECORDS frame with a fresh record of `peerId` whose signature is
     * wrong: misbehaviour the receiver must ban for (the disconnect probe).
     */
    async forgedRecordFrame(peerId: PeerId): Promise<Uint8Array> {
      const identity = identities.get(peerId)!;
      const now = world.nowMs();
      const record = await signPeerRecord(world.network, identity.signer, {
        seq: Math.floor(now) + 1, issuedAtMs: now, expiresAtMs: now + 30 * 60_000, acceptsInbound: true, neighbours: [], tipHeight: 0, chainWork: 0n,
      });
      const forged = { ...record, signature: (record.signature[0] === '0' ? '1' : '0') + record.signature.slice(1) };
      return frame(PEER_RECORDS, encodePeerRecords(world.network, [forged]));
    },
    /** Identities linked to `honest`. */
    linkedTo: (honest: PeerId): PeerId[] => [...(linkedTo.get(honest) ?? [])],
  };
}
