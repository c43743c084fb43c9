#!/usr/bin/env -S node --import tsx
/**
 * `npm run node -- --data DIR [options]` (also the `tabmesh-node` bin): a
 * headless full node that joins the tabs' mesh (fullnode/main.ts). Bad flags
 * print one line and exit 2; a start-up failure (another network's data
 * directory, a damaged database or key file, the RPC port taken) prints one
 * line naming the path or port and exits 1. SIGINT/SIGTERM shut it down
 * gracefully and exit 0.
 */
import { closeOnSignals } from '../../signaling/bin/cli.ts';
import { createJsonLogger } from '../../signaling/logger.ts';
import { startFullNode } from '../main.ts';
import { NODE_USAGE, parseNodeFlags } from '../node-flags.ts';

const parsed = parseNodeFlags(process.argv.slice(2));
if (!parsed.ok) {
  console.error(`tabmesh-node: ${parsed.error} (--help for usage)`);
  process.exit(2);
}
if (parsed.help) {
  console.log(NODE_USAGE);
  process.exit(0);
}

const log = createJsonLogger();
const starting = startFullNode(parsed.options, log);
// Handlers go in before the start finishes: a SIGTERM sent as soon as "full node running" is printed
// killed the process by default action 1 run in ~10 on a loaded CI machine (exit by signal, not 0).
closeOnSignals(async () => (await starting).close());
try {
  await starting;
} catch (error) {
  console.error(`tabmesh-node: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
