/**
 * tabmesh-cli's command line, parsed into a command or a one-line usage
 * error. Pure, so every rule is unit-tested; cli-run.ts does the I/O. The
 * argument rules are the server's own (rpc-fields.ts), so a bad amount or
 * id is a usage error (exit 2) before any connection is made.
 */
import { MAX_MINE_BLOCKS } from './rpc-api.ts';
import { checkAccount, checkHexId } from './rpc-fields.ts';
import { parseFlags, parseIntegerIn } from './parse-flags.ts';

export type CliCommand =
  | { name: 'status' }
  | { name: 'peers' }
  | { name: 'tx'; id: string }
  /** No account: the node's own (its id, from /status). */
  | { name: 'balance'; account?: string }
  | { name: 'send'; to: string; amount: number; fee?: number }
  | { name: 'mine'; blocks: number };

export interface CliOptions {
  dataDir: string;
  /** Overrides the port recorded in DIR/.cookie. */
  rpcPort?: number;
  command: CliCommand;
}

export type CliArgsResult = { ok: true; help: true } | { ok: true; help: false; options: CliOptions } | { ok: false; error: string };

export const CLI_USAGE = `usage: tabmesh-cli COMMAND --data DIR [--rpc-port N]
commands:
  status                  the node's id, network, tip, peer and mempool counts
  peers                   the linked peers
  tx ID                   a transaction's status
  balance [ACCOUNT]       an account's balance (default: the node's own)
  send TO AMOUNT [FEE]    send AMOUNT to account TO; prints the transaction id
                          (ACCOUNT and TO: a tm1 address, or the 64-hex id)
  mine N                  mine N blocks (1-${MAX_MINE_BLOCKS}); prints their hashes
options:
  --data DIR              the node's data directory (its .cookie holds the RPC port and token)
  --rpc-port N            talk to this port instead of the one in DIR/.cookie
exit status: 0 done, 1 the node refused or is not running, 2 bad usage`;

const FLAGS = {
  data: { type: 'string' },
  'rpc-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ARITY: Record<CliCommand['name'], [min: number, max: number, shape: string]> = {
  status: [0, 0, 'status'],
  peers: [0, 0, 'peers'],
  tx: [1, 1, 'tx ID'],
  balance: [0, 1, 'balance [ACCOUNT]'],
  send: [2, 3, 'send TO AMOUNT [FEE]'],
  mine: [1, 1, 'mine N'],
};

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseCommand(name: CliCommand['name'], args: string[]): Parsed<CliCommand> {
  const hex = (what: string, value: string): Parsed<string> => {
    const error = checkHexId(what, value);
    return error ? { ok: false, error } : { ok: true, value };
  };
  switch (name) {
    case 'status':
    case 'peers':
      return { ok: true, value: { name } };
    case 'tx': {
      const id = hex('ID', args[0]!);
      return id.ok ? { ok: true, value: { name, id: id.value } } : id;
    }
    case 'balance': {
      if (args[0] === undefined) return { ok: true, value: { name } };
      const account = checkAccount('ACCOUNT', args[0]);
      return account.ok ? { ok: true, value: { name, account: account.value } } : account;
    }
    case 'send': {
      const to = checkAccount('TO', args[0]!);
      if (!to.ok) return to;
      const amount = parseIntegerIn('AMOUNT', args[1]!, 1, Number.MAX_SAFE_INTEGER);
      if (!amount.ok) return amount;
      if (args[2] === undefined) return { ok: true, value: { name, to: to.value, amount: amount.value } };
      const fee = parseIntegerIn('FEE', args[2], 1, Number.MAX_SAFE_INTEGER);
      return fee.ok ? { ok: true, value: { name, to: to.value, amount: amount.value, fee: fee.value } } : fee;
    }
    case 'mine': {
      const blocks = parseIntegerIn('N', args[0]!, 1, MAX_MINE_BLOCKS);
      return blocks.ok ? { ok: true, value: { name, blocks: blocks.value } } : blocks;
    }
  }
}

/** Parses tabmesh-cli's arguments (without the node and script paths). */
export function parseCliArgs(argv: readonly string[]): CliArgsResult {
  const parsed = parseFlags(argv, FLAGS, { positionals: true });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed;
  if (values.help) return { ok: true, help: true };
  const [name, ...args] = positionals;
  if (name === undefined) return { ok: false, error: 'no command given (status, peers, tx, balance, send or mine)' };
  if (!Object.hasOwn(ARITY, name)) return { ok: false, error: `unknown command '${name}' (status, peers, tx, balance, send or mine)` };
  const command = name as CliCommand['name'];
  const [min, max, shape] = ARITY[command];
  if (args.length < min || args.length > max) return { ok: false, error: `${command} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}: ${shape}` };
  const parsedCommand = parseCommand(command, args);
  if (!parsedCommand.ok) return parsedCommand;
  if (values.data === undefined || values.data === '') return { ok: false, error: '--data DIR is required' };
  const port = values['rpc-port'] === undefined ? undefined : parseIntegerIn('--rpc-port', values['rpc-port'], 1, 65535);
  if (port && !port.ok) return port;
  return { ok: true, help: false, options: { dataDir: values.data, ...(port ? { rpcPort: port.value } : {}), command: parsedCommand.value } };
}
