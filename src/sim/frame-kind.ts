/**
 * Names link frames by their type byte (frames.ts: version u8 | type u8 | ...)
 * so the simulator can count traffic per message type and treat keepalive as
 * background. It reads only the type byte, so new frame types show up
 * automatically (as their name once FrameType lists them).
 */
import { isBundle, splitBundle } from '../core/frame-bundle.ts';
import { FrameType } from '../core/frames.ts';

const NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, code]) => [code, name]));

/** The frame's type name, e.g. 'tx', or 'type-0x2a' for a code frames.ts does not know. */
export function frameKind(bytes: Uint8Array): string {
  const code = bytes[1];
  if (code === undefined) return 'short';
  return NAMES.get(code) ?? `type-0x${code.toString(16).padStart(2, '0')}`;
}

/** The frames a message carries: a bundle's inner frames (frame-bundle.ts), else the message itself. */
export function framesOf(message: Uint8Array): Uint8Array[] {
  if (!isBundle(message)) return [message];
  const split = splitBundle(message);
  return split.ok ? split.value : [message];
}

/** Keepalive traffic: it never stops, so it must not keep runUntilIdle busy. */
export function isKeepalive(message: Uint8Array): boolean {
  return framesOf(message).every((bytes) => bytes[1] === FrameType.ping || bytes[1] === FrameType.pong);
}

/** A predicate for LinkConditions.faultsApplyTo: messages carrying a frame of these types. */
export function frameTypeIs(...names: string[]): (message: Uint8Array) => boolean {
  const wanted = new Set(names);
  return (message) => framesOf(message).some((bytes) => wanted.has(frameKind(bytes)));
}
