/**
 * The clear part of an account backup file (identity/account-backup.ts
 * parseBackup): a file a user picks, so anything. Decryption is left out:
 * each attempt costs 600,000 PBKDF2 iterations, and AES-GCM's tag already
 * refuses every byte it did not seal.
 */
import * as fc from 'fast-check';
import { toHex } from '../../core/bytes.ts';
import { BACKUP_MAGIC, BACKUP_VERSION, PBKDF2_ITERATIONS, parseBackup } from '../../identity/account-backup.ts';
import { checkResult, invariant, type FuzzTarget } from '../fuzz-target.ts';
import { hexOf, untrustedJson } from '../untrusted-json.ts';

const backup = fc.record({
  magic: fc.constant(BACKUP_MAGIC),
  version: fc.constant(BACKUP_VERSION),
  network: fc.constantFrom('main', 'test-1'),
  id: hexOf(32),
  label: fc.string({ maxLength: 64 }),
  createdAt: fc.maxSafeNat(),
  kdf: fc.record({ name: fc.constant('PBKDF2'), hash: fc.constant('SHA-256'), iterations: fc.integer({ min: PBKDF2_ITERATIONS, max: 10 * PBKDF2_ITERATIONS }), salt: hexOf(16) }),
  cipher: fc.record({ name: fc.constant('AES-GCM'), iv: hexOf(12) }),
  ciphertext: fc.uint8Array({ minLength: 1, maxLength: 80 }).map(toHex),
});

export const accountBackupTarget: FuzzTarget<string> = {
  name: 'account-backup',
  decoders: ['identity/account-backup.ts parseBackup'],
  arbitrary: untrustedJson(backup, ['kdf', 'cipher']),
  check: (text) => {
    const parsed = parseBackup(text);
    if (!checkResult(parsed, 'parseBackup') || !parsed.ok) return 'rejected';
    const { header, ciphertext } = parsed.value;
    // What was accepted is what a re-export would write: the header's fields and the ciphertext, unchanged.
    const again = parseBackup(JSON.stringify({ ...header, ciphertext: toHex(ciphertext) }));
    invariant(again.ok && JSON.stringify(again.value.header) === JSON.stringify(header) && toHex(again.value.ciphertext) === toHex(ciphertext), 'parseBackup: an accepted backup does not read back the same');
    return 'accepted';
  },
};
