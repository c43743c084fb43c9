/**
 * The relay's room seam (docs/PROTOCOL.md, "Relay"): who is in which
 * network's room, which members still want peers (active) and which are well
 * linked (idle), random samples for welcomes, and delivery of a message to a
 * member by id. Two implementations behind one interface:
 *
 *  - memory (relay-rooms-memory.ts): the embedded default, one process;
 *  - Redis (redis-rooms.ts): several relay processes share rooms, and a
 *    message for a member on another process crosses Redis pub/sub. It keeps
 *    a memory room for its own sockets and falls back to it while Redis is down.
 *
 * Every operation is O(1) or O(sample size) in the size of the room, so a
 * join costs the same in a room of 10 or 10,000 (measured in bench/relay-scale.ts).
 */
import type { ServerMessage } from '../src/core/relay-protocol.ts';
import type { PeerId } from '../src/core/types.ts';

/** What a room holds: a joined socket, seen only through what the rooms need of it. */
export interface RoomMember {
  send(message: ServerMessage): void;
  /** Another socket (on this relay or another) took this member's peer id: close without announcing. */
  replace(): void;
  /**
   * The address the member counts against (relay-address-limits.ts addressKey): samples are drawn across
   * addresses, so members of one address (a Sybil host) fill at most their share of a welcome.
   */
  readonly address?: string;
}

/** Messages one member may cause another to receive, possibly on another relay process. */
export type RoomMessage = Extract<ServerMessage, { type: 'signal' | 'peer-joined' }>;

export type AdmitResult<M> =
  /** `replaced` is the earlier local member with the same peer id (a tab reload). */
  | { ok: true; replaced: M | undefined }
  | { ok: false; reason: 'room-full' };

export interface RoomStats {
  rooms: number;
  /** Members on this process. */
  peers: number;
  /** Of those, the ones that want peers. */
  active: number;
}

/** One room interface, two implementations (memory, Redis). */
export interface RelayRooms<M extends RoomMember> {
  /**
   * Puts `member` in `network` under `peerId`, active. A member already
   * holding that id is replaced, which never counts against the room size.
   */
  admit(network: string, peerId: PeerId, member: M): AdmitResult<M>;
  /** Removes `member` only if it still holds `peerId`; false when it was replaced or absent. */
  remove(network: string, peerId: PeerId, member: M): boolean;
  /** Moves the member between the active and idle lists (it stays reachable either way). */
  setActive(network: string, peerId: PeerId, member: M, active: boolean): void;
  /** The member on this process holding `peerId`. */
  get(network: string, peerId: PeerId): M | undefined;
  /**
   * Up to `max` random members other than `exceptPeerId`: active ones first,
   * topped up with idle ones so a newcomer to a settled room still gets peers.
   * The memory rooms draw the active ones across addresses (one member of
   * each of up to `max` random addresses, then uniformly), as Bitcoin Core
   * draws addresses across network groups.
   */
  sample(network: string, exceptPeerId: PeerId, max: number): Promise<PeerId[]>;
  /**
   * Delivers `message` to member `to`, here or on another process. The answer
   * is synchronous when memory decides it (so error replies keep frame order)
   * and a promise when Redis must be asked; false when no relay has `to`.
   */
  deliver(network: string, to: PeerId, message: RoomMessage): boolean | Promise<boolean>;
  /** Tells up to `max` random active members other than `peerId` that it joined, with its attested network group. */
  announce(network: string, peerId: PeerId, max: number, group?: string): void;
  stats(): RoomStats;
  /** Stops timers and connections the implementation owns. */
  close(): Promise<void>;
}
