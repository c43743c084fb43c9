/**
 * This tab's links: id (with copy), direction, round-trip time, traffic and
 * time connected; below them, the peers held off for misbehaviour with the
 * reason and until when (docs/SECURITY.md). Banned peers have their own table
 * so the Peers table keeps one row per link.
 */
import { memo } from 'react';
import { CopyButton } from './copy-button.tsx';
import { formatBytes, formatDuration, formatRtt, formatTime, shortId } from './format.ts';
import type { BanView } from './network-slice.ts';
import { useNow } from './use-now.ts';
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';
import type { PeerView } from './view-models.ts';

/** Open links first, then by id, so rows do not jump around as RTTs update. */
function byStateThenId(a: PeerView, b: PeerView): number {
  if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const PeerRow = memo(function PeerRow({ peer, connectedFor }: { peer: PeerView; connectedFor: string }) {
  return (
    <tr data-peer-id={peer.id}>
      <td>
        <span className="id-cell">
          <code title={peer.id}>{shortId(peer.id)}</code>
          <CopyButton text={peer.id} label={`Copy peer id ${shortId(peer.id)}`} compact />
        </span>
      </td>
      <td className="col-dir">{peer.direction}</td>
      <td className="col-state">
        <span className={`badge state-${peer.state}`}>{peer.state}</span>
      </td>
      <td className="num">{formatRtt(peer.rttMs)}</td>
      <td className="num">{formatBytes(peer.bytesIn)}</td>
      <td className="num">{formatBytes(peer.bytesOut)}</td>
      <td className="num">
        {peer.connectedAtMs === undefined ? '—' : <time dateTime={new Date(peer.connectedAtMs).toISOString()} title={`Since ${formatTime(peer.connectedAtMs)}`}>{connectedFor}</time>}
      </td>
    </tr>
  );
});

const BanRow = memo(function BanRow({ ban, left }: { ban: BanView; left: string }) {
  return (
    <tr data-peer-id={ban.peerId}>
      <td>
        <code title={ban.peerId}>{shortId(ban.peerId)}</code>
      </td>
      <td className="ban-reason">{ban.reason}</td>
      <td className="num">
        <time dateTime={new Date(ban.untilMs).toISOString()} title={`Until ${formatTime(ban.untilMs)}`}>
          {left}
        </time>
      </td>
    </tr>
  );
});

/** Peers disconnected for misbehaviour and held off until a time. */
function BanTable({ bans, nowMs }: { bans: BanView[]; nowMs: number }) {
  if (bans.length === 0) return null;
  return (
    <>
      <h3>Held off</h3>
      <div className="table-scroll">
        <table aria-label="Banned peers" className="ban-table">
          <thead>
            <tr>
              <th scope="col">Peer</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Lifts in
              </th>
            </tr>
          </thead>
          <tbody>
            {bans.map((ban) => (
              <BanRow key={ban.peerId} ban={ban} left={formatDuration(ban.untilMs - nowMs)} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function PeersPanel() {
  const panelRef = usePanelRef();
  const peers = useTabmesh((s) => s.peers);
  const bans = useTabmesh((s) => s.bans);
  const relay = useTabmesh((s) => s.relay);
  const list = Object.values(peers).sort(byStateThenId);
  const nowMs = useNow(1_000, list.length > 0 || bans.length > 0);

  return (
    <section ref={panelRef} className="panel panel-peers" aria-label="Peers">
      <h2>
        Peers <span className="count">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p className="empty">
          No peers yet — open this page in another tab.
          {relay === 'closed' && <span className="empty-warn"> The relay is offline, so new peers cannot find this tab.</span>}
        </p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Peers">
            <thead>
              <tr>
                <th scope="col">Peer</th>
                <th scope="col" className="col-dir" title="Direction: out when this tab dialled">
                  Dir.
                </th>
                <th scope="col" className="col-state">
                  State
                </th>
                <th scope="col" className="num" title="Round-trip time">
                  RTT ms
                </th>
                <th scope="col" className="num" title="Bytes received">
                  In
                </th>
                <th scope="col" className="num" title="Bytes sent">
                  Out
                </th>
                <th scope="col" className="num">
                  Linked for
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((peer) => (
                <PeerRow key={peer.id} peer={peer} connectedFor={peer.connectedAtMs === undefined ? '' : formatDuration(nowMs - peer.connectedAtMs)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <BanTable bans={bans} nowMs={nowMs} />
    </section>
  );
}
