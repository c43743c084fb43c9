import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../src/core/bytes.ts';
import { checkIdentityStamp, mintIdentityStamp } from '../src/core/identity-stamp.ts';
import { createEd25519Verifier, nobleKeypair } from '../src/crypto/ed25519.ts';
import { encodeKeyFile, parseKeyFile } from './key-file-format.ts';
import { KeyFileError, loadOrCreateIdentity } from './key-file.ts';
import { mintIdentityStampNative } from './key-file-stamp.ts';

const posix = process.platform !== 'win32';
/** Stamps at the test networks' 8 bits: main's 20 would cost a second or more per test. */
const FAST = { stampBits: 8 };
let dir: string;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'tabmesh-key-')), 'data');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('loadOrCreateIdentity', () => {
  it('creates the key on first start and keeps the same id across loads', async () => {
    const first = await loadOrCreateIdentity(dir, FAST);
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dir, 'identity.key'));
    expect(first.signer.peerId).toMatch(/^[0-9a-f]{64}$/);
    const second = await loadOrCreateIdentity(dir, FAST);
    expect(second.created).toBe(false);
    expect(second.signer.peerId).toBe(first.signer.peerId);
    // No temporary file is left beside the key.
    expect(await readdir(dir)).toEqual(['identity.key']);
  });

  it.runIf(posix)('writes the key with mode 0600 in a 0700 directory', async () => {
    const { path } = await loadOrCreateIdentity(dir, FAST);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('signs with WebCrypto, and the signature verifies under the id', async () => {
    const { signer, backend } = await loadOrCreateIdentity(dir, FAST);
    expect(backend).toBe('webcrypto'); // Node 20 has WebCrypto Ed25519
    const message = utf8('tabmesh/test/v1 hello');
    const signature = await signer.sign(message);
    const verifier = await createEd25519Verifier({ prefer: 'noble' });
    const publicKey = fromHex(signer.peerId)!;
    expect(await verifier.verify({ publicKey, message, signature })).toBe(true);
    expect(await verifier.verify({ publicKey, message: utf8('tabmesh/test/v1 other'), signature })).toBe(false);
  });

  it('falls back to noble without WebCrypto, with the same id and signatures', async () => {
    const web = await loadOrCreateIdentity(dir, FAST);
    const noble = await loadOrCreateIdentity(dir, { ...FAST, subtle: null });
    expect(noble.backend).toBe('noble');
    expect(noble.fallbackReason).toMatch(/not available/);
    expect(noble.signer.peerId).toBe(web.signer.peerId);
    const message = utf8('deterministic');
    // RFC 8032 signatures are deterministic, so both backends give the same bytes.
    expect(await noble.signer.sign(message)).toEqual(await web.signer.sign(message));
  });

  it('refuses a tampered file, naming the path', async () => {
    const { path } = await loadOrCreateIdentity(dir, FAST);
    const text = await readFile(path, 'utf8');
    const record = JSON.parse(text) as { seed: string };
    const flipped = (record.seed[0] === 'a' ? 'b' : 'a') + record.seed.slice(1);
    await writeFile(path, text.replace(record.seed, flipped));
    const error = await loadOrCreateIdentity(dir, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyFileError);
    expect((error as KeyFileError).message).toContain(path);
    expect((error as KeyFileError).message).toMatch(/does not derive its publicKey/);
  });

  it.each([
    ['garbage', 'not a key at all', /not JSON/],
    ['a short seed', JSON.stringify({ format: 'tabmesh-identity', version: 1, seed: 'ab', publicKey: 'cd' }), /bad seed/],
    ['another version', JSON.stringify({ format: 'tabmesh-identity', version: 2 }), /version 2/],
    ['another format', JSON.stringify({ hello: 1 }), /not a tabmesh identity file/],
  ])('refuses %s, naming the path', async (_name, content, reason) => {
    await loadOrCreateIdentity(dir, FAST);
    const path = join(dir, 'identity.key');
    await writeFile(path, content);
    await expect(loadOrCreateIdentity(dir, FAST)).rejects.toThrow(reason);
    await expect(loadOrCreateIdentity(dir, FAST)).rejects.toThrow(path);
  });

  it('refuses an oversized file before reading it', async () => {
    await loadOrCreateIdentity(dir, FAST);
    await writeFile(join(dir, 'identity.key'), 'x'.repeat(5000));
    await expect(loadOrCreateIdentity(dir, FAST)).rejects.toThrow(/5000 bytes/);
  });

  it.runIf(posix)('refuses a key file other users can read', async () => {
    const { path } = await loadOrCreateIdentity(dir, FAST);
    await chmod(path, 0o644);
    await expect(loadOrCreateIdentity(dir, FAST)).rejects.toThrow(`${path} is accessible to other users (mode 0644)`);
  });

  it('two concurrent first starts end with one identity', async () => {
    const [a, b] = await Promise.all([loadOrCreateIdentity(dir, FAST), loadOrCreateIdentity(dir, FAST)]);
    expect(a.signer.peerId).toBe(b.signer.peerId);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });
});

