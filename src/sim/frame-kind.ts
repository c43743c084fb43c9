/**
 * Names link frames by their type byte (frames.ts: version u8 | type u8 | ...)
 * so the simulator can count traffic per message type and treat keepalive as
 * background. It reads only the type byte, so new frame types show up
 * automatically (as their name once FrameType lists them).
 */
import { FrameType } from '../core/frames.ts';

const NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, code]) => [code, name]));

/** The frame's type name, e.g. 'tx', or 'type-0x2a' for a code frames.ts does not know. */
export function frameKind(bytes: Uint8Array): string {
  const code = bytes[1];
  if (code === undefined) return 'short';
  return NAMES.get(code) ?? `type-0x${code.toString(16).padStart(2, '0')}`;
}

/** Keepalive traffic: it never stops, so it must not keep runUntilIdle busy. */
export function isKeepalive(bytes: Uint8Array): boolean {
  return bytes[1] === FrameType.ping || bytes[1] === FrameType.pong;
}

/** A predicate for LinkConditions.faultsApplyTo: only frames of these types. */
export function frameTypeIs(...names: string[]): (bytes: Uint8Array) => boolean {
  const wanted = new Set(names);
  return (bytes) => wanted.has(frameKind(bytes));
}
