/**
 * The transaction list of a block to mine: the mempool's selection cut to the
 * network's block limits (docs/PROTOCOL.md, "Blocks"), and the version a
 * template signals with (docs/PROTOCOL.md, "Deployments"). The rest of the
 * header is the ledger's business (ledger.buildHeaderTemplate).
 */
import { InvalidArgumentError } from '../result.ts';
import type { Tx } from '../tx.ts';
import type { TxId } from '../types.ts';
import { BLOCK_HEADER_BYTES } from './block.ts';
import { VERSION_TOP_BITS, type DeploymentState } from './deployments.ts';
import type { AccountLookup, Mempool } from './mempool.ts';
import type { ChainParams } from './params.ts';

/** Header plus the u32 transaction count (block.ts, encodeBlock): what a block costs before its first transaction. */
export const BLOCK_OVERHEAD_BYTES = BLOCK_HEADER_BYTES + 4;

export interface BlockTxs {
  /** In an order that applies against the tip's state: each sender's nonces consecutive from its confirmed nonce. */
  txs: Tx[];
  ids: TxId[];
  /** Sum of the fees, which the miner receives with the reward. */
  fees: number;
  /** The encoded size of the whole block these make, header included. */
  blockBytes: number;
}

export interface BlockTxsOptions {
  /** Fewer transactions than the network allows (tests, the simulator); never more. */
  maxTxs?: number;
}

/**
 * Picks the body of the next block from `mempool` against the tip's
 * `account` state, within maxBlockTxs and maxBlockBytes.
 */
export function selectBlockTxs(
  mempool: Pick<Mempool, 'selectForBlock'>,
  account: AccountLookup,
  params: Readonly<Pick<ChainParams, 'maxBlockTxs' | 'maxBlockBytes'>>,
  options: BlockTxsOptions = {},
): BlockTxs {
  const maxTxs = Math.min(params.maxBlockTxs, options.maxTxs ?? params.maxBlockTxs);
  if (!Number.isSafeInteger(maxTxs) || maxTxs < 0) throw new InvalidArgumentError(`maxTxs must be a non-negative integer, got ${String(options.maxTxs)}`);
  const txBudgetBytes = params.maxBlockBytes - BLOCK_OVERHEAD_BYTES;
  if (txBudgetBytes < 0) throw new InvalidArgumentError(`maxBlockBytes ${params.maxBlockBytes} is below the ${BLOCK_OVERHEAD_BYTES}-byte block overhead`);
  const entries = mempool.selectForBlock(maxTxs, account, txBudgetBytes);
  let fees = 0;
  let txBytes = 0;
  for (const entry of entries) {
    fees += entry.tx.fee;
    txBytes += entry.sizeBytes;
  }
  return {
    txs: entries.map((entry) => entry.tx),
    ids: entries.map((entry) => entry.id),
    fees,
    blockBytes: BLOCK_OVERHEAD_BYTES + txBytes,
  };
}

/**
 * The header version a miner of this build uses: BIP9's top bits with the bit
 * of every deployment it knows that is STARTED or LOCKED_IN for the block
 * (signalling on in LOCKED_IN too, as Bitcoin Core does; it costs nothing).
 * Deployments this build does not know are never signalled.
 */
export function templateVersion(deployments: readonly { bit: number; state: DeploymentState }[]): number {
  let version = VERSION_TOP_BITS;
  for (const { bit, state } of deployments) if (state === 'STARTED' || state === 'LOCKED_IN') version |= 1 << bit;
  return version;
}
