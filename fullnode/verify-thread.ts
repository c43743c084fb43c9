/**
 * worker_threads entry for signature verification: the Node twin of
 * src/worker/verify-worker.ts. All logic is handleVerifyRequest
 * (src/worker/verify-protocol.ts), the tab workers' protocol, so a node and a
 * tab verify with the same code and the same limits; this file only wires it
 * to the thread's parent port. Started by node-verifier.ts via startTsThread.
 */
import { parentPort } from 'node:worker_threads';
import { createEd25519Verifier } from '../src/crypto/ed25519.ts';
import { handleVerifyRequest, type VerifyReply } from '../src/worker/verify-protocol.ts';

const port = parentPort;
if (!port) throw new Error('verify-thread.ts must run in a worker thread (see node-verifier.ts)');

// Detect the backend once per thread; requests that arrive meanwhile wait on
// it. If detection fails, every request gets a 'verify-failed' reply naming
// the error (handleVerifyRequest awaits this promise inside a try).
const verifier = createEd25519Verifier();
verifier.then(
  (ready) => {
    if (ready.fallbackReason) console.warn(`tabmesh verify thread: using noble (${ready.fallbackReason})`);
  },
  (error: unknown) => console.error('tabmesh verify thread: no Ed25519 backend', error),
);

function reply(message: VerifyReply): void {
  try {
    port!.postMessage(message);
  } catch (error) {
    // Replies are plain data, so this should not happen; if it does, the pool
    // still needs an answer for this id or its promise would hang.
    port!.postMessage({ id: message.id, ok: false, reason: 'verify-failed', detail: `could not post reply: ${String(error)}` } satisfies VerifyReply);
  }
}

port.on('message', (data: unknown) => {
  // handleVerifyRequest never rejects, so nothing escapes this listener.
  void handleVerifyRequest(data, verifier).then(reply);
});
