import { describe, expect, it } from 'vitest';
import { networkGroupOf } from './network-group.ts';

describe('networkGroupOf', () => {
  it('groups public IPv4 addresses by /16', () => {
    expect(networkGroupOf('203.0.113.7')).toBe('ip4:203.0');
    expect(networkGroupOf('203.0.200.1')).toBe('ip4:203.0');
    expect(networkGroupOf('198.51.100.2')).toBe('ip4:198.51');
    expect(networkGroupOf('::ffff:203.0.113.7')).toBe('ip4:203.0');
  });

  it('groups public IPv6 addresses by /32, with or without compression or brackets', () => {
    expect(networkGroupOf('2001:db8:1:2::5')).toBe('ip6:2001:db8');
    expect(networkGroupOf('[2001:0db8:ffff::1]')).toBe('ip6:2001:db8');
    expect(networkGroupOf('2a00:1450:4001:82a::200e')).toBe('ip6:2a00:1450');
  });

  it('gives no group to addresses that say nothing about who is behind them', () => {
    for (const address of ['127.0.0.1', '127.3.4.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.10', '169.254.3.3', '0.0.0.0', '224.0.0.1',
      '::1', '::', 'fe80::1', 'fd12:3456::1', 'ff02::1', '5f0c2f5c-8f8e-4e7a-9a43-8d5b5b1c3f11.local']) {
      expect(networkGroupOf(address), address).toBeUndefined();
    }
    expect(networkGroupOf('172.32.0.1')).toBe('ip4:172.32');
  });

  it('gives no group to text that is not an address', () => {
    for (const address of [undefined, '', 'example.org', '1.2.3', '1.2.3.256', '1:2:3', '1::2::3', '12345::1', 'g::1', '1:2:3:4:5:6:7:8:9']) {
      expect(networkGroupOf(address), String(address)).toBeUndefined();
    }
  });
});
