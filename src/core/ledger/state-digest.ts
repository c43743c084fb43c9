/**
 * A cheap digest of the whole account state, kept with the tip to detect
 * storage corruption (docs/PROTOCOL.md, "Storage integrity").
 *
 * digest = Σ SHA-256("tabmesh/account/v1" ‖ id ‖ balance u64 ‖ nonce u64) mod 2^256
 * over every account. Addition is order-free and invertible, so a block
 * updates the digest in O(accounts it touched) (remove the old leaf, add the
 * new one) and a load recomputes it in one pass. It detects accidental damage
 * (a lost, extra or altered account); it is not meant to resist someone who
 * can already write to the tab's database.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, fromHex, toHex, utf8 } from '../bytes.ts';
import type { PeerId } from '../types.ts';
import type { Account } from './types.ts';

const MOD = 1n << 256n;
const DOMAIN = utf8('tabmesh/account/v1');

function leaf(id: PeerId, account: Readonly<Account>): bigint {
  const idBytes = fromHex(id);
  // A malformed id still gets a distinct leaf (its UTF-8), so a damaged key is detected, not thrown on.
  const bytes = new ByteWriter().bytes(DOMAIN).bytes(idBytes && idBytes.length === 32 ? idBytes : utf8(id)).u64(account.balance).u64(account.nonce).finish();
  return BigInt(`0x${toHex(sha256(bytes))}`);
}

/** The digest of an empty state. */
export const EMPTY_STATE_HASH = '0'.repeat(64);

export class StateDigest {
  private value: bigint;

  constructor(hex: string = EMPTY_STATE_HASH) {
    this.value = BigInt(`0x${hex}`);
  }

  static of(accounts: Iterable<[PeerId, Readonly<Account>]>): StateDigest {
    const digest = new StateDigest();
    for (const [id, account] of accounts) digest.add(id, account);
    return digest;
  }

  add(id: PeerId, account: Readonly<Account>): void {
    this.value = (this.value + leaf(id, account)) % MOD;
  }

  remove(id: PeerId, account: Readonly<Account>): void {
    this.value = (this.value - leaf(id, account) + MOD) % MOD;
  }

  /** Replaces one account's leaf: `before` or `after` may be absent (created or deleted). */
  replace(id: PeerId, before: Readonly<Account> | undefined | null, after: Readonly<Account> | undefined | null): void {
    if (before) this.remove(id, before);
    if (after) this.add(id, after);
  }

  clone(): StateDigest {
    return new StateDigest(this.hex());
  }

  hex(): string {
    return this.value.toString(16).padStart(64, '0');
  }
}
