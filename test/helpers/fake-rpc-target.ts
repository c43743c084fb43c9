/**
 * An in-memory RpcTarget for tests of the RPC server and CLI: it records the
 * calls it gets and answers from fixed data. Not a node: it checks nothing.
 */
import { RpcUserError, type RpcTarget } from '../../fullnode/rpc-api.ts';

export const FAKE_ID = 'a'.repeat(64);
export const KNOWN_TX = 'b'.repeat(64);
export const RICH = 'c'.repeat(64);

export interface FakeRpcTarget extends RpcTarget {
  calls: string[];
  /** The next send() rejects with this instead of answering. */
  failNextSend?: Error;
}

export function createFakeRpcTarget(): FakeRpcTarget {
  const target: FakeRpcTarget = {
    calls: [],
    status() {
      target.calls.push('status');
      return { id: FAKE_ID, network: 'test-rpc', tip: { height: 7, hash: 'd'.repeat(64) }, peers: 2, mempool: 1 };
    },
    peers() {
      target.calls.push('peers');
      return [{ id: 'e'.repeat(64), links: 1 }];
    },
    deployments() {
      target.calls.push('deployments');
      return [{ name: 'minfee2', bit: 0, state: 'STARTED', window: 8, threshold: 6, elapsed: 2, count: 1, share: 0.5 }];
    },
    async findTx(id) {
      target.calls.push(`findTx ${id}`);
      return id === KNOWN_TX ? { status: 'confirmed', id, height: 3 } : { status: 'unknown', id };
    },
    balance(account) {
      target.calls.push(`balance ${account}`);
      return account === RICH ? 1_000 : 0;
    },
    async send(to, amount, fee) {
      target.calls.push(`send ${to} ${amount} ${fee}`);
      const failure = target.failNextSend;
      if (failure) {
        target.failNextSend = undefined;
        throw failure;
      }
      if (amount > 1_000) throw new RpcUserError(`insufficient funds: ${amount} requested, 1000 available`, 'insufficient-funds');
      return 'f'.repeat(64);
    },
    async mine(blocks) {
      target.calls.push(`mine ${blocks}`);
      return Array.from({ length: blocks }, (_, i) => i.toString(16).padStart(64, '0'));
    },
  };
  return target;
}
