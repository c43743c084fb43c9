import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnScript } from '../test/helpers/spawn-script.ts';
import { createAppServer, type AppServer } from './http-server.ts';
import { silentLogger } from './logger.ts';
import { createIdentity, joinAs, type TestClient } from '../test/helpers/relay-test-client.ts';
import { loadTlsFiles, TlsFileError, type TlsCredentials } from './tls-files.ts';
import { ensureSelfSignedCert } from './tls-self-signed.ts';

const SERVE = fileURLToPath(new URL('./bin/serve.ts', import.meta.url));
const LOCAL_HOSTS = { dns: ['localhost'], ips: ['127.0.0.1'] };
let work: string;
let distDir: string;
let credentials: TlsCredentials;
const servers: AppServer[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tabmesh-tls-'));
  distDir = path.join(work, 'dist');
  mkdirSync(distDir);
  writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>tabmesh tls test</title>');
  credentials = (await ensureSelfSignedCert({ dir: path.join(work, 'shared-cert'), hosts: LOCAL_HOSTS })).credentials;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** GET over TLS trusting only `ca`; resolves status and body, rejects on a TLS failure. */
function httpsGet(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function startTlsApp(): Promise<number> {
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir, log: silentLogger, tls: credentials });
  servers.push(server);
  await server.ready;
  return server.address().port;
}

describe('HTTPS and WSS on one port', () => {
  it('answers /healthz and the page over TLS with the given certificate, and only to clients that trust it', async () => {
    const port = await startTlsApp();
    const health = await httpsGet(`https://127.0.0.1:${port}/healthz`, credentials.cert);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, peers: 0 });
    expect((await httpsGet(`https://localhost:${port}/`, credentials.cert)).body).toContain('tabmesh tls test');
    await expect(httpsGet(`https://127.0.0.1:${port}/healthz`)).rejects.toThrow(/self[- ]signed/i);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('lets a client join the relay over wss://', async () => {
    const port = await startTlsApp();
    const identity = await createIdentity();
    const { client, welcome } = await joinAs(`wss://127.0.0.1:${port}/signal`, 'main', identity, { ca: credentials.cert });
    clients.push(client);
    expect(welcome.type).toBe('welcome');
    const health = await httpsGet(`https://127.0.0.1:${port}/healthz`, credentials.cert);
    expect(JSON.parse(health.body)).toMatchObject({ rooms: 1, peers: 1 });
  });
});

