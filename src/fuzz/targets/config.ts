/**
 * Configuration read from outside: a tab's URL parameters and its
 * /config.json (app/config.ts, app/ice-config.ts); the full node's and CLI's
 * flags, key file, RPC cookie and --ice-servers JSON (fullnode/); the relay's
 * ICE settings from its environment (signaling/ice-servers.ts). Each either
 * returns a result naming the problem or throws its own named error
 * (ConfigError, IceConfigError), and what it accepts is within its limits.
 */
import * as fc from 'fast-check';
import { ConfigError, MAX_DEPLOYMENTS_FROM, MAX_RELAYS, readConfig } from '../../app/config.ts';
import { MAX_ICE_SERVERS, parseIceConfig, readIceOverride } from '../../app/ice-config.ts';
import { isValidNetworkName } from '../../core/network.ts';
import { MAX_TARGET_LINKS } from '../../net/mesh-maintainer.ts';
import { parseCliArgs } from '../../../fullnode/cli-args.ts';
import { parseIceServers } from '../../../fullnode/ice-servers.ts';
import { encodeKeyFile, parseKeyFile } from '../../../fullnode/key-file-format.ts';
import { parseNodeFlags } from '../../../fullnode/node-flags.ts';
import { parseCookie } from '../../../fullnode/rpc-cookie.ts';
import { IceConfigError, MAX_URLS_PER_KIND, parseIceSettings, type RawIceSettings } from '../../../signaling/ice-servers.ts';
import { checkResult, expectNamedThrow, invariant, outcome, type FuzzTarget } from '../fuzz-target.ts';
import { mutatedText } from '../mutate.ts';
import { hexOf, untrustedJson, untrustedJsonList } from '../untrusted-json.ts';

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const PARAM_VALUES: Record<string, fc.Arbitrary<string>> = {
  net: fc.constantFrom('main', 'test-1', 'a_b', ''),
  relay: fc.array(fc.constantFrom('ws://localhost:8080/signal', 'wss://relay.example/signal', 'http://x', 'ws://', ' ws://a '), { minLength: 1, maxLength: 10 }).map((urls) => urls.join(',')),
  ice: fc.constantFrom('relay', 'all', 'none'),
  links: fc.constantFrom('1', '6', '32', '33', '0', '-1', '1e1', '6.5', ''),
  'deployments-from': fc.constantFrom('0', '16', '1000000', '1000001', '-1', '1.5', ''),
  stun: fc.constantFrom('stun:localhost:3478', 'stun:a:1,stun:b:2', 'turn:x:1', ''),
  turn: fc.constantFrom('turn:localhost:3478', 'turns:a:5349?transport=tcp', 'stun:x:1', ''),
  'turn-user': anyText,
  'turn-pass': anyText,
};
const param = fc.oneof(
  fc.constantFrom(...Object.keys(PARAM_VALUES)).chain((key) => fc.tuple(fc.constant(key), fc.oneof({ arbitrary: PARAM_VALUES[key]!, weight: 3 }, { arbitrary: anyText, weight: 1 }))),
  fc.tuple(anyText, anyText),
);
const search = fc.array(param, { maxLength: 6 }).map((params) => `?${new URLSearchParams(params).toString()}`);

const iceServer = fc.record({
  urls: fc.oneof(fc.constantFrom('stun:localhost:3478', 'turn:localhost:3478'), fc.array(fc.constantFrom('stun:a:1', 'turns:b:5349', 'turn:c:3478?transport=udp'), { maxLength: 9 })),
  username: fc.string({ maxLength: 20 }),
  credential: fc.string({ maxLength: 20 }),
}, { requiredKeys: ['urls'] });

interface PageConfigInput {
  search: string;
  configJson: string;
}

const isConfigError = (error: unknown) => error instanceof ConfigError;

