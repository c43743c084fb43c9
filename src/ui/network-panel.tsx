/**
 * The Network panel: the live graph, its text alternative, a legend, the
 * last arrival (who delivered the latest transaction or block, and when),
 * and the details of the hovered, focused or pinned peer.
 */
import { useState } from 'react';
import { CopyButton } from './copy-button.tsx';
import { formatAge, formatRtt, shortHash, shortId } from './format.ts';
import { graphSummary, type GraphDrawing } from './graph-model.ts';
import { PeerGraph, useGraphDrawing } from './peer-graph.tsx';
import { useNow } from './use-now.ts';
import { usePanelRef, useTabmesh, useThrottledTabmesh } from './use-tabmesh.ts';
import type { ArrivalView } from './view-models.ts';

const selectLastArrival = (s: { arrivals: ArrivalView[] }) => s.arrivals[0];

/** "Last block 0000…3fa91c came from 1a2b3c4d… 3 s ago": the propagation the pulses show, in words. */
function LastArrival() {
  const arrival = useThrottledTabmesh(selectLastArrival, 500);
  const nowMs = useNow(1_000, arrival !== undefined);
  if (!arrival) return <p className="graph-arrival muted">Transactions and blocks will pulse along the link they arrive on.</p>;
  return (
    <p className="graph-arrival" data-arrival-kind={arrival.kind}>
      <span className={`swatch swatch-${arrival.kind}`} aria-hidden="true" /> Last {arrival.kind === 'tx' ? 'transaction' : 'block'}{' '}
      <code title={arrival.id}>{arrival.kind === 'tx' ? shortId(arrival.id) : shortHash(arrival.id)}</code> came from{' '}
      <code title={arrival.from}>{shortId(arrival.from)}</code> {formatAge(arrival.atMs, nowMs)}
    </p>
  );
}

/** What the graph knows about one peer, in words, with its full id to copy. */
function PeerDetails({ id, drawing, pinned, onClose }: { id: string; drawing: GraphDrawing; pinned: boolean; onClose(): void }) {
  const peer = useTabmesh((s) => s.peers[id]);
  const ban = useTabmesh((s) => s.bans.find((entry) => entry.peerId === id));
  const node = drawing.nodes.find((entry) => entry.id === id);
  if (!node) return null;
  const facts = [
    node.self ? 'this tab' : node.linked ? 'linked to this tab' : 'known through peer records',
    `${node.degree} ${node.degree === 1 ? 'link' : 'links'}`,
    peer?.rttMs !== undefined ? `RTT ${formatRtt(peer.rttMs)} ms` : undefined,
    ban ? `banned: ${ban.reason}` : undefined,
  ].filter(Boolean);
  return (
    <div className="graph-details" data-peer-id={id}>
      <code className="graph-details-id">{id}</code>
      <span className="muted">{facts.join(' · ')}</span>
      <span className="graph-details-actions">
        <CopyButton text={id} label={`Copy peer id ${shortId(id)}`} />
        {pinned && (
          <button type="button" className="button button-small" onClick={onClose}>
            Unpin
          </button>
        )}
      </span>
    </div>
  );
}

function Legend() {
  return (
    <ul className="graph-legend" aria-label="Graph legend">
      <li><span className="swatch swatch-self" aria-hidden="true" />this tab</li>
      <li><span className="swatch swatch-linked" aria-hidden="true" />linked to this tab</li>
      <li><span className="swatch swatch-known" aria-hidden="true" />other peer</li>
      <li><span className="swatch swatch-banned" aria-hidden="true" />banned</li>
      <li><span className="swatch swatch-tx" aria-hidden="true" />transaction</li>
      <li><span className="swatch swatch-block" aria-hidden="true" />block</li>
    </ul>
  );
}

export function NetworkPanel() {
  const panelRef = usePanelRef();
  const drawing = useGraphDrawing();
  const peerCount = drawing.nodes.length - (drawing.nodes.some((n) => n.self) ? 1 : 0);
  const relay = useTabmesh((s) => s.relay);
  const [activeId, setActiveId] = useState<string | undefined>();
  const [pinnedId, setPinnedId] = useState<string | undefined>();
  const summary = graphSummary(drawing);
  const alone = drawing.nodes.every((node) => node.self);
  const shownId = activeId ?? pinnedId;

  return (
    <section ref={panelRef} className="panel panel-network" aria-label="Network">
      <h2>
        Network <span className="count">{peerCount} {peerCount === 1 ? 'peer' : 'peers'}</span>
      </h2>
      <figure className="graph" aria-label="Network graph" data-graph-nodes={drawing.nodes.length} data-graph-edges={drawing.edges.length}>
        <PeerGraph drawing={drawing} activeId={activeId} onActive={setActiveId} pinnedId={pinnedId} onPin={setPinnedId} />
        {alone && (
          <p className="graph-empty" role="status">
            {relay === 'closed'
              ? 'The relay is offline, so no other tab can find this one. Peers will appear here once it is back.'
              : 'No peers yet. Open this page in another tab: it will appear here and link up.'}
          </p>
        )}
        <figcaption className="graph-caption">
          {summary}
        </figcaption>
      </figure>
      {shownId ? (
        <PeerDetails id={shownId} drawing={drawing} pinned={pinnedId === shownId} onClose={() => setPinnedId(undefined)} />
      ) : (
        <p className="graph-details graph-details-hint muted">Hover, or Tab into the graph and use the arrow keys, to see a peer; click or press Enter to pin it.</p>
      )}
      <LastArrival />
      <Legend />
    </section>
  );
}