describe('ensureSelfSignedCert (--https)', () => {
  it('creates a certificate naming the hosts, keeps it, reuses it, and renews it near expiry', async () => {
    const dir = path.join(work, 'self-signed');
    const hosts = { dns: ['localhost'], ips: ['127.0.0.1', '192.0.2.7'] };
    const first = await ensureSelfSignedCert({ dir, hosts });
    expect(first.origin).toBe('created');
    expect(first.credentials.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    const onDisk = loadTlsFiles(first.certFile, first.keyFile);
    expect(onDisk.fingerprint256).toBe(first.credentials.fingerprint256);

    const second = await ensureSelfSignedCert({ dir, hosts });
    expect(second.origin).toBe('reused');
    expect(second.credentials.fingerprint256).toBe(first.credentials.fingerprint256);

    const nearExpiry = new Date(first.credentials.validTo.getTime() - 3600_000);
    const renewed = await ensureSelfSignedCert({ dir, hosts, now: nearExpiry });
    expect(renewed.origin).toBe('renewed');
    expect(renewed.renewReason).toMatch(/expires/);
    expect(renewed.credentials.fingerprint256).not.toBe(first.credentials.fingerprint256);

    const moved = await ensureSelfSignedCert({ dir, hosts: { dns: ['localhost'], ips: ['127.0.0.1', '198.51.100.9'] }, now: nearExpiry });
    expect(moved.origin).toBe('renewed');
    expect(moved.renewReason).toMatch(/198\.51\.100\.9/);
  });
});

describe('bad TLS files', () => {
  it('names the missing, unparsable or mismatched file', async () => {
    const other = await ensureSelfSignedCert({ dir: path.join(work, 'other-cert'), hosts: LOCAL_HOSTS });
    const garbage = path.join(work, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const missing = path.join(work, 'nope', 'cert.pem');
    expect(() => loadTlsFiles(missing, other.keyFile)).toThrow(TlsFileError);
    expect(() => loadTlsFiles(missing, other.keyFile)).toThrow(`cannot read the TLS certificate ${missing}: no such file`);
    expect(() => loadTlsFiles(garbage, other.keyFile)).toThrow(`the TLS certificate ${garbage} is not a PEM certificate`);
    expect(() => loadTlsFiles(other.certFile, garbage)).toThrow(`the TLS key ${garbage} is not a PEM private key`);
    const ownKey = path.join(work, 'shared-cert', 'key.pem');
    expect(() => loadTlsFiles(other.certFile, ownKey)).toThrow(`the TLS key ${ownKey} does not belong to the certificate ${other.certFile}`);
    const later = new Date(other.credentials.validTo.getTime() + 1000);
    expect(() => loadTlsFiles(other.certFile, other.keyFile, later)).toThrow(/expired on/);
  });
});

/** Runs `npm start`'s entry point; resolves once it prints its serving line, or when it exits. */
function runServe(env: Record<string, string>, args: string[] = []) {
  const run = spawnScript(SERVE, args, { PORT: '0', HOST: '127.0.0.1', TABMESH_DIST: distDir, ...env });
  const serving = new Promise<number>((resolve, reject) => {
    run.child.stdout!.on('data', () => {
      const match = /serving https?:\/\/localhost:(\d+)\//.exec(run.stdout());
      if (match) resolve(Number(match[1]));
    });
    void run.exited.then((code) => reject(new Error(`serve exited with ${code}: ${run.stderr()}`)));
  });
  serving.catch(() => undefined); // observed by the tests that wait for it
  return { child: run.child, exited: run.exited, serving, output: () => ({ stdout: run.stdout(), stderr: run.stderr() }) };
}

describe('npm start (signaling/bin/serve.ts)', () => {
  it('--https makes a certificate in TABMESH_TLS_DIR, prints its fingerprint, serves with it, and reuses it', async () => {
    const dir = path.join(work, 'cli-tls');
    const first = runServe({ TABMESH_TLS_DIR: dir }, ['--https']);
    const port = await first.serving;
    const cert = loadTlsFiles(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
    expect(first.output().stdout).toContain('created a self-signed certificate');
    expect(first.output().stdout).toContain(`fingerprint ${cert.fingerprint256}`);
    expect((await httpsGet(`https://localhost:${port}/healthz`, cert.cert)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = runServe({ TABMESH_TLS_DIR: dir }, ['--https']);
    await second.serving;
    expect(second.output().stdout).toContain('reusing the self-signed certificate');
    expect(second.output().stdout).toContain(`fingerprint ${cert.fingerprint256}`);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('exits 1 with one line naming a bad TLS file or ICE setting', async () => {
    const missing = path.join(work, 'missing-cert.pem');
    const badCert = runServe({ TLS_CERT: missing, TLS_KEY: path.join(work, 'shared-cert', 'key.pem') });
    expect(await badCert.exited).toBe(1);
    expect(badCert.output().stderr).toBe(`tabmesh: cannot read the TLS certificate ${missing}: no such file\n`);

    const noSecret = runServe({ TABMESH_TURN: 'turn:127.0.0.1:3478' });
    expect(await noSecret.exited).toBe(1);
    expect(noSecret.output().stderr.trim().split('\n')).toHaveLength(1);
    expect(noSecret.output().stderr).toMatch(/^tabmesh: TABMESH_TURN needs a TURN secret/);

    const badStun = runServe({}, ['--stun', 'stun://example.org']);
    expect(await badStun.exited).toBe(1);
    expect(badStun.output().stderr).toMatch(/^tabmesh: --stun: 'stun:\/\/example.org' is not a URL like stun:host:3478\n$/);
  });
});
