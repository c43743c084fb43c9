import { describe, expect, it } from 'vitest';
import { ConfigError, type PeerConfig } from './config.ts';
import { parseIceConfig, resolveIceServers, type FetchFn } from './ice-config.ts';

const config: PeerConfig = { network: 'main', relayUrls: ['ws://127.0.0.1:1/signal'], targetLinks: 6, iceServers: [], iceTransportPolicy: 'all' };
const TURN = { urls: ['turn:127.0.0.1:3478'], username: '1700003600:ab', credential: 'c2VjcmV0' };
const STUN = { urls: ['stun:127.0.0.1:3478'] };

function recordingLog() {
  const lines: string[] = [];
  return { lines, info: (message: string) => lines.push(`info ${message}`), warn: (message: string) => lines.push(`warn ${message}`) };
}

/** A fetch that answers every request with `body` and records the paths asked. */
function answering(body: string | Error, status = 200) {
  const asked: string[] = [];
  const fetchFn: FetchFn = async (input) => {
    asked.push(input);
    if (body instanceof Error) throw body;
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { asked, fetchFn };
}

describe('resolveIceServers', () => {
  it("uses the server's /config.json", async () => {
    const { asked, fetchFn } = answering(JSON.stringify({ iceServers: [STUN, TURN] }));
    const log = recordingLog();
    expect(await resolveIceServers(config, fetchFn, log, '')).toEqual([STUN, TURN]);
    expect(asked).toEqual(['/config.json']);
    expect(log.lines).toEqual(['info ICE servers']);
  });

  it('?stun= replaces the STUN entries and keeps the TURN ones; ?stun= empty removes them', async () => {
    const { fetchFn } = answering(JSON.stringify({ iceServers: [STUN, TURN] }));
    expect(await resolveIceServers(config, fetchFn, recordingLog(), '?stun=stun:10.0.0.1:3478,stun:10.0.0.2')).toEqual([{ urls: ['stun:10.0.0.1:3478', 'stun:10.0.0.2'] }, TURN]);
    expect(await resolveIceServers(config, fetchFn, recordingLog(), '?stun=')).toEqual([TURN]);
  });

  it('?turn= with ?turn-user= and ?turn-pass= replaces TURN; with ?stun= too, the server is not asked', async () => {
    const { asked, fetchFn } = answering(JSON.stringify({ iceServers: [STUN, TURN] }));
    const servers = await resolveIceServers(config, fetchFn, recordingLog(), '?turn=turns:10.0.0.1:5349&turn-user=u&turn-pass=p&stun=');
    expect(servers).toEqual([{ urls: ['turns:10.0.0.1:5349'], username: 'u', credential: 'p' }]);
    expect(asked).toEqual([]);
  });

  it.each([
    ['?turn=turn:10.0.0.1', /\?turn= needs \?turn-user= and \?turn-pass=/],
    ['?stun=turn:10.0.0.1', /\?stun=: 'turn:10.0.0.1' is not a stun: URL/],
    ['?turn=http://x&turn-user=u&turn-pass=p', /\?turn=: 'http:\/\/x' is not a turn: URL/],
  ])('throws ConfigError for %s', async (search, message) => {
    const { fetchFn } = answering(JSON.stringify({ iceServers: [] }));
    await expect(resolveIceServers(config, fetchFn, recordingLog(), search)).rejects.toThrow(ConfigError);
    await expect(resolveIceServers(config, fetchFn, recordingLog(), search)).rejects.toThrow(message);
  });

  it.each([
    ['not JSON', answering('<html>proxy error</html>'), /warn ICE config: \/config.json is malformed \(not JSON/],
    ['TURN without credentials', answering(JSON.stringify({ iceServers: [{ urls: 'turn:10.0.0.1' }] })), /TURN server without username and credential/],
    ['a failed request', answering('oops', 502), /warn ICE config: \/config.json failed/],
    ['an unreachable server', answering(new TypeError('Failed to fetch')), /warn ICE config: could not fetch \/config.json/],
    ['no such route', answering('not found', 404), /info ICE config: the server has no \/config.json/],
  ])('goes on with no ICE servers after %s, and says so in the log', async (_, { fetchFn }, line) => {
    const log = recordingLog();
    expect(await resolveIceServers(config, fetchFn, log, '')).toEqual([]);
    expect(log.lines.join('\n')).toMatch(line);
  });

  it('warns that ?ice=relay cannot link without a TURN server', async () => {
    const log = recordingLog();
    const { fetchFn } = answering(JSON.stringify({ iceServers: [STUN] }));
    await resolveIceServers({ ...config, iceTransportPolicy: 'relay' }, fetchFn, log, '');
    expect(log.lines).toContain('warn ?ice=relay but no TURN server is configured: this tab cannot link');
  });
});

describe('parseIceConfig', () => {
  it.each([
    ['null', /no iceServers array/],
    ['{"iceServers": {}}', /no iceServers array/],
    ['{"iceServers": [42]}', /iceServers\[0\] is not an object/],
    ['{"iceServers": [{"urls": []}]}', /iceServers\[0\].urls must be 1-8 URLs/],
    ['{"iceServers": [{"urls": ["http://x"]}]}', /not a stun:\/turn: URL/],
    ['{"iceServers": [{"urls": "stun:x", "username": 5}]}', /iceServers\[0\].username must be a string/],
    [JSON.stringify({ iceServers: Array.from({ length: 17 }, () => STUN) }), /17 iceServers; at most 16/],
    [JSON.stringify({ iceServers: [STUN], pad: 'x'.repeat(17_000) }), /larger than 16384 bytes/],
  ])('refuses %s', (text, detail) => {
    const parsed = parseIceConfig(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.detail).toMatch(detail);
  });

  it('accepts a single URL string and keeps only the known fields', () => {
    expect(parseIceConfig(JSON.stringify({ iceServers: [{ urls: 'stun:x:3478', extra: 1 }] }))).toEqual({ ok: true, value: [{ urls: ['stun:x:3478'] }] });
  });
});
