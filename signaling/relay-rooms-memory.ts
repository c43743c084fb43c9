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
}

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
      room = { members: new Map(), active: new SampleSet(), idle: new SampleSet() };
      this.rooms.set(network, room);
    }
    room.members.set(peerId, member);
    this.place(room, peerId, true);
    return { ok: true, replaced };
  }

  remove(network: string, peerId: PeerId, member: M): boolean {
    const room = this.rooms.get(network);
    if (room === undefined || room.members.get(peerId) !== member) return false;
    room.members.delete(peerId);
    if (room.active.delete(peerId)) this.activeCount--;
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
    const active = room.active.sample(max, exclude, this.randomInt);
    return active.length >= max ? active : [...active, ...room.idle.sample(max - active.length, exclude, this.randomInt)];
  }

  sample(network: string, exceptPeerId: PeerId, max: number): Promise<PeerId[]> {
    return Promise.resolve(this.sampleNow(network, exceptPeerId, max));
  }

  deliver(network: string, to: PeerId, message: RoomMessage): boolean {
    const member = this.get(network, to);
    member?.send(message);
    return member !== undefined;
  }

  /** Up to `max` random active members other than `exceptPeerId` (the announce targets). */
  activeSample(network: string, exceptPeerId: PeerId, max: number): PeerId[] {
    return this.rooms.get(network)?.active.sample(max, new Set([exceptPeerId]), this.randomInt) ?? [];
  }

  announce(network: string, peerId: PeerId, max: number): void {
    for (const id of this.activeSample(network, peerId, max)) this.deliver(network, id, { type: 'peer-joined', peerId });
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
      }
    } else {
      if (room.active.delete(peerId)) this.activeCount--;
      room.idle.add(peerId);
    }
  }
}
