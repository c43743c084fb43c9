/**
 * Each signaling route of this tab and its state (issue 19 §3): the relay
 * servers by host, and the same-browser BroadcastChannel as "this browser".
 * The header's badge sums up the relays; this list says which one is down.
 */
import { useTabmesh } from './use-tabmesh.ts';
import type { RelayStatus, RelayView } from './view-models.ts';

const STATUS_LABEL: Record<RelayStatus, string> = { open: 'connected', connecting: 'connecting', closed: 'offline' };

/** A relay's host (the path is nearly always /signal); the full URL is in the title. */
function labelOf(relay: RelayView): string {
  if (relay.local) return 'this browser';
  return URL.canParse(relay.url) ? new URL(relay.url).host : relay.url;
}

export function RelayList() {
  const relays = useTabmesh((s) => s.relays);
  if (relays.length === 0) return null;
  return (
    <ul className="relay-list" aria-label="Relays">
      {relays.map((relay) => (
        <li
          key={relay.url}
          className={`relay-item relay-${relay.status}`}
          title={`${relay.local ? 'same-browser signaling (BroadcastChannel)' : relay.url}: ${STATUS_LABEL[relay.status]}`}
          data-relay-url={relay.url}
          data-relay-status={relay.status}
        >
          <span className="dot" aria-hidden="true" />
          {labelOf(relay)} <span className="relay-item-status">{STATUS_LABEL[relay.status]}</span>
        </li>
      ))}
    </ul>
  );
}
