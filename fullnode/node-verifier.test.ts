import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../src/core/bytes.ts';
import type { VerifyItem } from '../src/core/types.ts';
import { nobleKeypair, nobleSign } from '../src/crypto/ed25519.ts';
import { VerifierClosedError } from '../src/worker/verifier-pool.ts';
import { createNodeVerifierPool, type NodeVerifierPool } from './node-verifier.ts';

function signedItem(text: string): VerifyItem {
  const { secretKey, publicKey } = nobleKeypair();
  const message = utf8(text);
  return { publicKey, message, signature: nobleSign(secretKey, message) };
}

let pool: NodeVerifierPool | undefined;
afterEach(async () => {
  pool?.close();
  await pool?.closed();
  pool = undefined;
});

describe('createNodeVerifierPool', () => {
  it('verifies valid and invalid signatures in real threads and reports the backend', async () => {
    pool = createNodeVerifierPool({ size: 2 });
    const good = signedItem('tabmesh/test/v1 a');
    const other = signedItem('tabmesh/test/v1 b');
    const badSignature = { ...good, signature: good.signature.map((byte, i) => (i === 0 ? byte ^ 1 : byte)) };
    const wrongKey = { ...good, publicKey: other.publicKey };
    const wrongMessage = { ...good, message: utf8('tabmesh/test/v1 c') };
    expect(await pool.verify([good, badSignature, other, wrongKey, wrongMessage])).toEqual([true, false, true, false, false]);
    expect(await pool.backend()).toBe('webcrypto');
    expect(pool.stats().itemsVerified).toBe(5);
    expect(pool.liveThreads()).toBeGreaterThanOrEqual(1);
  });

  it('splits a large batch over both threads and keeps the order', async () => {
    pool = createNodeVerifierPool({ size: 2 });
    const items = Array.from({ length: 300 }, (_, i) => signedItem(`item ${i}`));
    items[17] = { ...items[17]!, message: utf8('forged') };
    const results = await pool.verify(items);
    expect(results.filter((ok) => !ok)).toHaveLength(1);
    expect(results[17]).toBe(false);
    expect(pool.liveThreads()).toBe(2);
  });

  it('close() terminates the threads and refuses later calls', async () => {
    pool = createNodeVerifierPool({ size: 2 });
    await pool.verify(Array.from({ length: 64 }, (_, i) => signedItem(`x${i}`)));
    expect(pool.liveThreads()).toBe(2);
    pool.close();
    await pool.closed();
    expect(pool.liveThreads()).toBe(0);
    await expect(pool.verify([signedItem('late')])).rejects.toBeInstanceOf(VerifierClosedError);
  });
});

describe('process lifetime', () => {
  // A child process that uses the pool and ends its script without close():
  // it must exit by itself once idle. It prints the verdicts, so a pool that
  // never answered fails the test as surely as one that hangs.
  it('an idle pool does not keep the process alive, with or without close()', async () => {
    const moduleUrl = new URL('./node-verifier.ts', import.meta.url).href;
    const script = (close: boolean) => `
      import { createNodeVerifierPool } from ${JSON.stringify(moduleUrl)};
      import { nobleKeypair, nobleSign } from ${JSON.stringify(new URL('../src/crypto/ed25519.ts', import.meta.url).href)};
      const { secretKey, publicKey } = nobleKeypair();
      const message = new Uint8Array([1, 2, 3]);
      const pool = createNodeVerifierPool({ size: 1 });
      const results = await pool.verify([{ publicKey, message, signature: nobleSign(secretKey, message) }, { publicKey, message: new Uint8Array([9]), signature: nobleSign(secretKey, message) }]);
      console.log(JSON.stringify(results));
      ${close ? 'pool.close();' : ''}
    `;
    const run = (close: boolean) =>
      new Promise<{ code: number | null; out: string; ms: number }>((resolve, reject) => {
        const started = Date.now();
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(close)], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const timer = setTimeout(() => {
          child.kill();
          reject(new Error(`child still running after 10 s: ${out}`));
        }, 10_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, out, ms: Date.now() - started });
        });
      });
    for (const close of [false, true]) {
      const { code, out } = await run(close);
      expect(out.trim()).toBe('[true,false]');
      expect(code).toBe(0);
    }
  });
});
