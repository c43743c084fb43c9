/**
 * A protocol module owns some frame types: it decodes their payloads and
 * handles them. The node checks the frame version, the type's size limit and
 * the HELLO state before a module sees anything, so modules start from
 * bounded, well-typed input. Transaction relay, block relay and sync are
 * built into the node; newer protocols (peer exchange, signaling through the
 * mesh) plug in as modules.
 *
 * Module frame types are *optional* (docs/PROTOCOL.md, "Versioning"): a peer
 * that does not run a module counts its frames as unknown and ignores them,
 * so a module can be added to, or left out of, any build without a version.
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
  /**
   * The feature bit (protocol-version.ts Feature) that says a peer runs this module. When set, the node
   * advertises it in HELLO and sends this module's frames only to peers that advertise it too.
   */
  readonly feature?: number;
  decode(type: number, payload: Uint8Array): Result<Message>;
  handle(peerId: PeerId, message: Message): void | Promise<void>;
  /** A link completed HELLO; `direction` says who dialled (the peer book marks outbound peers tried). */
  onPeerOpen?(peerId: PeerId, direction: LinkDirection): void;
  onPeerClose?(peerId: PeerId): void;
  /** Called on the node's tick. */
  tick?(): void;
}

export type ProtocolModuleFactory = (context: ProtocolContext) => ProtocolModule;

/** First frame type a module may own; lower types belong to the node's built-in protocols. Within the optional range (protocol-version.ts). */
export const FIRST_MODULE_FRAME_TYPE = 0x10;
export const LAST_MODULE_FRAME_TYPE = 0x3f;

/** The node's modules by frame type, and the feature bits they add up to. */
export interface ModuleTable {
  byType: ReadonlyMap<number, ProtocolModule>;
  features: number;
}

/** Indexes `modules` by the types they own; throws for a type outside 0x10–0x3f or owned twice (a wiring error). */
export function indexModules(modules: readonly ProtocolModule[]): ModuleTable {
  const byType = new Map<number, ProtocolModule>();
  let features = 0;
  for (const module of modules) {
    features |= module.feature ?? 0;
    for (const type of Object.keys(module.frames).map(Number)) {
      if (type < FIRST_MODULE_FRAME_TYPE || type > LAST_MODULE_FRAME_TYPE || byType.has(type)) {
        throw new RangeError(`module ${module.name}: frame type 0x${type.toString(16)} is outside 0x10-0x3f or taken`);
      }
      byType.set(type, module);
    }
  }
  return { byType, features: features >>> 0 };
}
