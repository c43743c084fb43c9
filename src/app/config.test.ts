import { describe, expect, it } from 'vitest';
import { ConfigError, MAX_RELAYS, readConfig } from './config.ts';

const at = (search: string) => readConfig({ search, protocol: 'http:', host: 'example.test:8080' });

describe('readConfig', () => {
  it('defaults to this page\'s relay, network main, D = 6 and ICE over every candidate', () => {
    expect(at('')).toEqual({ network: 'main', relayUrls: ['ws://example.test:8080/signal'], targetLinks: 6, iceServers: [], iceTransportPolicy: 'all' });
    expect(readConfig({ search: '', protocol: 'https:', host: 'h' }).relayUrls).toEqual(['wss://h/signal']);
  });

  it('takes several relays from ?relay=a,b, without repeats', () => {
    expect(at('?relay=ws://a/signal,wss://b/signal,ws://a/signal').relayUrls).toEqual(['ws://a/signal', 'wss://b/signal']);
  });

  it('refuses a relay list with a bad entry, naming it, and one that is too long', () => {
    expect(() => at('?relay=ws://a/signal,http://b')).toThrow(ConfigError);
    expect(() => at('?relay=ws://a/signal,http://b')).toThrow(/'http:\/\/b' is not a ws:\/\/ or wss:\/\/ URL/);
    const many = Array.from({ length: MAX_RELAYS + 1 }, (_, i) => `ws://r${i}/signal`).join(',');
    expect(() => at(`?relay=${many}`)).toThrow(/at most 8/);
  });

  it('takes ?ice=relay as relay-only ICE and refuses other values', () => {
    expect(at('?ice=relay').iceTransportPolicy).toBe('relay');
    expect(() => at('?ice=turn')).toThrow(/\?ice=turn must be 'relay'/);
  });

  it('refuses a bad network or link target', () => {
    expect(() => at('?net=a b')).toThrow(/not a valid network name/);
    expect(() => at('?links=0')).toThrow(/from 1 to 32/);
  });

  it('takes ?deployments-from=H on test networks only, as a height', () => {
    expect(at('?net=test-a&deployments-from=0').deploymentsFromHeight).toBe(0);
    expect(at('?net=test-a&deployments-from=16').deploymentsFromHeight).toBe(16);
    expect(at('?net=test-a').deploymentsFromHeight).toBeUndefined();
    expect(() => at('?deployments-from=0')).toThrow(/test networks only/);
    expect(() => at('?net=demo&deployments-from=0')).toThrow(/test networks only .*, not 'demo'/);
    for (const bad of ['-1', '1.5', '', 'x', '1e3', '1000001']) expect(() => at(`?net=test-a&deployments-from=${bad}`)).toThrow(/must be a block height/);
  });
});
