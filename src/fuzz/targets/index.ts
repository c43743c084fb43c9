/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from '../fuzz-target.ts';
import { blocksTarget, bundlesTarget, framesTarget } from './peer-frames.ts';
import { channelMessagesTarget, relayBusTarget, relayClientTarget, relayServerTarget, signalEnvelopeTarget, signalPayloadTarget } from './signaling.ts';

export const FUZZ_TARGETS: readonly FuzzTarget<never>[] = [
  framesTarget, bundlesTarget, blocksTarget,
  signalEnvelopeTarget, signalPayloadTarget, channelMessagesTarget, relayClientTarget, relayServerTarget, relayBusTarget,
] as FuzzTarget<never>[];

export function findTarget(name: string): FuzzTarget<never> | undefined {
  return FUZZ_TARGETS.find((target) => target.name === name);
}
