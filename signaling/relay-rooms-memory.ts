/**
 * Rooms in this process's memory: the relay's embedded default, and the local
 * half of the Redis rooms (redis-rooms.ts). network -> {members by id, active
 * and idle lists}. Empty rooms are deleted, so the number of rooms is bounded
 * by the number of joined sockets, and a room by `maxRoomSize`.
 */
import { randomInt as cryptoRandomInt } from 'node:crypto';
import type { PeerId } from '../src/core/types.ts';
import type { AdmitResult, RelayRooms, RoomMember, RoomMessage, RoomStats } from './relay-rooms.ts';
import { SampleSet, type RandomInt } from './relay-sample.ts';

interface Room<M> {
  members: Map<PeerId, M>;
  active: SampleSet;
  idle: SampleSet;
  /** The active members by address, and the addresses that have any: the first draw of a sample goes across these. */
  activeByAddress: Map<string, SampleSet>;
  activeAddresses: SampleSet;
}

/** Members with no address (tests, in-process hosts) share one group. */
const NO_ADDRESS = '';

export interface MemoryRoomsInit {
  maxRoomSize: number;
  /**
   * Randomness for samples. Default: node:crypto, so which members a
   * newcomer is shown cannot be predicted (an attacker who could predict
   * samples could time joins to fill them).
   */
  randomInt?: RandomInt;
}

export class MemoryRooms<M extends RoomMember> implements RelayRooms<M> {
  private readonly rooms = new Map<string, Room<M>>();
  private readonly randomInt: RandomInt;
  private activeCount = 0;

  constructor(private readonly init: MemoryRoomsInit) {
    this.randomInt = init.randomInt ?? ((n) => cryptoRandomInt(n));
  }

  admit(network: string, peerId: PeerId, member: M): AdmitResult<M> {
    let room = this.rooms.get(network);
    const replaced = room?.members.get(peerId);
    if (replaced === undefined && room !== undefined && room.members.size >= this.init.maxRoomSize) {
      return { ok: false, reason: 'room-full' };
    }
    if (room === undefined) {
      room = { members: new Map(), active: new SampleSet(), idle: new SampleSet(), activeByAddress: new Map(), activeAddresses: new SampleSet() };
      this.rooms.set(network, room);
    }
    if (replaced !== undefined) this.deactivate(room, peerId);
    room.members.set(peerId, member);
    this.place(room, peerId, true);
    return { ok: true, replaced };
  }

  remove(network: string, peerId: PeerId, member: M): boolean {
    const room = this.rooms.get(network);
    if (room === undefined || room.members.get(peerId) !== member) return false;
    this.deactivate(room, peerId);
    room.members.delete(peerId);
    room.idle.delete(peerId);
    if (room.members.size === 0) this.rooms.delete(network);
    return true;
  }

  setActive(network: string, peerId: PeerId, member: M, active: boolean): void {
    const room = this.rooms.get(network);
    if (room === undefined || room.members.get(peerId) !== member) return;
    this.place(room, peerId, active);
  }

  get(network: string, peerId: PeerId): M | undefined {
    return this.rooms.get(network)?.members.get(peerId);
  }

  /** Synchronous underneath; the Redis rooms use it directly while Redis is down. */
  sampleNow(network: string, exceptPeerId: PeerId, max: number): PeerId[] {
    const room = this.rooms.get(network);
    if (room === undefined) return [];
    const exclude = new Set([exceptPeerId]);
    const active = this.diverseActiveSample(room, max, exclude);
    return active.length >= max ? active : [...active, ...room.idle.sample(max - active.length, exclude, this.randomInt)];
  }

  /**
   * Up to `max` active members: first one from each of up to `max` random
   * addresses, then uniformly from the rest. A uniform draw let 500 silent
   * Sybils from a few addresses crowd the one honest member out of a
   * newcomer's welcome (e2e/sybil-flood.spec.ts); drawn across addresses, a
   * host's share of each welcome is bounded by the number of hosts, not ids.
   * O(max): samples of samples, never a walk of the room.
   */
  private diverseActiveSample(room: Room<M>, max: number, exclude: Set<PeerId>): PeerId[] {
    const picked: PeerId[] = [];
    for (const address of room.activeAddresses.sample(max, new Set(), this.randomInt)) {
      const [id] = room.activeByAddress.get(address)!.sample(1, exclude, this.randomInt);
      if (id === undefined) continue;
      picked.push(id);
      exclude.add(id);
    }
    if (picked.length < max) picked.push(...room.active.sample(max - picked.length, exclude, this.randomInt));
    for (const id of picked) exclude.add(id);
    return picked;
  }

  sample(network: string, exceptPeerId: PeerId, max: number): Promise<PeerId[]> {
    return Promise.resolve(this.sampleNow(network, exceptPeerId, max));
  }

  deliver(network: string, to: PeerId, message: RoomMessage): boolean {
    const member = this.get(network, to);
    member?.send(message);
    return member !== undefined;
  }

  announce(network: string, peerId: PeerId, max: number, group?: string): void {
    const room = this.rooms.get(network);
    if (room === undefined) return;
    // Across addresses, as welcomes: a newcomer is announced to members of several hosts, not to one host's Sybils.
    for (const id of this.diverseActiveSample(room, max, new Set([peerId]))) this.deliver(network, id, { type: 'peer-joined', peerId, ...(group === undefined ? {} : { group }) });
  }

  /** Every local member, for re-registering them with Redis. */
  *entries(): Generator<{ network: string; peerId: PeerId; active: boolean; member: M }> {
    for (const [network, room] of this.rooms) {
      for (const [peerId, member] of room.members) yield { network, peerId, active: room.active.has(peerId), member };
    }
  }

  isActive(network: string, peerId: PeerId): boolean {
    return this.rooms.get(network)?.active.has(peerId) ?? false;
  }

  stats(): RoomStats {
    let peers = 0;
    for (const room of this.rooms.values()) peers += room.members.size;
    return { rooms: this.rooms.size, peers, active: this.activeCount };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private place(room: Room<M>, peerId: PeerId, active: boolean): void {
    if (active) {
      room.idle.delete(peerId);
      if (!room.active.has(peerId)) {
        room.active.add(peerId);
        this.activeCount++;
        const address = room.members.get(peerId)?.address ?? NO_ADDRESS;
        let group = room.activeByAddress.get(address);
        if (group === undefined) room.activeByAddress.set(address, (group = new SampleSet()));
        group.add(peerId);
        room.activeAddresses.add(address);
      }
    } else {
      this.deactivate(room, peerId);
      room.idle.add(peerId);
    }
  }

  /** Takes `peerId` off the active lists (its member must still be in `room.members`, for its address). */
  private deactivate(room: Room<M>, peerId: PeerId): void {
    if (!room.active.delete(peerId)) return;
    this.activeCount--;
    const address = room.members.get(peerId)?.address ?? NO_ADDRESS;
    const group = room.activeByAddress.get(address);
    group?.delete(peerId);
    if (group?.size === 0) {
      room.activeByAddress.delete(address);
      room.activeAddresses.delete(address);
    }
  }
}
