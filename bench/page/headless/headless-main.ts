/**
 * The app's peer without its view: the same startTabmesh (src/app.ts) and the
 * same page store, which the peer keeps updating, but nothing renders it.
 * The bench runs propagation on this page beside the real one to separate
 * the cost of rendering (React, DOM, style, layout, paint) from the cost of
 * the protocol, verification and storage. A diagnostic, never a figure.
 */
import { startTabmesh } from '../../../src/app.ts';
import { createTabmeshStore } from '../../../src/ui/store.ts';

startTabmesh(createTabmeshStore());
