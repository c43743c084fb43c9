/**
 * Module Web Worker entry for signature verification. The pool starts it with
 * `new Worker(new URL('./verify-worker.ts', import.meta.url), {type: 'module'})`.
 * All logic is in verify-protocol.ts (handleVerifyRequest); this file only
 * wires it to the worker's message port.
 */
import { createEd25519Verifier } from '../crypto/ed25519.ts';
import { handleVerifyRequest, type VerifyReply } from './verify-protocol.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;

// Detect the backend once per worker; requests that arrive meanwhile wait on
// it. If detection itself fails, every request gets a 'verify-failed' reply
// naming the error (handleVerifyRequest awaits this promise in a try).
const verifier = createEd25519Verifier();
verifier.then(
  (ready) => {
    if (ready.fallbackReason) console.warn(`tabmesh verify worker: using noble (${ready.fallbackReason})`);
  },
  (error: unknown) => console.error('tabmesh verify worker: no Ed25519 backend', error),
);

function reply(message: VerifyReply): void {
  try {
    scope.postMessage(message);
  } catch (error) {
    // Replies are plain data, so this should not happen; if it does, the pool
    // still needs an answer for this id or its promise would hang.
    scope.postMessage({ id: message.id, ok: false, reason: 'verify-failed', detail: `could not post reply: ${String(error)}` } satisfies VerifyReply);
  }
}

scope.addEventListener('message', (event: MessageEvent<unknown>) => {
  // handleVerifyRequest never rejects, so nothing escapes this listener.
  void handleVerifyRequest(event.data, verifier).then(reply);
});
