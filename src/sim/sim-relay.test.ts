import { describe, expect, it } from 'vitest';
import { RELAY_DEFAULTS } from '../../signaling/relay-server.ts';
import { createPrng } from './prng.ts';
import { createSimNetwork, type SimNetwork } from './sim-network.ts';
import { createSimRelay, SIM_MEMBERS_PER_GROUP, SIM_WELCOME_SAMPLE } from './sim-relay.ts';
import type { SimNodeLike } from './sim-node.ts';

describe('simulated relay room', () => {
  it('holds as many members per address as the real relay', () => {
    expect(SIM_MEMBERS_PER_GROUP).toBe(RELAY_DEFAULTS.maxMembersPerAddress);
  });

  it('draws a welcome across address groups: one crowded address gets one member of a round, silent members count', async () => {
    // Nodes 0-39 each on an address of their own; 40-139 share one address and never joined the relay themselves.
    const groupOf = (index: number) => (index < 40 ? `own/${index}` : 'crowd');
    const net = await createSimNetwork({ seed: 3, nodes: 140, edges: [] });
    const relay = createSimRelay(() => net as unknown as SimNetwork<SimNodeLike>, createPrng(3), { groupOf, silentMembers: () => Array.from({ length: 100 }, (_, i) => 40 + i) });
    for (let index = 0; index < 40; index++) relay.transport(index, net.nodes[index]!.peerId, (_ms, task) => task());
    const welcomes: string[][] = [];
    const newcomer = relay.transport(0, net.nodes[0]!.peerId, (_ms, task) => task());
    newcomer.events.on('welcome', (sample) => void welcomes.push(sample));
    newcomer.start();
    const [sample] = welcomes;
    expect(sample).toHaveLength(SIM_WELCOME_SAMPLE);
    const crowd = sample!.filter((id) => (net.indexOf(id) ?? 0) >= 40);
    // 40 groups (39 others and the crowd) fill 32 places in the first round: at most one member of the crowd.
    expect(crowd.length).toBeLessThanOrEqual(1);
    expect(sample).not.toContain(net.nodes[0]!.peerId);
    net.close();
  });
});
