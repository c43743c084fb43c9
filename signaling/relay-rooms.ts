/**
 * Room membership for the relay: network name -> (peer id -> member). Pure
 * bookkeeping with no sockets, so the replacement and room-size rules are
 * easy to read in one place. Empty rooms are deleted, so the number of rooms
 * is bounded by the number of joined connections.
 */
import type { PeerId } from '../src/core/types.ts';

export type AdmitResult<M> =
  /** `replaced` is the earlier member with the same peer id (a tab reload). */
  | { ok: true; replaced: M | undefined }
  | { ok: false; reason: 'room-full' };

export interface RoomStats {
  rooms: number;
  peers: number;
}

export class RelayRooms<M> {
  private readonly rooms = new Map<string, Map<PeerId, M>>();

  constructor(private readonly maxRoomSize: number) {}

  /**
   * Puts `member` in `network` under `peerId`. A member already holding that
   * id is replaced, which never counts against the room size.
   */
  admit(network: string, peerId: PeerId, member: M): AdmitResult<M> {
    let room = this.rooms.get(network);
    const replaced = room?.get(peerId);
    if (replaced === undefined && room !== undefined && room.size >= this.maxRoomSize) {
      return { ok: false, reason: 'room-full' };
    }
    if (room === undefined) {
      room = new Map();
      this.rooms.set(network, room);
    }
    room.set(peerId, member);
    return { ok: true, replaced };
  }

  /** Removes `member` only if it still holds `peerId`; false when it was replaced or absent. */
  remove(network: string, peerId: PeerId, member: M): boolean {
    const room = this.rooms.get(network);
    if (room === undefined || room.get(peerId) !== member) return false;
    room.delete(peerId);
    if (room.size === 0) this.rooms.delete(network);
    return true;
  }

  get(network: string, peerId: PeerId): M | undefined {
    return this.rooms.get(network)?.get(peerId);
  }

  /** Every member of `network` except `exceptPeerId`. */
  others(network: string, exceptPeerId: PeerId): Array<[PeerId, M]> {
    const room = this.rooms.get(network);
    if (room === undefined) return [];
    return [...room].filter(([peerId]) => peerId !== exceptPeerId);
  }

  /**
   * Up to `max` ids from `network` other than `exceptPeerId`, a uniform random
   * sample when the room is larger (so newcomers do not all dial the oldest
   * members). `randomInt(n)` returns an integer in [0, n).
   */
  sampleIds(network: string, exceptPeerId: PeerId, max: number, randomInt: (n: number) => number): PeerId[] {
    const ids = this.others(network, exceptPeerId).map(([peerId]) => peerId);
    if (ids.length <= max) return ids;
    for (let i = 0; i < max; i++) {
      const j = i + randomInt(ids.length - i);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    return ids.slice(0, max);
  }

  stats(): RoomStats {
    let peers = 0;
    for (const room of this.rooms.values()) peers += room.size;
    return { rooms: this.rooms.size, peers };
  }
}
