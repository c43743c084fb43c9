import { describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_URL, DEFAULT_RPC_PORT, NODE_USAGE, parseNodeFlags, type NodeOptions } from './node-flags.ts';

const options = (argv: string[]): NodeOptions => {
  const result = parseNodeFlags(argv);
  if (!result.ok || result.help) throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options;
};
const error = (argv: string[]): string => {
  const result = parseNodeFlags(argv);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
};

describe('parseNodeFlags', () => {
  it('fills the defaults around --data', () => {
    expect(options(['--data', '/var/lib/tabmesh'])).toEqual({
      relayUrl: 'ws://127.0.0.1:8080/signal',
      network: 'main',
      dataDir: '/var/lib/tabmesh',
      mine: false,
      rpcPort: 8645,
      targetLinks: 6,
      iceServers: [],
    });
    expect(DEFAULT_RELAY_URL).toBe('ws://127.0.0.1:8080/signal');
    expect(DEFAULT_RPC_PORT).toBe(8645);
  });

  it('takes every flag', () => {
    const ice = '[{"urls":["stun:127.0.0.1:3478"]},{"urls":"turn:127.0.0.1:3478","username":"u","credential":"p"}]';
    expect(
      options(['--data=d', '--relay', 'wss://relay.example.org/signal', '--net', 'test-1_a', '--mine', '--rpc-port', '0', '--links', '32', '--ice-servers', ice]),
    ).toEqual({
      relayUrl: 'wss://relay.example.org/signal',
      network: 'test-1_a',
      dataDir: 'd',
      mine: true,
      rpcPort: 0,
      targetLinks: 32,
      iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
    });
  });

  it('--help wins, even over a missing --data or a bad flag value', () => {
    expect(parseNodeFlags(['--help'])).toEqual({ ok: true, help: true });
    expect(parseNodeFlags(['--links', '99', '-h'])).toEqual({ ok: true, help: true });
    expect(NODE_USAGE).toMatch(/^usage: tabmesh-node --data DIR/);
    for (const flag of ['--relay', '--net', '--data', '--mine', '--rpc-port', '--links', '--ice-servers', '--help']) expect(NODE_USAGE).toContain(flag);
  });

  it.each([
    [[], '--data DIR is required'],
    [['--data', ''], '--data DIR is required'],
    [['--data'], '--data needs a value'],
    [['--data', '--mine'], '--data needs a value'],
    [['--data', 'd', '--data', 'e'], '--data is given more than once'],
    [['--data', 'd', '--wat'], 'unknown flag --wat'],
    [['--data', 'd', 'stray'], 'unexpected argument stray'],
    [['--data', 'd', '--mine=yes'], '--mine takes no value'],
    [['--data', 'd', '--relay', 'http://127.0.0.1:8080/signal'], "--relay must be a ws:// or wss:// URL, got 'http://127.0.0.1:8080/signal'"],
    [['--data', 'd', '--relay', 'ws://'], "--relay must be a ws:// or wss:// URL, got 'ws://'"],
    [['--data', 'd', '--net', 'no spaces'], "--net 'no spaces' is not a valid network name: use 1-32 letters, digits, - or _"],
    [['--data', 'd', '--net', 'x'.repeat(33)], `--net '${'x'.repeat(33)}' is not a valid network name: use 1-32 letters, digits, - or _`],
    [['--data', 'd', '--net', '-lead'], '--net needs a value'],
    [['--data', 'd', '--rpc-port', '65536'], "--rpc-port must be an integer from 0 to 65535, got '65536'"],
    [['--data', 'd', '--rpc-port', '80a'], "--rpc-port must be an integer from 0 to 65535, got '80a'"],
    [['--data', 'd', '--rpc-port', ''], "--rpc-port must be an integer from 0 to 65535, got ''"],
    [['--data', 'd', '--links', '0'], "--links must be an integer from 1 to 32, got '0'"],
    [['--data', 'd', '--links', '33'], "--links must be an integer from 1 to 32, got '33'"],
    [['--data', 'd', '--links', '6.5'], "--links must be an integer from 1 to 32, got '6.5'"],
  ])('%j -> %s', (argv, message) => {
    expect(error(argv)).toBe(message);
  });

  it.each([
    ['{', /^--ice-servers: not valid JSON/],
    ['{"urls":"stun:x"}', /^--ice-servers: must be a JSON array/],
    ['[{"urls":"http://x"}]', /^--ice-servers: \[0\]\.urls: 'http:\/\/x' is not a stun:, stuns:, turn: or turns: URL$/],
    ['[{"urls":[]}]', /^--ice-servers: \[0\]\.urls must be a URL or a list/],
    ['[{"url":"stun:x"}]', /^--ice-servers: \[0\]\.url is not an RTCIceServer field/],
    ['[{"urls":"stun:x","username":5}]', /^--ice-servers: \[0\]\.username must be a string$/],
    ['[null]', /^--ice-servers: \[0\] must be an object/],
    ['[{"urls":"turn:t:3478","username":"u"}]', /^--ice-servers: \[0\] is a TURN server without username and credential$/],
    [JSON.stringify(Array.from({ length: 9 }, () => ({ urls: 'stun:x' }))), /^--ice-servers: 9 servers, limit 8$/],
  ])('--ice-servers %s is refused', (json, message) => {
    expect(error(['--data', 'd', '--ice-servers', json])).toMatch(message);
  });
});
