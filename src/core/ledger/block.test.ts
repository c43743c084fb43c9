import { describe, expect, it } from 'vitest';
import { ByteWriter, fromHex, toHex } from '../bytes.ts';
import { TX_BYTES, encodeTx, type Tx } from '../tx.ts';
import {
  BLOCK_HEADER_BYTES,
  HEADER_NONCE_OFFSET,
  blockHash,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  genesisBlock,
  merkleRoot,
  searchNonce,
} from './block.ts';
import { MAIN_PARAMS, TEST_PARAMS } from './params.ts';
import { hashMeetsTarget } from './pow.ts';
import type { BlockHeader } from './types.ts';

/** Golden vector, cross-checked with Python's hashlib and struct.pack('>...'). */
const HEADER: BlockHeader = {
  version: 1,
  prevHash: '11'.repeat(32),
  height: 0x01020304,
  timeMs: 1_750_000_000_123,
  target: '0f' + 'ff'.repeat(31),
  merkleRoot: '22'.repeat(32),
  nonce: 0x01_02030405,
  miner: '33'.repeat(32),
};
const HEADER_HEX =
  '01' + '11'.repeat(32) + '01020304' + '000001977420dc7b' + '0f' + 'ff'.repeat(31) + '22'.repeat(32) + '0000000102030405' + '33'.repeat(32);
const HEADER_HASH = '2976cf3134bc902ad800fc18ed82871e90b71b0d1275ef616feb1157fa1b9dea';

const tx = (fill: number, nonce = 0): Tx => ({
  from: fill.toString(16).padStart(2, '0').repeat(32),
  to: 'ee'.repeat(32),
  amount: 5,
  fee: 1,
  nonce,
  signature: 'ab'.repeat(64),
});

const limits = { maxBlockTxs: 3, maxBlockBytes: BLOCK_HEADER_BYTES + 4 + 3 * TX_BYTES };

