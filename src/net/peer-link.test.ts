import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { createMemoryLinkPair } from './memory-link.ts';
import { runPeerLinkContract } from './peer-link.contract.ts';
import { createSimplePeerLink } from './simple-peer-link.ts';

runPeerLinkContract('memory', async (a, b) => ({ ...createMemoryLinkPair(a, b), dispose: () => undefined }));

/** Two simple-peer instances in this process, signalling each other directly, over real WebRTC. */
runPeerLinkContract('simple-peer over WebRTC (@roamhq/wrtc)', async (a, b) => {
  const initiator = new SimplePeer({ initiator: true, trickle: true, wrtc });
  const responder = new SimplePeer({ initiator: false, trickle: true, wrtc });
  initiator.on('signal', (data) => responder.signal(data));
  responder.on('signal', (data) => initiator.signal(data));
  await Promise.all([new Promise((resolve) => initiator.once('connect', resolve)), new Promise((resolve) => responder.once('connect', resolve))]);
  return {
    atA: createSimplePeerLink(initiator, b, 'out'),
    atB: createSimplePeerLink(responder, a, 'in'),
    dispose: () => {
      initiator.destroy();
      responder.destroy();
    },
  };
});
