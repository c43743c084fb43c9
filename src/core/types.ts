/** Hex Ed25519 public key (64 lower-case hex chars). A peer id is also its account. */
export type PeerId = string;
/** Hex SHA-256 of a transaction's canonical encoding. */
export type TxId = string;
/** Hex SHA-256 of a block header (used from the ledger issue on). */
export type BlockHash = string;

/**
 * An identity: an Ed25519 key that never leaves its owner, and the work that
 * makes its id count (docs/PROTOCOL.md, "Identity stamp").
 */
export interface Signer {
  readonly peerId: PeerId;
  readonly publicKey: Uint8Array;
  /**
   * The identity stamp: a u64 nonce whose hash with the public key meets the
   * network's identityStampBits (core/identity-stamp.ts). Sent in HELLO and
   * in the relay join; a peer without one is refused.
   */
  readonly identityStamp: number;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** One Ed25519 check: does `signature` by `publicKey` cover `message`? */
export interface VerifyItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Batched signature verification. In the browser it runs in Web Workers; the
 * main thread never verifies a signature itself.
 */
export interface Verifier {
  verify(items: VerifyItem[]): Promise<boolean[]>;
}

/** Milliseconds since the epoch; injected so core has no hidden clock. */
export interface Clock {
  nowMs(): number;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}
