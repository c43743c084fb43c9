/**
 * Whether the page offers "reload to update" (docs/PROTOCOL.md, "Telling a
 * user the build is old"): peers run a newer protocol than this build, or the
 * service worker holds a newer build of the page, waiting. The page never
 * reloads on its own; the UpdateNotice's button does, when the user asks.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { TabmeshState } from './store.ts';

/** Peers remembered as newer: the notice shows a count, and a long-lived tab meets many. */
export const MAX_NEWER_PEERS = 64;

export interface UpdateOfferView {
  /** Peers seen running a newer protocol than this build: linked with a higher max, or too new to link. */
  newerPeerIds: string[];
  /** The newest protocol version such a peer advertised, where known. */
  newestProtocol?: number;
  /** A newer build of the page is installed and waiting to take over (the app-shell service worker). */
  workerWaiting: boolean;
}

export interface UpdateSlice {
  update: UpdateOfferView;
  /** What "Reload to update" runs when a worker is waiting: it activates the worker, which then reloads the page. */
  activateWaitingWorker?: () => void;
  noteNewerPeer(peerId: string, protocolMax?: number): void;
  offerWaitingWorker(activate: () => void): void;
}

/** Is "reload to update" offered? */
export const updateOffered = (update: UpdateOfferView): boolean => update.workerWaiting || update.newerPeerIds.length > 0;

export const createUpdateSlice: StateCreator<TabmeshState, [], [], UpdateSlice> = (set) => ({
  update: { newerPeerIds: [], workerWaiting: false },
  noteNewerPeer: (peerId, protocolMax) => set((state) => {
    const { update } = state;
    const known = update.newerPeerIds.includes(peerId);
    const newest = protocolMax === undefined ? update.newestProtocol : Math.max(protocolMax, update.newestProtocol ?? 0);
    if (known && newest === update.newestProtocol) return state;
    const newerPeerIds = known ? update.newerPeerIds : [...update.newerPeerIds, peerId].slice(-MAX_NEWER_PEERS);
    return { update: { ...update, newerPeerIds, ...(newest !== undefined ? { newestProtocol: newest } : {}) } };
  }),
  offerWaitingWorker: (activate) => set((state) => ({ update: { ...state.update, workerWaiting: true }, activateWaitingWorker: activate })),
});
