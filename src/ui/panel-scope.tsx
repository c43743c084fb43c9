/**
 * Gives the panel inside it a view of the store that slows down while the
 * panel is scrolled out of sight (panel-view.ts). The panel puts
 * `usePanelRef()` on its outermost element; a panel that does not stays live.
 * It renders no element of its own, so the page's grid and the phone layout's
 * panel order see the panel itself.
 */
import { useState, type ReactNode } from 'react';
import { createPanel, PanelContext, useTabmeshStore } from './use-tabmesh.ts';

export function PanelScope({ children }: { children: ReactNode }) {
  const store = useTabmeshStore();
  const [panel] = useState(() => createPanel(store));
  return <PanelContext value={panel}>{children}</PanelContext>;
}