describe('identity stamps in the key file', () => {
  it('mints the stamp with the key, stores it, and reads it back without minting again', async () => {
    const first = await loadOrCreateIdentity(dir, FAST);
    expect(first.stampMinted).toBe(true);
    expect(checkIdentityStamp(first.signer.peerId, first.signer.identityStamp, 8).ok).toBe(true);
    expect(JSON.parse(await readFile(first.path, 'utf8'))).toMatchObject({ identityStamp: first.signer.identityStamp });
    const second = await loadOrCreateIdentity(dir, FAST);
    expect(second.stampMinted).toBe(false);
    expect(second.signer.identityStamp).toBe(first.signer.identityStamp);
  });

  it.runIf(posix)('gives a key file from before stamps one, rewriting it privately with the same key', async () => {
    const { secretKey, publicKey } = nobleKeypair();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'identity.key');
    await writeFile(path, encodeKeyFile(secretKey), { mode: 0o600 });
    const loaded = await loadOrCreateIdentity(dir, FAST);
    expect(loaded.created).toBe(false);
    expect(loaded.stampMinted).toBe(true);
    expect(loaded.signer.peerId).toBe(toHex(publicKey));
    const parsed = parseKeyFile(await readFile(path, 'utf8'));
    expect(parsed.ok && parsed.value.identityStamp).toBe(loaded.signer.identityStamp);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['identity.key']);
  });

  it('mints again when the stored stamp falls short of the work asked', async () => {
    const easy = await loadOrCreateIdentity(dir, { stampBits: 1 });
    const hard = await loadOrCreateIdentity(dir, { stampBits: 12 });
    expect(checkIdentityStamp(hard.signer.peerId, hard.signer.identityStamp, 12).ok).toBe(true);
    // Minted again exactly when the 1-bit stamp (met by half of all nonces) falls short of 12 bits.
    expect(hard.stampMinted).toBe(!checkIdentityStamp(easy.signer.peerId, easy.signer.identityStamp, 12).ok);
  });

  it('refuses a file whose stamp is not a nonce, naming the field', async () => {
    const { path } = await loadOrCreateIdentity(dir, FAST);
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...record, identityStamp: -1 }));
    await expect(loadOrCreateIdentity(dir, FAST)).rejects.toThrow(/bad identityStamp/);
  });

  it('mints natively the stamp the core mints: the least nonce that meets the bits', () => {
    for (const seedByte of [1, 2, 3]) {
      const { publicKey } = nobleKeypair(new Uint8Array(32).fill(seedByte));
      expect(mintIdentityStampNative(publicKey, 12)).toBe(mintIdentityStamp(publicKey, 12));
    }
  });
});

describe('key file format', () => {
  it('round-trips a seed and derives the RFC 8032 public key', () => {
    // RFC 8032 section 7.1, TEST 1.
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')!;
    const text = encodeKeyFile(seed);
    expect(text.endsWith('\n')).toBe(true);
    const parsed = parseKeyFile(text);
    expect(parsed.ok && parsed.value.publicKey).toEqual(fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
    expect(parsed.ok && parsed.value.seed).toEqual(seed);
  });

  it('does not quote the secret in its errors', () => {
    const { secretKey } = nobleKeypair();
    const text = encodeKeyFile(secretKey).replace('"version":1', '"version":"1"');
    const parsed = parseKeyFile(text);
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toContain(Buffer.from(secretKey).toString('hex'));
  });
});
