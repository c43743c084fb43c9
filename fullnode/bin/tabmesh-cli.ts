#!/usr/bin/env -S node --import tsx
/**
 * `tabmesh-cli COMMAND --data DIR`: talks to a running tabmesh-node over its
 * RPC (fullnode/cli-run.ts has the behaviour, cli-args.ts the usage).
 * Run with `node --import tsx fullnode/bin/tabmesh-cli.ts status --data DIR`.
 */
import { runCli } from '../cli-run.ts';

// exitCode rather than exit(): stdout may still be draining into a pipe.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
