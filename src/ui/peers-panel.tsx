/** Connected and connecting peers, with direction and round-trip time. */
import { formatRtt, shortId } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';
import type { PeerView } from './view-models.ts';

/** Open links first, then by id, so rows do not jump around as RTTs update. */
function byStateThenId(a: PeerView, b: PeerView): number {
  if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Peers disconnected for misbehaviour and held off until a time (docs/SECURITY.md). */
function BanList() {
  const bans = useTabmesh((s) => s.bans);
  if (bans.length === 0) return null;
  return (
    <>
      <h3>Held off</h3>
      <ul className="ban-list" aria-label="Banned peers">
        {bans.map((ban) => (
          <li key={ban.peerId} data-peer-id={ban.peerId}>
            <code title={ban.peerId}>{shortId(ban.peerId)}</code> until {new Date(ban.untilMs).toLocaleTimeString()}: {ban.reason}
          </li>
        ))}
      </ul>
    </>
  );
}

export function PeersPanel() {
  const peers = useTabmesh((s) => s.peers);
  const relay = useTabmesh((s) => s.relay);
  const list = Object.values(peers).sort(byStateThenId);

  return (
    <section className="panel panel-peers">
      <h2>Peers</h2>
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
                <th scope="col">Direction</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  RTT (ms)
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((peer) => (
                <tr key={peer.id} data-peer-id={peer.id}>
                  <td>
                    <code title={peer.id}>{shortId(peer.id)}</code>
                  </td>
                  <td>{peer.direction}</td>
                  <td>
                    <span className={`badge state-${peer.state}`}>{peer.state}</span>
                  </td>
                  <td className="num">{formatRtt(peer.rttMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <BanList />
    </section>
  );
}