describe('header codec', () => {
  it('encodes the golden vector and hashes it', () => {
    expect(toHex(encodeHeader(HEADER))).toBe(HEADER_HEX);
    expect(encodeHeader(HEADER).length).toBe(149);
    expect(blockHash(HEADER)).toBe(HEADER_HASH);
    expect(HEADER_NONCE_OFFSET).toBe(109);
  });

  it('round-trips', () => {
    expect(decodeHeader(encodeHeader(HEADER))).toEqual({ ok: true, value: HEADER });
  });

  it.each([
    ['bad-version', (b: Uint8Array) => { b[0] = 0; }],
    ['bad-field', (b: Uint8Array) => { b.set(fromHex('0020000000000000')!, 37); }], // timeMs 2^53
    ['bad-field', (b: Uint8Array) => { b.set(fromHex('ffffffffffffffff')!, HEADER_NONCE_OFFSET); }],
    ['bad-target', (b: Uint8Array) => { b.fill(0, 45, 77); }],
  ])('rejects %s', (reason, mutate) => {
    const bytes = encodeHeader(HEADER);
    mutate(bytes);
    expect(decodeHeader(bytes)).toMatchObject({ ok: false, reason });
  });

  it('rejects short and long input', () => {
    const bytes = encodeHeader(HEADER);
    expect(decodeHeader(bytes.slice(0, 148))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeHeader(new Uint8Array(150))).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('refuses to encode a malformed header, naming the field', () => {
    expect(() => encodeHeader({ ...HEADER, prevHash: 'xy' })).toThrow(/prevHash/);
    expect(() => encodeHeader({ ...HEADER, height: 2 ** 32 })).toThrow(/height/);
    expect(() => encodeHeader({ ...HEADER, nonce: -1 })).toThrow(/nonce/);
  });
});

describe('block codec', () => {
  const block = { header: HEADER, txs: [tx(1), tx(2)] };

  it('is header | u32 count | transactions, and round-trips', () => {
    const bytes = encodeBlock(block);
    expect(bytes.length).toBe(149 + 4 + 2 * TX_BYTES);
    expect(toHex(bytes.slice(149, 153))).toBe('00000002');
    expect(bytes.slice(153, 153 + TX_BYTES)).toEqual(encodeTx(tx(1)));
    expect(decodeBlock(bytes, limits)).toEqual({ ok: true, value: block });
  });

  it('checks size before parsing and the count before allocating', () => {
    expect(decodeBlock(new Uint8Array(limits.maxBlockBytes + 1), limits)).toMatchObject({ ok: false, reason: 'too-large' });
    const huge = new ByteWriter().bytes(encodeHeader(HEADER)).u32(0xffff_ffff).finish();
    expect(decodeBlock(huge, limits)).toMatchObject({ ok: false, reason: 'too-many-txs' });
    const lying = new ByteWriter().bytes(encodeHeader(HEADER)).u32(3).bytes(encodeTx(tx(1))).finish();
    expect(decodeBlock(lying, limits)).toMatchObject({ ok: false, reason: 'truncated' });
    const extra = new ByteWriter().bytes(encodeBlock(block)).u8(0).finish();
    expect(decodeBlock(extra, limits)).toMatchObject({ ok: false, reason: 'trailing-bytes' });
    expect(decodeBlock(encodeHeader(HEADER), limits)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('names the transaction that fails to decode', () => {
    const bytes = encodeBlock(block);
    bytes[153 + TX_BYTES] = 9; // second transaction's version
    expect(decodeBlock(bytes, limits)).toMatchObject({ ok: false, reason: 'bad-tx', txIndex: 1 });
  });

  it('passes header rejections through', () => {
    const bytes = encodeBlock(block);
    bytes[0] = 0;
    expect(decodeBlock(bytes, limits)).toMatchObject({ ok: false, reason: 'bad-version' });
  });

  it('accepts every version from 1 to 255: signalling (0x20 | bits) and other top bits alike (BIP9)', () => {
    for (const version of [1, 2, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0xe1, 0xff]) {
      expect(decodeHeader(encodeHeader({ ...HEADER, version }))).toEqual({ ok: true, value: { ...HEADER, version } });
    }
  });
});

describe('merkleRoot', () => {
  const [a, b, c] = ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32)];

  it('is 32 zero bytes for no transactions and the id itself for one', () => {
    expect(merkleRoot([])).toBe('00'.repeat(32));
    expect(merkleRoot([a])).toBe(a);
  });

  it('pairs ids and duplicates the last on odd levels (vector from hashlib)', () => {
    expect(merkleRoot([a, b, c])).toBe('b3a419030971470a7bb3b165e163a11973b3e81aa1dfb29c0769725346a76fbf');
    expect(merkleRoot([a, b, c, c])).toBe(merkleRoot([a, b, c])); // CVE-2012-2459: why duplicate ids are refused
    expect(merkleRoot([b, a])).not.toBe(merkleRoot([a, b]));
  });
});

describe('genesis', () => {
  it('has golden hashes for main and test (cross-checked with hashlib)', () => {
    expect(blockHash(genesisBlock('main').header)).toBe('09acf53922c1b22d14c2403626626eb4058be6df0ae632c9e2bbf86f7641763c');
    expect(blockHash(genesisBlock('test').header)).toBe('604dc04c62f684fd9e481e4c854a200288fa5353475a91ffa4e9b59283b86723');
    expect(genesisBlock('main').header.merkleRoot).toBe('27225313274b20711586b4f4f7d965a405f2a15968385890cdeb6c2bfd104e08');
  });

  it('is fixed per network and distinct across networks', () => {
    expect(genesisBlock('test-a')).toBe(genesisBlock('test-a'));
    expect(blockHash(genesisBlock('test-a').header)).not.toBe(blockHash(genesisBlock('test-b').header));
    const g = genesisBlock('main').header;
    expect(g).toMatchObject({ height: 0, prevHash: '00'.repeat(32), miner: '00'.repeat(32), nonce: 0, timeMs: MAIN_PARAMS.genesisTimeMs });
    expect(BigInt(`0x${g.target}`)).toBe(MAIN_PARAMS.genesisTarget);
    expect(BigInt(`0x${genesisBlock('test').header.target}`)).toBe(TEST_PARAMS.genesisTarget);
  });
});

describe('searchNonce', () => {
  it('finds the first nonce whose hash meets the target', () => {
    const header = { ...HEADER, nonce: 0 };
    const nonce = searchNonce(header)!;
    expect(hashMeetsTarget(blockHash({ ...header, nonce }), header.target)).toBe(true);
    for (let n = 0; n < nonce; n++) expect(hashMeetsTarget(blockHash({ ...header, nonce: n }), header.target)).toBe(false);
  });

  it('writes nonces above 2^32 correctly and gives up after maxTries', () => {
    const start = 2 ** 40 + 5;
    const nonce = searchNonce(HEADER, start)!;
    expect(nonce).toBeGreaterThanOrEqual(start);
    expect(hashMeetsTarget(blockHash({ ...HEADER, nonce }), HEADER.target)).toBe(true);
    expect(searchNonce({ ...HEADER, target: '00'.repeat(31) + '01' }, 0, 50)).toBeUndefined();
  });
});
