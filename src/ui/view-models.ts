/**
 * View models the page renders. They are projections made by app.ts for
 * display; the records themselves live in core and IndexedDB.
 */
import type { PeerId, TxId } from '../core/types.ts';

export type RelayStatus = 'connecting' | 'open' | 'closed';

export type Phase = 'loading' | 'ready' | 'failed';

export interface PeerView {
  id: PeerId;
  /** 'out' when this tab dialed the link, 'in' when the remote did. */
  direction: 'in' | 'out';
  state: 'connecting' | 'open';
  /** Last measured round-trip time; undefined until the first ping returns. */
  rttMs?: number;
  connectedAtMs?: number;
}

export type TxStatus = 'pending' | 'confirmed';

export interface TxView {
  id: TxId;
  from: PeerId;
  to: PeerId;
  amount: number;
  fee: number;
  nonce: number;
  status: TxStatus;
  /** Block height once confirmed. */
  height?: number;
  receivedAtMs: number;
  /** The peer that relayed it to us, or 'self' when this tab created it. */
  source: PeerId | 'self';
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  /** Increasing per store; a stable React key as old lines fall off the end. */
  seq: number;
  atMs: number;
  level: LogLevel;
  message: string;
}

export interface SelfView {
  id: PeerId;
  network: string;
}
