/**
 * Stored records read back from disk (src/storage/): the LevelDB record
 * readers (level-records.ts, level-txs.ts, level-meta-codec.ts) and the
 * stored-block decoder both stores use (chain-records.ts fromStoredBlock).
 * A damaged record must surface as a StorageError of kind 'corrupt' naming
 * it, never as a TypeError or RangeError from deep inside a normalizer, and
 * never as a wrong value (the key must match what the record says).
 */
import * as fc from 'fast-check';
import { toHex, utf8 } from '../../core/bytes.ts';
import { blockHash, decodeBlock, decodeHeader, encodeBlock, encodeHeader } from '../../core/ledger/block.ts';
import { fromStoredBlock } from '../../storage/chain-records.ts';
import { decodeMetaValue, encodeMetaValue } from '../../storage/level-meta-codec.ts';
import { encodeAccount, encodeJson, encodeTxLocation, readAccount, readHeader, readTip, readTxLocation, readUndo } from '../../storage/level-records.ts';
import { encodeStoredTx, readStoredTx } from '../../storage/level-txs.ts';
import { StorageError } from '../../storage/storage-error.ts';
import { expectNamedThrow, invariant, outcome, sameBytes, sameJson, type FuzzTarget } from '../fuzz-target.ts';
import { untrustedBytes } from '../mutate.ts';
import { hexOf, untrustedJson } from '../untrusted-json.ts';
import { blockBytes, headerArbitrary, txArbitrary } from '../valid-core.ts';

const OPERATION = 'fuzz read';
const isCorrupt = (error: unknown): boolean => error instanceof StorageError && error.kind === 'corrupt';
const safe = (min = 0) => fc.integer({ min, max: Number.MAX_SAFE_INTEGER });

/** Which reader, the stored bytes, and the key they are stored under ('derived': the key the value names, so the success path is reached). */
interface StoredInput {
  reader: 'header' | 'account' | 'txloc' | 'tip' | 'undo' | 'meta' | 'tx' | 'block';
  bytes: Uint8Array;
  key: string | 'derived';
}

const jsonBytes = (valid: fc.Arbitrary<Record<string, unknown>>, extraKeys: string[] = []) => untrustedJson(valid, extraKeys).map(utf8);

const tip = fc.record({ hash: hexOf(32), height: safe(), chainWork: fc.bigInt({ min: 0n, max: 1n << 200n }).map(String), stateHash: hexOf(32) });
const undo = fc.record({
  hash: hexOf(32),
  before: fc.array(fc.record({ id: hexOf(32), account: fc.option(fc.record({ balance: safe(), nonce: safe() }), { nil: null }) }), { maxLength: 3 }),
  prevStateHash: hexOf(32),
});
const storedTx = fc.record({
  bytes: txArbitrary.map((tx) => toHex(utf8(JSON.stringify(tx)))), receivedAtMs: safe(), status: fc.constantFrom('pending', 'dropped'), source: fc.oneof(fc.constant('self'), hexOf(32)),
});
const metaValue = fc.jsonValue({ maxDepth: 4 }).map((value) => ({ value }));

const inputs: Record<StoredInput['reader'], fc.Arbitrary<Uint8Array>> = {
  header: untrustedBytes(headerArbitrary.map(encodeHeader), 256),
  account: untrustedBytes(fc.record({ balance: safe(), nonce: safe() }).map(encodeAccount), 32),
  txloc: untrustedBytes(fc.record({ height: fc.integer({ min: 0, max: 0xffff_ffff }), blockHash: hexOf(32) }).map(encodeTxLocation), 64),
  tip: jsonBytes(tip),
  undo: jsonBytes(undo),
  meta: fc.oneof(jsonBytes(metaValue), untrustedBytes(metaValue.map(({ value }) => utf8(encodeMetaValue(value, OPERATION))))),
  tx: jsonBytes(storedTx, ['height']),
  block: untrustedBytes(blockBytes, 1024),
};

const readers = Object.keys(inputs) as StoredInput['reader'][];

