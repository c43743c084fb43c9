// Entry of every fullnode/ worker thread: registers tsx's loader inside the
// thread, then imports the TypeScript module named in workerData.entry.
// Plain JavaScript because it must load before any TypeScript can. On Node
// 20, `execArgv: ['--import', 'tsx']` does not reach a worker's own entry
// module (it fails with ERR_UNKNOWN_FILE_EXTENSION, checked on 20.20), and
// vitest's process has no tsx at all; registering here works under both.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const entry = workerData?.entry;
if (typeof entry !== 'string' || !entry.startsWith('file:')) {
  throw new TypeError('ts-thread-boot.mjs needs workerData.entry, the file: URL of a TypeScript module');
}
register();
await import(entry);
