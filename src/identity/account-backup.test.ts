import { describe, expect, it } from 'vitest';
import { BACKUP_MAGIC, BACKUP_VERSION, decryptBackup, encryptBackup, parseBackup, PBKDF2_ITERATIONS } from './account-backup.ts';

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const ID = 'ab'.repeat(32);
const INIT = { network: 'main', id: ID, label: 'Savings', createdAt: 1_700_000_000_000 };
const PASS = 'correct horse battery';

/** One file for the whole suite: each encryption costs 600,000 PBKDF2 iterations. */
const file = encryptBackup({ seed: SEED, stamp: 4242 }, PASS, INIT);

/** The file's JSON, as a test edits it. */
interface BackupJson {
  version: number;
  network: string;
  id: string;
  label: string;
  kdf: { name: string; iterations: number };
  cipher: { iv: string };
  ciphertext: string;
}

/** The file with one JSON field changed. */
async function altered(change: (json: BackupJson) => void): Promise<string> {
  const json = JSON.parse(await file) as BackupJson;
  change(json);
  return JSON.stringify(json);
}

describe('account backup', () => {
  it('round-trips the seed and stamp, with the header in the clear and PBKDF2 at 600,000 iterations', async () => {
    const text = await file;
    const header = JSON.parse(text);
    expect(header).toMatchObject({ magic: BACKUP_MAGIC, version: BACKUP_VERSION, network: 'main', id: ID, label: 'Savings', kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000 }, cipher: { name: 'AES-GCM' } });
    expect(PBKDF2_ITERATIONS).toBe(600_000);
    expect(text).not.toContain(Buffer.from(SEED).toString('hex'));
    const opened = await decryptBackup(text, PASS);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect([...opened.value.seed]).toEqual([...SEED]);
    expect(opened.value.stamp).toBe(4242);
    expect(opened.value.header.id).toBe(ID);
  });

  it('refuses a wrong passphrase', async () => {
    expect(await decryptBackup(await file, `${PASS}!`)).toMatchObject({ ok: false, reason: 'wrong-passphrase-or-tampered' });
  });

  it('refuses a flipped ciphertext byte', async () => {
    const text = await altered((json) => {
      const flipped = (parseInt(json.ciphertext.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0');
      json.ciphertext = flipped + json.ciphertext.slice(2);
    });
    expect(await decryptBackup(text, PASS)).toMatchObject({ ok: false, reason: 'wrong-passphrase-or-tampered' });
  });

  it('refuses a changed header field (the header is authenticated)', async () => {
    for (const change of [(json: BackupJson) => (json.id = 'cd'.repeat(32)), (json: BackupJson) => (json.label = 'Spending'), (json: BackupJson) => (json.network = 'other')]) {
      expect(await decryptBackup(await altered(change), PASS)).toMatchObject({ ok: false, reason: 'wrong-passphrase-or-tampered' });
    }
  });

  it('refuses an unsupported version, a weak or excessive work factor, and what is not a backup', async () => {
    expect(parseBackup(await altered((json) => (json.version = 2)))).toMatchObject({ ok: false, reason: 'unsupported-version' });
    expect(parseBackup(await altered((json) => (json.kdf.name = 'scrypt')))).toMatchObject({ ok: false, reason: 'unsupported-version' });
    expect(parseBackup(await altered((json) => (json.kdf.iterations = 1_000)))).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup(await altered((json) => (json.kdf.iterations = 1e9)))).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup(await altered((json) => (json.cipher.iv = 'zz')))).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup('{"magic":"something-else"}')).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup('not json')).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup('x'.repeat(10_000))).toMatchObject({ ok: false, reason: 'not-a-backup' });
    expect(parseBackup(42)).toMatchObject({ ok: false, reason: 'not-a-backup' });
  });

  it('uses a fresh salt and iv for every file', async () => {
    const again = JSON.parse(await encryptBackup({ seed: SEED, stamp: undefined }, PASS, INIT));
    const first = JSON.parse(await file);
    expect(again.kdf.salt).not.toBe(first.kdf.salt);
    expect(again.cipher.iv).not.toBe(first.cipher.iv);
    const opened = await decryptBackup(JSON.stringify(again), PASS);
    expect(opened.ok && opened.value.stamp).toBeUndefined();
  });
});
