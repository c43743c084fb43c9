/** The best chain: its tip, a notice after a reorg, and the most recent blocks; a block's hash opens its detail view. */
import { memo, useCallback } from 'react';
import { formatAge, formatTime, partyLabel, shortHash } from './format.ts';
import { ReorgNotice } from './reorg-notice.tsx';
import { useNow } from './use-now.ts';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS } from './txs-panel.tsx';
import { usePanelRef, useTabmesh, useThrottledTabmesh } from './use-tabmesh.ts';
import type { BlockView } from './view-models.ts';

/** Ages are shown to the second. */
const AGE_TICK_MS = 1_000;

/** Memoized so that the clock's tick re-renders only the rows whose age text changed. */
const BlockRow = memo(function BlockRow({ block, selfId, age, onOpen }: { block: BlockView; selfId: string | undefined; age: string; onOpen(hash: string): void }) {
  return (
    <tr data-block-hash={block.hash} className={block.miner === selfId ? 'row-mine' : undefined}>
      <td className="num">{block.height}</td>
      <td>
        {/* The name starts with what the button is for and contains what it shows (WCAG 2.5.3, label in name). */}
        <button type="button" className="link-button" aria-haspopup="dialog" onClick={() => onOpen(block.hash)}>
          <span className="visually-hidden">Details of block #{block.height}, </span>
          <code title={block.hash}>{shortHash(block.hash)}</code>
        </button>
      </td>
      <td className="mono">
        <span title={block.miner}>{partyLabel(block.miner, selfId)}</span>
      </td>
      <td className="num">{block.txCount}</td>
      <td className="num" title={`Reward ${block.reward} + fees ${block.fees}`}>
        {block.fees}
      </td>
      <td>
        <time dateTime={new Date(block.timeMs).toISOString()} title={`Mined ${formatTime(block.timeMs)}, received ${formatTime(block.receivedAtMs)}`}>
          {age}
        </time>
      </td>
    </tr>
  );
});

const selectBlocks = (s: TabmeshState) => s.blocks;

/** Shown while this tab is catching up: how far it is and how far the best peer is. */
function SyncProgress() {
  const sync = useTabmesh((s) => s.sync);
  const height = useTabmesh((s) => s.tip?.height ?? 0);
  if (!sync || sync.blocksWanted === 0 || sync.bestHeaderHeight <= height) return null;
  return (
    <div className="sync-progress" role="status" aria-label="Sync progress">
      Catching up: block {height} of {sync.bestHeaderHeight}
      <progress max={sync.bestHeaderHeight} value={height} />
    </div>
  );
}

export function ChainPanel() {
  const panelRef = usePanelRef();
  const tip = useTabmesh((s) => s.tip);
  // A catching-up tab connects dozens of blocks a second; the table redraws at the lists' pace.
  const blocks = useThrottledTabmesh(selectBlocks, LIST_REDRAW_MS);
  const selfId = useTabmesh((s) => s.self?.id);
  const showDetail = useTabmesh((s) => s.showDetail);
  const openBlock = useCallback((hash: string) => showDetail({ kind: 'block', hash }), [showDetail]);
  const nowMs = useNow(AGE_TICK_MS, tip !== undefined || blocks.length > 0);

  return (
    <section ref={panelRef} className="panel panel-chain" aria-label="Chain">
      <h2>Chain</h2>
      {tip ? (
        <div className="tip" role="group" aria-label="Tip" data-tip-height={tip.height} data-tip-hash={tip.hash}>
          <span className="tip-height">#{tip.height}</span>{' '}
          <code className="tip-hash" title={tip.hash}>
            {shortHash(tip.hash)}
          </code>{' '}
          <span className="muted">{formatAge(tip.timeMs, nowMs)}</span>
        </div>
      ) : (
        <p className="empty">Loading the chain…</p>
      )}
      <SyncProgress />
      <ReorgNotice />
      <h3>Recent blocks</h3>
      {blocks.length === 0 ? (
        <p className="empty">No blocks yet. Switch mining on to mine one.</p>
      ) : (
        <div className="table-scroll table-short">
          <table aria-label="Blocks">
            <thead>
              <tr>
                <th scope="col" className="num">
                  Height
                </th>
                <th scope="col">Hash</th>
                <th scope="col">Miner</th>
                <th scope="col" className="num">
                  Txs
                </th>
                <th scope="col" className="num">
                  Fees
                </th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((block) => (
                <BlockRow key={block.hash} block={block} selfId={selfId} age={formatAge(block.timeMs, nowMs)} onOpen={openBlock} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
