import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeVerifier, testSigner } from '../../test/helpers/test-keys.ts';
import { fromHex, toHex } from './bytes.ts';
import { InvalidArgumentError } from './result.ts';
import { TX_BYTES, decodeTx, encodeTx, signTx, txId, txSigningBytes, txVerifyItem, type Tx } from './tx.ts';

// Golden vectors: secret keys are 0x01 x32 (A) and 0x02 x32 (B); signatures are deterministic (RFC 8032).
const A = '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c';
const B = '8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394';
const GOLDEN = [
  {
    network: 'test',
    tx: { from: A, to: B, amount: 1000, fee: 10, nonce: 0 },
    hex: '01' + A + B + '00000000000003e8' + '000000000000000a' + '0000000000000000' +
      'ea0797b434251da4bb11e8f95443b521a32eda737e678e021166e0f9df5daaf7933193dcc39e3ece4032b5d80a1f10bbb082902bc75e19b9fc30981c1d679707',
    id: '6d4f5f218db7614e2ce0f4f3887dafda945b30c2b5453862de5514625115275c',
  },
  {
    network: 'main',
    tx: { from: A, to: B, amount: Number.MAX_SAFE_INTEGER, fee: 0, nonce: 7 },
    hex: '01' + A + B + '001fffffffffffff' + '0000000000000000' + '0000000000000007' +
      'dc2acbec2af8149e208f3652e45febf86f1da79d98bf7f33ab549b3768191e0f8a542d561a4ca23dafc745009b7d62afd778ebfde4ab85293820b4e1edabc902',
    id: '1ffc72f0790a7c2992938ab08dad2ffc3d4d8502dace45c404c84f8e0246b241',
  },
];

describe('transaction codec', () => {
  it.each(GOLDEN)('matches the golden vector on network $network', async ({ network, tx, hex, id }) => {
    const signer = await testSigner(1);
    expect(signer.peerId).toBe(A);
    const signed = await signTx(network, tx, signer);
    expect(toHex(encodeTx(signed))).toBe(hex);
    expect(txId(signed)).toBe(id);
    // The id is plain SHA-256 of the encoding, checked against Node's own implementation.
    expect(createHash('sha256').update(fromHex(hex)!).digest('hex')).toBe(id);
    expect(decodeTx(fromHex(hex)!)).toEqual({ ok: true, value: signed });
  });

  it('signs over the domain, the network and the body', async () => {
    const bytes = txSigningBytes('test', GOLDEN[0]!.tx);
    expect(new TextDecoder().decode(bytes.subarray(0, 13))).toBe('tabmesh/tx/v1');
    expect(bytes[13]).toBe(4);
    expect(new TextDecoder().decode(bytes.subarray(14, 18))).toBe('test');
    expect(bytes.length).toBe(13 + 1 + 4 + 89);
  });

  it('a signature for one network does not verify on another', async () => {
    const signed = await signTx('test', GOLDEN[0]!.tx, await testSigner(1));
    expect(await nodeVerifier.verify([txVerifyItem('test', signed)])).toEqual([true]);
    expect(await nodeVerifier.verify([txVerifyItem('main', signed)])).toEqual([false]);
  });

  it('round-trips any valid transaction', async () => {
    const signer = await testSigner(3);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.nat(), fc.nat(),
      async (amount, fee, nonce) => {
        const signed = await signTx('test', { from: signer.peerId, to: B, amount, fee, nonce }, signer);
        const decoded = decodeTx(encodeTx(signed));
        expect(decoded).toEqual({ ok: true, value: signed });
      },
    ), { numRuns: 50 });
  });
});

describe('transaction codec rejects malformed input', () => {
  const good = fromHex(GOLDEN[0]!.hex)!;
  const withBytes = (offset: number, hex: string) => {
    const copy = good.slice();
    copy.set(fromHex(hex)!, offset);
    return copy;
  };
  it.each([
    ['empty input', new Uint8Array(0), 'truncated'],
    ['a truncated signature', good.subarray(0, TX_BYTES - 1), 'truncated'],
    ['a trailing byte', new Uint8Array([...good, 0]), 'too-large'],
    ['version 2', withBytes(0, '02'), 'bad-version'],
    ['amount 0', withBytes(65, '0000000000000000'), 'bad-field'],
    ['amount above 2^53-1', withBytes(65, '0020000000000000'), 'bad-field'],
    ['fee above 2^53-1', withBytes(73, 'ffffffffffffffff'), 'bad-field'],
    ['nonce above 2^53-1', withBytes(81, '0020000000000000'), 'bad-field'],
  ])('%s', (_name, bytes, reason) => {
    const result = decodeTx(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('detects a tampered amount through the signature', async () => {
    const decoded = decodeTx(withBytes(65, '00000000000003e9'));
    expect(decoded.ok).toBe(true);
    const [valid] = await nodeVerifier.verify([txVerifyItem('test', (decoded as { value: Tx }).value)]);
    expect(valid).toBe(false);
  });

  it.each([
    ['from', { to: B, amount: 1, fee: 0, nonce: 0, from: 'zz' }],
    ['to', { from: A, amount: 1, fee: 0, nonce: 0, to: A.slice(2) }],
    ['amount', { from: A, to: B, fee: 0, nonce: 0, amount: 0 }],
    ['amount', { from: A, to: B, fee: 0, nonce: 0, amount: 1.5 }],
    ['fee', { from: A, to: B, amount: 1, nonce: 0, fee: -1 }],
    ['nonce', { from: A, to: B, amount: 1, fee: 0, nonce: 2 ** 53 }],
  ])('signing refuses a bad %s with an error naming it', async (field, tx) => {
    await expect(signTx('test', tx, await testSigner(1))).rejects.toThrow(new RegExp(`^${field} `));
    await expect(signTx('test', tx, await testSigner(1))).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
