/**
 * The attack bench in small (bench/attack.ts runs it at 1,000 honest nodes):
 * 30 honest tabs built by the real assembly against 300 stamped Sybil
 * identities on 4 hosts flooding records, taking inbound slots, withholding
 * and announcing without delivering. It checks what the harness must show
 * (the ablation does eclipse nodes; the attacker's ids pass the stamp check;
 * a forged record is punished within 1 s), not issue 20's goals, which
 * docs/SECURITY.md ("Measured attacks") reports as not yet met.
 */
import { describe, expect, it } from 'vitest';
import { runAttackScenario } from './attack-scenario.ts';

const small = { seed: 7, honest: 30, sybils: 300, windowMs: 10_000, drainMs: 5_000, txs: 4, senders: 2, skipPartition: true } as const;

describe('attack scenario (issue 20 §4)', () => {
  it('with the defences off, the Sybil hosts eclipse honest nodes', async () => {
    const off = await runAttackScenario({ ...small, defences: false });
    expect(off.eclipsed, JSON.stringify(off)).toBeGreaterThan(0);
    expect(off.bookSybilShare).toBeGreaterThan(0.5);
  }, 300_000);

  it('with the defences on, stamped Sybils link, and every forged record is punished within 1 s', async () => {
    const on = await runAttackScenario({ ...small, defences: true });
    // The ids carry 8-bit stamps the honest HELLO check accepts: the attacker paid 2^8 hashes per id.
    expect(on.stampBits).toBe(8);
    expect(on.attacker.linksOpened).toBeGreaterThan(small.honest);
    expect(on.probes).toBeGreaterThan(0);
    expect(on.probesUnanswered).toBe(0);
    expect(on.disconnectMaxMs!).toBeLessThanOrEqual(1_000);
    // These hosts answer no headers request, so no outbound link to them passes the outbound proof.
    expect(on.attackerLinksAnswered).toBe(0);
  }, 300_000);

  it('hosts that serve headers pass the outbound proof, with the relay down', async () => {
    const on = await runAttackScenario({ ...small, defences: true, relay: false, strategies: { serve: true } });
    expect(on.attacker.headersServed).toBeGreaterThan(0);
    expect(on.attackerLinksAnswered, JSON.stringify(on)).toBeGreaterThan(0);
  }, 300_000);
});
