/** Network health the page shows: peers held off for misbehaviour, and catch-up progress. */
import type { StateCreator } from 'zustand/vanilla';
import type { TabmeshState } from './store.ts';

export interface BanView {
  peerId: string;
  reason: string;
  untilMs: number;
}

export interface SyncView {
  /** Blocks known from peers' headers and not yet connected. */
  blocksWanted: number;
  /** The best height any peer has shown us. */
  bestHeaderHeight: number;
}

export interface NetworkSlice {
  bans: BanView[];
  sync?: SyncView;
  setBans(bans: BanView[]): void;
  setSync(sync: SyncView): void;
}

export const createNetworkSlice: StateCreator<TabmeshState, [], [], NetworkSlice> = (set) => ({
  bans: [],
  setBans: (bans) => set({ bans: [...bans].sort((a, b) => b.untilMs - a.untilMs) }),
  setSync: (sync) => set({ sync: { ...sync } }),
});
