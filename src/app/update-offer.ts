/**
 * Tells the page what peers say about versions (docs/PROTOCOL.md,
 * "Versioning"): a peer too old or too new to link is a line in the event
 * log, and a peer newer than this build makes the page offer "reload to
 * update" (update-slice.ts). The node decides; this only reports.
 */
import type { TabmeshNode } from '../core/node.ts';
import type { Logger } from '../core/types.ts';
import type { TabmeshStore } from '../ui/store.ts';

export interface WatchPeerVersionsComponents {
  node: Pick<TabmeshNode, 'events' | 'protocol'>;
  ui: TabmeshStore;
  log: Logger;
}

/** Subscribes to the node's peer events for the page's version notices. */
export function watchPeerVersions(components: WatchPeerVersionsComponents): void {
  const { node, ui, log } = components;
  const ours = node.protocol();
  node.events.on('peer-open', (peer) => {
    if (peer.protocol && peer.protocol.peerMax > ours.max) ui.getState().noteNewerPeer(peer.id, peer.protocol.peerMax);
  });
  node.events.on('peer-incompatible', (peerId, reason, detail) => {
    if (reason === 'peer-too-old') {
      log.warn('a peer runs an older build and cannot link with this one; it will once it reloads', { peerId, detail });
      return;
    }
    log.warn('a peer runs a newer build and cannot link with this one: reload to update', { peerId, detail });
    ui.getState().noteNewerPeer(peerId);
  });
}
