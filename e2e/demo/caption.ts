/**
 * The caption overlay a demo lays over each page: which tab this is and what
 * is happening now. It is injected from the outside (page.evaluate), so the
 * app carries no demo code; it is aria-hidden and lets clicks through, so it
 * changes neither what assistive technology reads nor what a test clicks.
 */
import type { TabPage } from './scenario.ts';

const OVERLAY_ID = 'tabmesh-demo-caption';

/** Shows `text` under the heading `label` at the bottom of the page; a reload loses it until the next step. */
export async function showCaption(page: TabPage, label: string, text: string): Promise<void> {
  if (page.isClosed()) return;
  await page.evaluate(
    ({ id, label, text }) => {
      let overlay = document.getElementById(id);
      if (!overlay) {
        overlay = document.createElement('div');
        overlay.id = id;
        overlay.setAttribute('aria-hidden', 'true');
        Object.assign(overlay.style, {
          position: 'fixed', left: '0', right: '0', bottom: '0', zIndex: '2147483647', pointerEvents: 'none',
          padding: '10px 16px', font: '600 18px/1.35 system-ui, sans-serif', color: '#fff',
          background: 'rgba(20, 24, 38, 0.88)', borderTop: '3px solid #f5a623', whiteSpace: 'pre-wrap',
        });
        const heading = document.createElement('div');
        heading.dataset.part = 'label';
        Object.assign(heading.style, { font: '700 13px/1.2 system-ui, sans-serif', color: '#f5a623', textTransform: 'uppercase', letterSpacing: '0.06em' });
        const body = document.createElement('div');
        body.dataset.part = 'text';
        overlay.append(heading, body);
        document.body.append(overlay);
      }
      (overlay.querySelector('[data-part="label"]') as HTMLElement).textContent = label;
      (overlay.querySelector('[data-part="text"]') as HTMLElement).textContent = text;
    },
    { id: OVERLAY_ID, label, text },
  );
}
