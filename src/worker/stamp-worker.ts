/**
 * Module Web Worker entry that mints one identity stamp (stamp-protocol.ts).
 * The page starts it with
 * `new Worker(new URL('./stamp-worker.ts', import.meta.url), {type: 'module'})`
 * when an identity has no stamp yet, so the ~1 M hashes of main's difficulty
 * never block the page.
 */
import { handleStampRequest } from './stamp-protocol.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;

// handleStampRequest never throws for a remote value, so nothing escapes this listener.
scope.addEventListener('message', (event: MessageEvent<unknown>) => scope.postMessage(handleStampRequest(event.data)));
