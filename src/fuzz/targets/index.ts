/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from '../fuzz-target.ts';
import { accountBackupTarget } from './account-backup.ts';
import { hostConfigTarget, pageConfigTarget } from './config.ts';
import { nodeSessionTarget } from './node-session.ts';
import { blocksTarget, bundlesTarget, framesTarget } from './peer-frames.ts';
import { peerBookTarget, peerRecordsTarget, peersFramesTarget } from './peers.ts';
import { relayAddressTarget } from './relay-address.ts';
import { storedRecordsTarget } from './storage.ts';
import { storedPeersTarget } from './stored-peers.ts';
import { traceFramesTarget } from './trace.ts';
import { workerMessagesTarget } from './worker-messages.ts';
import { channelMessagesTarget, relayBusTarget, relayClientTarget, relayServerTarget, signalEnvelopeTarget, signalPayloadTarget } from './signaling.ts';

export const FUZZ_TARGETS: readonly FuzzTarget<never>[] = [
  framesTarget, bundlesTarget, blocksTarget, nodeSessionTarget,
  signalEnvelopeTarget, signalPayloadTarget, channelMessagesTarget, relayClientTarget, relayServerTarget, relayBusTarget, relayAddressTarget,
  peerRecordsTarget, peersFramesTarget, peerBookTarget, traceFramesTarget,
  storedRecordsTarget, storedPeersTarget,
  pageConfigTarget, hostConfigTarget, accountBackupTarget, workerMessagesTarget,
] as FuzzTarget<never>[];

export function findTarget(name: string): FuzzTarget<never> | undefined {
  return FUZZ_TARGETS.find((target) => target.name === name);
}
