/**
 * Consensus changes activated by miners (docs/PROTOCOL.md, "Deployments"):
 * each deployment this build knows, its state for the next block, and the
 * share of signalling blocks in the current window against the threshold.
 */
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';
import type { DeploymentView } from './ledger-slices.ts';

/** What each state means for someone watching, in a few words. */
const STATE_HINTS: Record<DeploymentView['state'], string> = {
  DEFINED: 'waiting for its start height',
  STARTED: 'miners signal; locks in when a window reaches the threshold',
  LOCKED_IN: 'activates at the next window',
  ACTIVE: 'enforced',
  FAILED: 'timed out; never enforced',
};

const STATE_CLASSES: Partial<Record<DeploymentView['state'], string>> = { ACTIVE: 'status-confirmed', FAILED: 'status-dropped' };

function DeploymentRow({ deployment }: { deployment: DeploymentView }) {
  const { name, bit, state, window, threshold, elapsed, count, share } = deployment;
  const label = state === 'LOCKED_IN' ? 'locked in' : state.toLowerCase();
  return (
    <tr data-deployment={name} data-state={state}>
      <th scope="row">
        <code>{name}</code> <span className="muted">bit {bit}</span>
      </th>
      <td>
        <span className={`badge ${STATE_CLASSES[state] ?? ''}`} title={STATE_HINTS[state]}>
          {label}
        </span>
      </td>
      <td className="num" data-share={share} title={`${count} of the ${elapsed} blocks of this window so far signal; ${threshold} of ${window} lock it in`}>
        {elapsed === 0 ? '—' : `${Math.round(share * 100)}%`} <span className="muted">({count}/{elapsed}, needs {threshold}/{window})</span>
      </td>
    </tr>
  );
}

export function DeploymentsPanel() {
  const panelRef = usePanelRef();
  const deployments = useTabmesh((s) => s.deployments);
  return (
    <section ref={panelRef} className="panel panel-deployments" aria-label="Deployments">
      <h2>Deployments</h2>
      {deployments.length === 0 ? (
        <p className="empty">This build knows no consensus change.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">State</th>
              <th scope="col">Signalling this window</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((deployment) => (
              <DeploymentRow key={deployment.name} deployment={deployment} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
