/**
 * worker_threads entry for signature verification: the Node twin of
 * src/worker/verify-worker.ts. All logic is the tab workers' own
 * (serveVerifyRequests and handleVerifyRequest in
 * src/worker/verify-protocol.ts), so a node and a tab verify with the same
 * code and the same limits; this file only wires it to the thread's parent
 * port. Started by node-verifier.ts via startTsThread.
 */
import { parentPort } from 'node:worker_threads';
import { createEd25519Verifier } from '../src/crypto/ed25519.ts';
import { serveVerifyRequests } from '../src/worker/verify-protocol.ts';

const port = parentPort;
if (!port) throw new Error('verify-thread.ts must run in a worker thread (see node-verifier.ts)');
const handle = serveVerifyRequests((reply) => port.postMessage(reply), 'tabmesh verify thread', () => createEd25519Verifier());
port.on('message', handle);
