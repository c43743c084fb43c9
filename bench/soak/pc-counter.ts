/**
 * Counts the RTCPeerConnections a page creates over its lifetime, the figure
 * Chromium caps at 500 per page (failed dials count too: js-libp2p #2591).
 * The app keeps no such counter (its `linksOpened` stat counts links that
 * completed HELLO, not dials), so an init script wraps the constructor before
 * the page's own scripts run. simple-peer looks the constructor up on
 * `globalThis` each time it builds a connection (getBrowserRTC), so the
 * wrapper sees every one.
 */

/** What the wrapper has counted in one page. */
export interface PcCounts {
  /** Constructor calls: every RTCPeerConnection the page made, the count Chromium's cap is on. */
  created: number;
  /** Those that reached connectionState 'connected'. */
  connected: number;
  /** Those that reached 'failed' (a dial that never linked). */
  failed: number;
  /** Those still open (not 'closed' or 'failed'), read when sampled. */
  open: number;
  /** Closed or failed without ever connecting: dials that cost a connection and gave no link. */
  wasted: number;
  /** Of the wasted, those that never had a remote description: an offer nobody answered (a departed peer, or the loser of a glare). */
  unanswered: number;
}

declare global {
  interface Window {
    __soakPc?: { counts(): PcCounts };
  }
}

/**
 * The init script, as source text for context.addInitScript({content}): a
 * string rather than a function, because tsx's keepNames would wrap the
 * function's inner names in a helper the page does not have (bench/page/agent.ts).
 */
export const PC_COUNTER_SCRIPT = `(() => {
  const Native = globalThis.RTCPeerConnection;
  if (typeof Native !== 'function' || globalThis.__soakPc) return;
  let created = 0, connected = 0, failed = 0, wasted = 0, unanswered = 0;
  const live = new Set();
  const ended = (pc, reached) => {
    if (!live.delete(pc) || reached) return;
    wasted++;
    if (!pc.remoteDescription) unanswered++;
  };
  class CountedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      created++;
      live.add(this);
      let reached = false;
      this.addEventListener('connectionstatechange', () => {
        const state = this.connectionState;
        if (state === 'connected' && !reached) { reached = true; connected++; }
        if (state === 'failed') failed++;
        if (state === 'failed' || state === 'closed') ended(this, reached);
      });
      this.__soakReached = () => reached;
    }
    close() { ended(this, this.__soakReached()); return super.close(); }
  }
  globalThis.RTCPeerConnection = CountedPeerConnection;
  if ('webkitRTCPeerConnection' in globalThis) globalThis.webkitRTCPeerConnection = CountedPeerConnection;
  globalThis.__soakPc = { counts: () => ({ created, connected, failed, open: live.size, wasted, unanswered }) };
})();`;
