/**
 * Network partitions for the simulator. While split, a message between nodes
 * of different groups is dropped on arrival ('drop': links stay up but go
 * silent, so the nodes' keepalive eventually closes them), or the links are
 * cut at once and cannot be reopened ('disconnect'). Nodes not listed in any
 * group form one more group together.
 */
import { InvalidArgumentError } from '../core/result.ts';

export type PartitionMode = 'drop' | 'disconnect';

export interface Partitions {
  isActive(): boolean;
  mode(): PartitionMode;
  /** Whether a message from a may reach b now. */
  connected(a: number, b: number): boolean;
  /** Whether a link between a and b may be opened now. */
  mayLink(a: number, b: number): boolean;
  split(groups: number[][], nodeCount: number, mode?: PartitionMode): void;
  /** Puts a joining node in `group` (default: where it was, else the unlisted group). */
  place(index: number, group?: number): void;
  heal(): void;
}

export function createPartitions(defaultMode: PartitionMode): Partitions {
  let active = false;
  let mode = defaultMode;
  let groupCount = 0;
  const groupOf = new Map<number, number>();
  const group = (index: number) => groupOf.get(index) ?? groupCount;

  const partitions: Partitions = {
    isActive: () => active,
    mode: () => mode,
    connected: (a, b) => !active || group(a) === group(b),
    mayLink: (a, b) => !active || mode === 'drop' || group(a) === group(b),
    split(groups, nodeCount, splitMode = defaultMode) {
      const next = new Map<number, number>();
      groups.forEach((members, g) => {
        for (const index of members) {
          if (!Number.isSafeInteger(index) || index < 0 || index >= nodeCount) throw new InvalidArgumentError(`partition: ${index} is not a node index`);
          if (next.has(index)) throw new InvalidArgumentError(`partition: node ${index} is in two groups`);
          next.set(index, g);
        }
      });
      groupOf.clear();
      for (const [index, g] of next) groupOf.set(index, g);
      groupCount = groups.length;
      mode = splitMode;
      active = true;
    },
    place(index, g) {
      if (g === undefined) return;
      if (!Number.isSafeInteger(g) || g < 0 || g > groupCount) throw new InvalidArgumentError(`group must be 0..${groupCount}, got ${g}`);
      groupOf.set(index, g);
    },
    heal() {
      active = false;
      groupOf.clear();
      groupCount = 0;
      mode = defaultMode;
    },
  };
  return partitions;
}
