/** The relay checks the identity stamp at join (docs/PROTOCOL.md, "Identity stamp"), before the signature. */
import { afterEach, describe, expect, it } from 'vitest';
import { nonceWithWork } from '../test/helpers/test-keys.ts';
import { MAIN_PARAMS, TEST_PARAMS } from '../src/core/ledger/params.ts';
import { createIdentity, createRelayHarness, joinMessage, type Identity } from '../test/helpers/relay-test-client.ts';

const harness = createRelayHarness();
afterEach(() => harness.cleanup());

async function tryJoin(url: string, network: string, identity: Identity, identityStamp: number | undefined) {
  const client = await harness.connect(url);
  const { nonce } = await client.expect('challenge');
  const { identityStamp: _own, ...join } = await joinMessage(identity, network, nonce);
  client.sendJson(identityStamp === undefined ? join : { ...join, identityStamp });
  return { client, reply: await client.next() };
}

describe('identity stamps at join', () => {
  it('refuses a join without a stamp, naming the work asked, and counts it', async () => {
    const { url, relay } = await harness.start();
    const { client, reply } = await tryJoin(url, 'main', await createIdentity(), undefined);
    expect(reply).toEqual({ type: 'error', code: 'bad-stamp', message: `join has no identity stamp; network main asks ${MAIN_PARAMS.identityStampBits} bits of work` });
    expect(await client.closed).toEqual({ code: 1008, reason: 'bad identity stamp' });
    expect(relay.stats().refusals).toMatchObject({ 'no-stamp': 1, 'bad-stamp': 0 });
    expect(relay.stats().peers).toBe(0);
  });

  it('asks each network its own work: a test-network stamp joins a test network and is refused on main', async () => {
    const { url, relay } = await harness.start();
    const identity = await createIdentity();
    const weak = nonceWithWork(identity.peerId, TEST_PARAMS.identityStampBits, MAIN_PARAMS.identityStampBits);
    expect((await tryJoin(url, 'test-stamps', identity, weak)).reply).toMatchObject({ type: 'welcome', peerId: identity.peerId });
    const cheap = await createIdentity();
    const refused = await tryJoin(url, 'main', cheap, nonceWithWork(cheap.peerId, 0, 1));
    expect(refused.reply).toMatchObject({ type: 'error', code: 'bad-stamp', message: expect.stringMatching(/the network asks 20$/) });
    expect(relay.stats().refusals['bad-stamp']).toBe(1);
  });

  it('takes the work from its init when given (tests, private deployments)', async () => {
    const { url } = await harness.start({ identityStampBits: 2 });
    const identity = await createIdentity();
    const { reply } = await tryJoin(url, 'main', identity, nonceWithWork(identity.peerId, 2, 3));
    expect(reply).toMatchObject({ type: 'welcome', peerId: identity.peerId });
  });
});
