/**
 * tabmesh-cli's behaviour: parse, connect through DIR/.cookie, make one
 * call, print its JSON result. Returns the exit status instead of exiting,
 * and writes through the given io, so tests can run it in-process and the
 * bin stays one line.
 *
 *   0  the call succeeded; its result is on stdout as JSON
 *   1  the node refused the call, or is not running (no cookie, connection refused)
 *   2  bad usage
 */
import { CLI_USAGE, parseCliArgs, type CliCommand } from './cli-args.ts';
import { connectRpc, NodeNotRunningError, RpcCallError, type RpcClient } from './rpc-client.ts';

/** Where output goes: one call per line, without the newline. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

async function perform(client: RpcClient, command: CliCommand): Promise<unknown> {
  switch (command.name) {
    case 'status':
      return client.status();
    case 'peers':
      return client.peers();
    case 'tx':
      return client.tx(command.id);
    case 'balance':
      return client.balance(command.account ?? (await client.status()).id);
    case 'send':
      return client.send(command.to, command.amount, command.fee);
    case 'mine':
      return client.mine(command.blocks);
  }
}

/** Runs one tabmesh-cli invocation; resolves to its exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    io.stderr(`tabmesh-cli: ${parsed.error} (tabmesh-cli --help for usage)`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(CLI_USAGE);
    return 0;
  }
  const { dataDir, rpcPort, command } = parsed.options;
  try {
    const client = await connectRpc(dataDir, rpcPort === undefined ? {} : { port: rpcPort });
    io.stdout(JSON.stringify(await perform(client, command), null, 2));
    return 0;
  } catch (error) {
    if (error instanceof NodeNotRunningError) io.stderr(`tabmesh-cli: the node is not running: ${error.message}`);
    else if (error instanceof RpcCallError) io.stderr(`tabmesh-cli: ${error.message} (HTTP ${error.status}${error.reason ? `, ${error.reason}` : ''})`);
    else io.stderr(`tabmesh-cli: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
