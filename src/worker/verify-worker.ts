/**
 * Module Web Worker entry for signature verification. The pool starts it with
 * `new Worker(new URL('./verify-worker.ts', import.meta.url), {type: 'module'})`.
 * All logic is in verify-protocol.ts (serveVerifyRequests, handleVerifyRequest);
 * this file only wires it to the worker's message port.
 */
import { createEd25519Verifier } from '../crypto/ed25519.ts';
import { serveVerifyRequests } from './verify-protocol.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
const handle = serveVerifyRequests((reply) => scope.postMessage(reply), 'tabmesh verify worker', () => createEd25519Verifier());
scope.addEventListener('message', (event: MessageEvent<unknown>) => handle(event.data));
