import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../src/core/address.ts';
import { parseCliArgs } from './cli-args.ts';

const HEX = 'ab'.repeat(32);
const ADDRESS = encodeAddress(HEX);
/** The address with one character changed: its checksum no longer matches. */
const TYPO = `${ADDRESS.slice(0, 20)}${ADDRESS[20] === 'q' ? 'p' : 'q'}${ADDRESS.slice(21)}`;
const ok = (argv: string[]) => {
  const result = parseCliArgs(argv);
  if (!result.ok || result.help) throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options;
};
const error = (argv: string[]) => {
  const result = parseCliArgs(argv);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
};

describe('parseCliArgs', () => {
  it('parses each command', () => {
    expect(ok(['status', '--data', 'd'])).toEqual({ dataDir: 'd', command: { name: 'status' } });
    expect(ok(['--data=d', 'peers'])).toEqual({ dataDir: 'd', command: { name: 'peers' } });
    expect(ok(['tx', HEX, '--data', 'd']).command).toEqual({ name: 'tx', id: HEX });
    expect(ok(['balance', '--data', 'd']).command).toEqual({ name: 'balance' });
    expect(ok(['balance', HEX, '--data', 'd']).command).toEqual({ name: 'balance', account: HEX });
    expect(ok(['send', HEX, '25', '--data', 'd']).command).toEqual({ name: 'send', to: HEX, amount: 25 });
    expect(ok(['send', HEX, '25', '3', '--data', 'd']).command).toEqual({ name: 'send', to: HEX, amount: 25, fee: 3 });
    expect(ok(['mine', '4', '--data', 'd']).command).toEqual({ name: 'mine', blocks: 4 });
  });

  it('takes an account as a tm1 address or hex in either case, and passes on the hex id', () => {
    expect(ok(['send', ADDRESS, '5', '--data', 'd']).command).toEqual({ name: 'send', to: HEX, amount: 5 });
    expect(ok(['send', HEX.toUpperCase(), '5', '--data', 'd']).command).toEqual({ name: 'send', to: HEX, amount: 5 });
    expect(ok(['balance', ADDRESS.toUpperCase(), '--data', 'd']).command).toEqual({ name: 'balance', account: HEX });
  });

  it('takes --rpc-port as an override', () => {
    expect(ok(['status', '--data', 'd', '--rpc-port', '9000']).rpcPort).toBe(9000);
    expect(error(['status', '--data', 'd', '--rpc-port', '0'])).toBe("--rpc-port must be an integer from 1 to 65535, got '0'");
  });

  it('answers --help before checking anything else', () => {
    expect(parseCliArgs(['--help'])).toEqual({ ok: true, help: true });
    expect(parseCliArgs(['send', '-h'])).toEqual({ ok: true, help: true });
  });

  it.each([
    [[], /^no command given/],
    [['--data', 'd'], /^no command given/],
    [['frobnicate', '--data', 'd'], /^unknown command 'frobnicate'/],
    [['status'], /^--data DIR is required$/],
    [['status', 'extra', '--data', 'd'], /^status takes 0 arguments/],
    [['send', HEX, '--data', 'd'], /^send takes 2 to 3 arguments: send TO AMOUNT \[FEE\]$/],
    [['send', TYPO, '5', '--data', 'd'], /^TO must be a tm1 address or 64 hex characters: the checksum does not match/],
    [['balance', HEX.slice(2), '--data', 'd'], /^ACCOUNT must be a tm1 address or 64 hex characters: a hex account id has 64 characters; this has 62/],
    [['send', HEX, '0', '--data', 'd'], /^AMOUNT must be an integer from 1/],
    [['send', HEX, '1e3', '--data', 'd'], /^AMOUNT must be an integer/],
    [['send', HEX, '5', '-1', '--data', 'd'], /^unknown flag -1$/],
    [['send', HEX, '5', '0', '--data', 'd'], /^FEE must be an integer from 1/],
    [['mine', '101', '--data', 'd'], /^N must be an integer from 1 to 100/],
    [['mine', '--data', 'd'], /^mine takes 1 argument: mine N$/],
    [['tx', 'xyz', '--data', 'd'], /^ID must be 64 lower-case hex/],
    [['status', '--data'], /^--data needs a value$/],
    [['status', '--data', 'a', '--data', 'b'], /^--data is given more than once$/],
    [['status', '--verbose', '--data', 'd'], /^unknown flag --verbose$/],
  ])('%j is refused: %s', (argv, message) => {
    expect(error(argv)).toMatch(message);
  });
});
