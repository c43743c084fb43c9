import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDevServer } from './dev-server.ts';
import { createAppServer, MissingBuildError, type AppServer } from './http-server.ts';
import { silentLogger } from './logger.ts';
import { TestClient, createIdentity, joinAs } from '../test/helpers/relay-test-client.ts';

let distDir: string;
const servers: Array<Pick<AppServer, 'close'>> = [];
const clients: TestClient[] = [];

beforeAll(() => {
  distDir = mkdtempSync(path.join(tmpdir(), 'tabmesh-dist-'));
  mkdirSync(path.join(distDir, 'assets'));
  writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>tabmesh test</title>');
  writeFileSync(path.join(distDir, 'assets', 'app-3f9a2b.js'), 'console.log("app");');
});
afterAll(() => rmSync(distDir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startApp(): Promise<string> {
  const server = createAppServer({ port: 0, host: '127.0.0.1', distDir, log: silentLogger });
  servers.push(server);
  await server.ready;
  return `127.0.0.1:${server.address().port}`;
}

describe('createAppServer', () => {
  it('serves index.html, client routes and immutable hashed assets', async () => {
    const origin = await startApp();
    const index = await fetch(`http://${origin}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('tabmesh test');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const route = await fetch(`http://${origin}/wallet/send`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('tabmesh test');
    const asset = await fetch(`http://${origin}/assets/app-3f9a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("app");');
    const missing = await fetch(`http://${origin}/assets/missing-000000.js`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('reports relay rooms and peers on /healthz', async () => {
    const origin = await startApp();
    const before = await fetch(`http://${origin}/healthz`);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ ok: true, rooms: 0, peers: 0, uptimeSec: 0 });
    const { client } = await joinAs(`ws://${origin}/signal`, 'main', await createIdentity());
    clients.push(client);
    const after = await fetch(`http://${origin}/healthz`);
    expect(await after.json()).toMatchObject({ ok: true, rooms: 1, peers: 1 });
    const post = await fetch(`http://${origin}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const origin = await startApp();
    await expect(TestClient.connect(`ws://${origin}/other`)).rejects.toThrow(/404/);
  });

  it('fails at start with a one-line hint when the page is not built', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'tabmesh-empty-'));
    try {
      expect(() => createAppServer({ port: 0, distDir: empty })).toThrow(MissingBuildError);
      expect(() => createAppServer({ port: 0, distDir: empty })).toThrow(/run `npm run build`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects ready when the port is taken', async () => {
    const origin = await startApp();
    const port = Number(origin.split(':')[1]);
    const second = createAppServer({ port, host: '127.0.0.1', distDir, log: silentLogger });
    servers.push(second);
    await expect(second.ready).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('createDevServer', () => {
  it('serves Vite, /healthz, the relay and Vite HMR on one port', async () => {
    const server = await createDevServer({ port: 0, host: '127.0.0.1', root: distDir, configFile: false, log: silentLogger });
    servers.push(server);
    const origin = `127.0.0.1:${server.address().port}`;
    const page = await fetch(`http://${origin}/`);
    expect(await page.text()).toContain('/@vite/client');
    expect(await (await fetch(`http://${origin}/healthz`)).json()).toMatchObject({ ok: true, peers: 0 });
    const { client, welcome } = await joinAs(`ws://${origin}/signal`, 'main', await createIdentity());
    clients.push(client);
    expect(welcome.peers).toEqual([]);
    const hmr = new WebSocket(`ws://${origin}/`, 'vite-hmr');
    const firstHmrFrame = await new Promise<string>((resolve, reject) => {
      hmr.once('message', (data) => resolve(String(data)));
      hmr.once('error', reject);
    });
    expect(JSON.parse(firstHmrFrame)).toMatchObject({ type: 'connected' });
    hmr.close();
    await new Promise((resolve) => hmr.once('close', resolve));
  });
});