export const pageConfigTarget: FuzzTarget<PageConfigInput> = {
  name: 'page-config',
  decoders: ['app/config.ts readConfig (?net ?relay ?ice ?links ?deployments-from)', 'app/ice-config.ts readIceOverride (?stun ?turn), parseIceConfig (/config.json)'],
  arbitrary: fc.record({
    search: fc.oneof({ arbitrary: search, weight: 4 }, { arbitrary: mutatedText(search), weight: 2 }, { arbitrary: anyText, weight: 1 }),
    configJson: fc.oneof(untrustedJson(fc.array(iceServer, { maxLength: 4 }).map((iceServers) => ({ iceServers })), ['iceServers']), untrustedJsonList(untrustedJson(iceServer)).map((list) => `{"iceServers":${list}}`)),
  }),
  check: ({ search: text, configJson }) => {
    const config = expectNamedThrow(() => readConfig({ search: text, protocol: 'https:', host: 'tabmesh.example' }), isConfigError, 'readConfig');
    if (config) {
      invariant(isValidNetworkName(config.network), `readConfig accepted network ${JSON.stringify(config.network)}`);
      invariant(config.relayUrls.length >= 1 && config.relayUrls.length <= MAX_RELAYS && config.relayUrls.every((url) => /^wss?:\/\//.test(url) && URL.canParse(url)), 'readConfig accepted a bad relay list');
      invariant(Number.isInteger(config.targetLinks) && config.targetLinks >= 1 && config.targetLinks <= MAX_TARGET_LINKS, `readConfig accepted links=${config.targetLinks}`);
      const from = config.deploymentsFromHeight;
      invariant(from === undefined || (config.network.startsWith('test') && Number.isInteger(from) && from >= 0 && from <= MAX_DEPLOYMENTS_FROM), `readConfig accepted deployments-from=${from} on ${config.network}`);
    }
    const override = expectNamedThrow(() => readIceOverride(text), isConfigError, 'readIceOverride');
    for (const server of [...(override?.stun ?? []), ...(override?.turn ?? [])]) {
      invariant(Array.isArray(server.urls) && server.urls.length <= 8, 'readIceOverride accepted too many URLs');
    }
    const ice = parseIceConfig(configJson);
    if (checkResult({ ok: ice.ok, ...(ice.ok ? {} : { reason: 'ice-config', detail: ice.detail }) }, 'parseIceConfig') && ice.ok) {
      invariant(ice.value.length <= MAX_ICE_SERVERS, `parseIceConfig accepted ${ice.value.length} servers`);
    }
    return outcome(config !== undefined);
  },
};

const FLAG_TOKENS = ['--relay', '--net', '--data', '--mine', '--rpc-port', '--links', '--ice-servers', '--help', '-h', '--', '--relay=ws://localhost:1/signal',
  '--data=/tmp/x', '--net=main', '--links=6', '--rpc-port=8545', '-x', '--unknown', '=', '--mine=yes'];
const CLI_WORDS = ['status', 'peers', 'tx', 'balance', 'send', 'mine', 'ab'.repeat(32), '1', '0', '10', '9007199254740993', '-1', '1e3'];
const argv = fc.array(fc.oneof(fc.constantFrom(...FLAG_TOKENS, ...CLI_WORDS), anyText), { maxLength: 8 });

/** A key file for seed `i`, with and without its stamp: parseKeyFile derives the public key, so only real ones reach the end. */
const keyFile = fc.record({ seed: fc.uint8Array({ minLength: 32, maxLength: 32 }), stamp: fc.option(fc.maxSafeNat(), { nil: undefined }) })
  .map(({ seed, stamp }) => JSON.parse(encodeKeyFile(seed, stamp)) as Record<string, unknown>);
const cookie = fc.record({ version: fc.constant(1), host: fc.constant('127.0.0.1'), port: fc.integer({ min: 0, max: 70_000 }), token: hexOf(32) });
const rawSetting = (values: string[]) => fc.option(fc.record({ name: fc.constant('TABMESH_X'), value: fc.oneof(fc.constantFrom(...values), anyText) }), { nil: undefined });
const iceEnv = fc.record({
  stun: rawSetting(['stun:localhost:3478', 'stun:a:1,stun:b:99999', 'stuns:[::1]:5349', Array(9).fill('stun:a:1').map((url, i) => `${url}${i}`).join(',')]),
  turn: rawSetting(['turn:localhost:3478', 'turns:a:5349?transport=tcp', 'turn:x:0']),
  turnSecret: rawSetting(['0123456789abcdef0123', 'short']),
  turnTtl: rawSetting(['3600', '59', '86401', '1e3', '']),
});

type HostConfigInput =
  | { kind: 'node-flags' | 'cli-args'; argv: string[] }
  | { kind: 'key-file' | 'cookie' | 'ice-servers'; text: string }
  | { kind: 'relay-ice'; env: RawIceSettings };

export const hostConfigTarget: FuzzTarget<HostConfigInput> = {
  name: 'host-config',
  decoders: [
    'fullnode/node-flags.ts parseNodeFlags', 'fullnode/cli-args.ts parseCliArgs (both via fullnode/parse-flags.ts)', 'fullnode/key-file-format.ts parseKeyFile',
    'fullnode/rpc-cookie.ts parseCookie', 'fullnode/ice-servers.ts parseIceServers', 'signaling/ice-servers.ts parseIceSettings (relay environment)',
  ],
  arbitrary: fc.oneof(
    fc.record({ kind: fc.constantFrom('node-flags' as const, 'cli-args' as const), argv }),
    fc.record({ kind: fc.constant('key-file' as const), text: untrustedJson(keyFile, ['identityStamp']) }),
    fc.record({ kind: fc.constant('cookie' as const), text: untrustedJson(cookie) }),
    fc.record({ kind: fc.constant('ice-servers' as const), text: untrustedJsonList(untrustedJson(iceServer), 10) }),
    fc.record({ kind: fc.constant('relay-ice' as const), env: iceEnv }),
  ),
  check: (input) => {
    switch (input.kind) {
      case 'node-flags': return outcome(checkResult(parseNodeFlags(input.argv), 'parseNodeFlags'));
      case 'cli-args': return outcome(checkResult(parseCliArgs(input.argv), 'parseCliArgs'));
      case 'key-file': return outcome(checkResult(parseKeyFile(input.text), 'parseKeyFile'));
      case 'cookie': return outcome(checkResult(parseCookie(input.text), 'parseCookie'));
      case 'ice-servers': return outcome(checkResult(parseIceServers(input.text), 'parseIceServers'));
      case 'relay-ice': {
        const settings = expectNamedThrow(() => parseIceSettings(input.env), (error) => error instanceof IceConfigError, 'parseIceSettings');
        if (settings) invariant(settings.stunUrls.length <= MAX_URLS_PER_KIND && settings.turnUrls.length <= MAX_URLS_PER_KIND, 'parseIceSettings accepted too many URLs');
        return outcome(settings !== undefined);
      }
    }
  },
};