/** The key a well-stored value sits under: its hash, or the id it names; a placeholder when it names none. */
function derivedKey(reader: StoredInput['reader'], bytes: Uint8Array): string {
  if (reader === 'header' || reader === 'block') {
    const header = decodeHeader(bytes.subarray(0, 149));
    return header.ok ? blockHash(header.value) : '00'.repeat(32);
  }
  if (reader === 'undo') {
    const text = new TextDecoder().decode(bytes);
    const match = /"hash":"([0-9a-f]{64})"/.exec(text);
    return match?.[1] ?? '00'.repeat(32);
  }
  return 'ab'.repeat(32);
}

/** Runs one reader; returns whether it accepted, and checks the accepted value re-encodes (binary) or re-reads (JSON) the same. */
function read(input: StoredInput): boolean {
  const { reader, bytes } = input;
  const key = input.key === 'derived' ? derivedKey(reader, bytes) : input.key;
  const run = <T>(decode: () => T): T | undefined => expectNamedThrow(decode, isCorrupt, `${reader} reader`);
  switch (reader) {
    case 'header': {
      const header = run(() => readHeader(key, bytes, OPERATION));
      if (header) invariant(blockHash(header) === key, 'readHeader: returned a header that does not hash to its key');
      if (header) sameBytes(encodeHeader(header), bytes, 'readHeader');
      return header !== undefined;
    }
    case 'account': {
      const account = run(() => readAccount(key, bytes, OPERATION));
      if (account) sameBytes(encodeAccount(account[1]), bytes, 'readAccount');
      return account !== undefined;
    }
    case 'txloc': {
      const location = run(() => readTxLocation(key, bytes, OPERATION));
      if (location) sameBytes(encodeTxLocation(location), bytes, 'readTxLocation');
      return location !== undefined;
    }
    case 'tip': {
      const stored = run(() => readTip(bytes, OPERATION));
      if (stored) sameJson(readTip(encodeJson(stored), OPERATION), stored, 'readTip');
      return stored !== undefined;
    }
    case 'undo': {
      const stored = run(() => readUndo(key, bytes, OPERATION));
      if (stored) sameJson(readUndo(key, encodeJson(stored), OPERATION), stored, 'readUndo');
      return stored !== undefined;
    }
    case 'meta': {
      const value = run(() => decodeMetaValue(key, bytes, OPERATION));
      if (value === undefined) return false;
      const text = encodeMetaValue(value, OPERATION);
      invariant(encodeMetaValue(decodeMetaValue(key, utf8(text), OPERATION), OPERATION) === text, 'decodeMetaValue: a setting does not read back the same');
      return true;
    }
    case 'tx': {
      const stored = run(() => readStoredTx(key, bytes, OPERATION));
      if (stored) sameJson(readStoredTx(key, encodeStoredTx(stored), OPERATION), stored, 'readStoredTx');
      return stored !== undefined;
    }
    case 'block': {
      const block = run(() => fromStoredBlock(key, bytes, OPERATION));
      if (block) sameBytes(encodeBlock(block), bytes, 'fromStoredBlock');
      // decodeBlock under the stored limits is what fromStoredBlock runs; the network's limits are the frames' business.
      if (block) invariant(decodeBlock(bytes, { maxBlockTxs: Number.MAX_SAFE_INTEGER, maxBlockBytes: Number.MAX_SAFE_INTEGER }).ok, 'fromStoredBlock: accepted what decodeBlock refuses');
      return block !== undefined;
    }
  }
}

export const storedRecordsTarget: FuzzTarget<StoredInput> = {
  name: 'stored-records',
  decoders: [
    'storage/level-records.ts readHeader, readAccount, readTxLocation, readTip, readUndo, parseJson',
    'storage/level-txs.ts readStoredTx', 'storage/level-meta-codec.ts decodeMetaValue', 'storage/chain-records.ts fromStoredBlock (LevelDB and IndexedDB)',
  ],
  arbitrary: fc.constantFrom(...readers).chain((reader) => fc.record({
    reader: fc.constant(reader),
    bytes: inputs[reader],
    key: fc.oneof({ arbitrary: fc.constant('derived' as const), weight: 4 }, { arbitrary: hexOf(32), weight: 1 }, { arbitrary: fc.string({ maxLength: 70 }), weight: 1 }),
  })),
  check: (input) => outcome(read(input)),
};
