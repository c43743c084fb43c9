/**
 * "Reload to update", offered when peers run a newer protocol or a newer
 * build of the page is waiting in the service worker (update-slice.ts). It
 * never reloads by itself: a reload in the middle of a send would lose the
 * form, so only the button does.
 */
import { useTabmesh } from './use-tabmesh.ts';
import { updateOffered } from './update-slice.ts';

const reloadPage = () => window.location.reload();

export function UpdateNotice() {
  const update = useTabmesh((s) => s.update);
  const activate = useTabmesh((s) => s.activateWaitingWorker);
  if (!updateOffered(update)) return null;
  const peers = update.newerPeerIds.length;
  const why = update.workerWaiting
    ? 'A newer version of this page has been downloaded.'
    : `${peers === 1 ? 'A peer runs' : `${peers} peers run`} a newer version of tabmesh${update.newestProtocol !== undefined ? ` (protocol ${update.newestProtocol})` : ''}.`;
  return (
    <div className="banner banner-info" role="status" data-update="offered">
      <strong>Update available.</strong> {why} Nothing reloads until you choose to.{' '}
      <button type="button" onClick={activate ?? reloadPage}>Reload to update</button>
    </div>
  );
}
