/**
 * A protocol module owns some frame types: it decodes their payloads and
 * handles them. The node checks the frame version, the type's size limit and
 * the HELLO state before a module sees anything, so modules start from
 * bounded, well-typed input. Transaction relay, block relay and sync are
 * built into the node; newer protocols (peer exchange, signaling through the
 * mesh) plug in as modules.
 */
import type { LinkDirection } from './link.ts';
import type { ProtocolContext } from './protocol-context.ts';
import type { Result } from './result.ts';
import type { PeerId } from './types.ts';

export interface ModuleFrameSpec {
  /** For logs and docs. */
  name: string;
  /** The largest payload (after the 2-byte frame header) this type may carry. */
  maxPayloadBytes: number;
}

export interface ProtocolModule<Message = unknown> {
  readonly name: string;
  /** Frame type byte → its spec. Types 0x10–0x3f are reserved for modules. */
  readonly frames: Readonly<Record<number, ModuleFrameSpec>>;
  decode(type: number, payload: Uint8Array): Result<Message>;
  handle(peerId: PeerId, message: Message): void | Promise<void>;
  /** A link completed HELLO; `direction` says who dialled (the peer book marks outbound peers tried). */
  onPeerOpen?(peerId: PeerId, direction: LinkDirection): void;
  onPeerClose?(peerId: PeerId): void;
  /** Called on the node's tick. */
  tick?(): void;
}

export type ProtocolModuleFactory = (context: ProtocolContext) => ProtocolModule;

/** First frame type a module may own; lower types belong to the node's built-in protocols. */
export const FIRST_MODULE_FRAME_TYPE = 0x10;
export const LAST_MODULE_FRAME_TYPE = 0x3f;
