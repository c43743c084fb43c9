import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../core/bytes.ts';
import { BLOCK_HEADER_BYTES, blockHash, encodeHeader, searchNonce as ledgerSearchNonce } from '../core/ledger/block.ts';
import { TEST_PARAMS } from '../core/ledger/params.ts';
import { targetToHex } from '../core/ledger/pow.ts';
import type { BlockHeader } from '../core/ledger/types.ts';
import { InvalidArgumentError } from '../core/result.ts';
import { createNonceSearcher, parseMineReply, parseMineRequest, searchNonce } from './mine-protocol.ts';

const header: BlockHeader = {
  version: 1,
  prevHash: '11'.repeat(32),
  height: 7,
  timeMs: 1_735_689_600_123,
  target: targetToHex(TEST_PARAMS.genesisTarget),
  merkleRoot: '22'.repeat(32),
  nonce: 0,
  miner: '33'.repeat(32),
};
const bytes = encodeHeader(header);
const EASY = TEST_PARAMS.genesisTarget; // 2^252 - 1: one hash in 16
const IMPOSSIBLE = 0n;

/** The hash of `header` with `nonce`, computed the slow, obvious way with Node's own SHA-256. */
function reference(nonce: number): { hex: string; value: bigint } {
  const hex = createHash('sha256').update(encodeHeader({ ...header, nonce })).digest('hex');
  return { hex, value: BigInt(`0x${hex}`) };
}

describe('searchNonce', () => {
  it('finds the first nonce whose hash meets the target, and the block hash it gives', () => {
    for (const start of [0, 1_000, 2 ** 32 - 3, 2 ** 40 + 5]) {
      const result = searchNonce(bytes, EASY, start, 10_000);
      if (!result.found) throw new Error(`nothing found from ${start}`);
      expect(result.hash).toBe(reference(result.nonce).hex);
      expect(result.hash).toBe(blockHash({ ...header, nonce: result.nonce }));
      expect(reference(result.nonce).value <= EASY).toBe(true);
      for (let nonce = start; nonce < result.nonce; nonce++) expect(reference(nonce).value > EASY).toBe(true);
      expect(result.hashes).toBe(result.nonce - start + 1);
      // The ledger's own (slower, header-based) search agrees.
      expect(ledgerSearchNonce({ ...header, target: targetToHex(EASY) }, start, 10_000)).toBe(result.nonce);
    }
  });

  it('reports the hashes tried and where to continue when nothing is found', () => {
    expect(searchNonce(bytes, IMPOSSIBLE, 5, 300)).toEqual({ found: false, hashes: 300, nextNonce: 305 });
    expect(searchNonce(bytes, IMPOSSIBLE, 5, 0)).toEqual({ found: false, hashes: 0, nextNonce: 5 });
  });

  it('never passes 2^53-1', () => {
    const start = Number.MAX_SAFE_INTEGER - 2;
    expect(searchNonce(bytes, IMPOSSIBLE, start, 10)).toEqual({ found: false, hashes: 3, nextNonce: 2 ** 53 });
    const result = searchNonce(bytes, (1n << 256n) - 1n, Number.MAX_SAFE_INTEGER, 10);
    expect(result).toMatchObject({ found: true, nonce: Number.MAX_SAFE_INTEGER, hash: reference(Number.MAX_SAFE_INTEGER).hex });
  });

  it('accepts the target as a bigint, hex or bytes, and does not touch the caller\'s header', () => {
    const copy = bytes.slice();
    const hex = targetToHex(EASY);
    const results = [EASY, hex, Uint8Array.from(Buffer.from(hex, 'hex'))].map((target) => searchNonce(bytes, target, 0, 1_000));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(bytes).toEqual(copy);
  });

  it('continues across slices of one searcher exactly as one long search', () => {
    const searcher = createNonceSearcher(bytes, 1n << 249n); // about one hash in 128
    let nonce = 0;
    let total = 0;
    for (;;) {
      const slice = searcher.search(nonce, 7);
      total += slice.hashes;
      if (slice.found) {
        expect(slice.nonce).toBe((searchNonce(bytes, 1n << 249n, 0, 100_000) as { nonce: number }).nonce);
        expect(total).toBe(slice.nonce + 1);
        return;
      }
      nonce = slice.nextNonce;
    }
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => searchNonce(bytes.subarray(1), EASY, 0, 1)).toThrow(new InvalidArgumentError(`headerBytes must be a ${BLOCK_HEADER_BYTES}-byte Uint8Array`));
    expect(() => searchNonce(bytes, 'ff', 0, 1)).toThrow(InvalidArgumentError);
    expect(() => searchNonce(bytes, new Uint8Array(31), 0, 1)).toThrow(/target must be 32 bytes/);
    expect(() => searchNonce(bytes, EASY, -1, 1)).toThrow(/startNonce/);
    expect(() => searchNonce(bytes, EASY, 0, 1.5)).toThrow(/maxHashes/);
  });
});

describe('parseMineRequest', () => {
  const good = { type: 'mine', jobId: 3, headerBytes: bytes, target: targetToHex(EASY), startNonce: 9 };

  it('accepts a job and a stop', () => {
    expect(parseMineRequest(good)).toEqual({ ok: true, request: good });
    expect(parseMineRequest({ type: 'stop' })).toEqual({ ok: true, request: { type: 'stop' } });
  });

  it.each([
    ['null', null, null, /object/],
    ['an unknown type', { type: 'hash' }, null, /unknown request type "hash"/],
    ['no job id', { ...good, jobId: undefined }, null, /jobId/],
    ['a short header', { ...good, headerBytes: bytes.subarray(1) }, 3, /headerBytes/],
    ['a header as an array', { ...good, headerBytes: [...bytes] }, 3, /headerBytes/],
    ['an upper-case target', { ...good, target: good.target.toUpperCase() }, 3, /target/],
    ['a bigint target', { ...good, target: EASY }, 3, /target/],
    ['a negative start', { ...good, startNonce: -1 }, 3, /startNonce/],
  ])('refuses %s with a named error', (_what, data, jobId, detail) => {
    const parsed = parseMineRequest(data);
    expect(parsed).toMatchObject({ type: 'error', jobId, reason: 'malformed-request' });
    expect('detail' in parsed && parsed.detail).toMatch(detail);
  });

  it('never throws, whatever it is sent (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withBigInt: true }), (junk) => {
        const parsed = parseMineRequest(junk);
        if (!('ok' in parsed)) expect(parseMineReply(parsed)).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseMineReply', () => {
  it('accepts well-formed replies and refuses anything else', () => {
    const hash = toHex(new Uint8Array(32));
    for (const reply of [
      { type: 'progress', jobId: 1, hashes: 20_000 },
      { type: 'found', jobId: 1, nonce: 5, hash, hashes: 6 },
      { type: 'error', jobId: null, reason: 'malformed-request', detail: 'x' },
      { type: 'error', jobId: 2, reason: 'nonce-space-exhausted', detail: 'x' },
    ]) {
      expect(parseMineReply(reply)).toEqual(reply);
    }
    for (const junk of [
      null,
      'found',
      { type: 'progress', jobId: 1, hashes: -1 },
      { type: 'found', jobId: 1, nonce: 5, hash: 'abc', hashes: 6 },
      { type: 'found', jobId: 1, nonce: 2 ** 53, hash, hashes: 6 },
      { type: 'error', jobId: 1, reason: 'oops', detail: 'x' },
      { type: 'error', jobId: '1', reason: 'search-failed', detail: 'x' },
      { type: 'done', jobId: 1 },
    ]) {
      expect(parseMineReply(junk)).toBeUndefined();
    }
  });
});
