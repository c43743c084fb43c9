/**
 * Propagation pulses: a dot that travels along the link from the peer that
 * delivered a transaction or block to this tab, the link lit while it
 * crosses. Drawn on a canvas over the graph by the graph's animation frame,
 * so 100 arrivals a second cost no React renders, and no layout: the SVG
 * circles they used to be, moved by attribute every frame, invalidated the
 * SVG's layout and with it the page's, on every visible tab
 * (docs/PERFORMANCE.md).
 */
import type { ArrivalKind, ArrivalView } from './view-models.ts';

/** How long a pulse takes to cross its link: long enough to follow with the eye; a block, rarer and weightier, moves slower. */
export const PULSE_MS: Record<ArrivalKind, number> = { tx: 700, block: 1400 };
/** Pulses drawn at once; beyond this the oldest make way (at 100 tx/s the picture shows flow, not each one). */
export const MAX_PULSES = 32;
/**
 * Transactions from one peer closer together than this share a pulse. At
 * 100 tx/s a dot per transaction is a blur to the eye and, in software
 * rendering, cost about a fifth of the main thread (measured); one per link
 * per 150 ms still reads as a stream.
 */
export const MIN_TX_PULSE_GAP_MS = 150;

/** Eased progress in [0, 1] of a pulse started at `startMs`, or undefined once it has arrived. */
export function pulseProgress(startMs: number, nowMs: number, durationMs: number): number | undefined {
  const t = (nowMs - startMs) / durationMs;
  if (t >= 1) return undefined;
  const clamped = Math.max(0, t);
  // Ease in and out (smoothstep): the dot leaves and lands gently.
  return clamped * clamped * (3 - 2 * clamped);
}

/** The arrivals in `arrivals` (newest first) newer than `afterSeq`, oldest first. */
export function newArrivals(arrivals: readonly ArrivalView[], afterSeq: number): ArrivalView[] {
  const fresh: ArrivalView[] = [];
  for (const arrival of arrivals) {
    if (arrival.seq <= afterSeq) break;
    fresh.push(arrival);
  }
  return fresh.reverse();
}

interface Pulse {
  from: string;
  kind: ArrivalKind;
  startMs: number;
}

type Point = { x: number; y: number };

/** What the layer draws with: a 2D canvas context (tests pass a recording fake). */
export type PulseContext = Pick<CanvasRenderingContext2D, 'setTransform' | 'clearRect' | 'beginPath' | 'arc' | 'moveTo' | 'lineTo' | 'fill' | 'stroke'> &
  Pick<CanvasRenderingContext2D, 'fillStyle' | 'strokeStyle' | 'lineWidth' | 'lineCap'>;

/** The canvas the pulses are drawn on, in CSS pixels, and the page's colours for them. */
export interface PulseSurface {
  context: PulseContext;
  /** Read at every frame: the graph resizes, and a resized canvas starts blank. */
  size(): { width: number; height: number; pixelRatio: number };
  colors: { tx: string; block: string; blockRing: string; link: string };
  /** Radii of the dots at each end of a link, so a lit link is drawn between them, not over them. */
  radii: { peer: number; self: number };
}

/** Dot radii and the lit link's width, in CSS pixels (the graph's .pulse and .edge-active styles were the same). */
const DOT_RADIUS: Record<ArrivalKind, number> = { tx: 4, block: 6 };
const BLOCK_RING_WIDTH = 1.5;
const LIT_LINK_WIDTH = 3;

export interface PulseLayer {
  /** Starts a pulse from `from` toward this tab. */
  add(kind: ArrivalKind, from: string, nowMs: number): void;
  /** Draws every pulse and the links they cross. True while any pulse is moving. */
  draw(nowMs: number, position: (id: string) => Point | undefined, selfId: string | undefined): boolean;
  clear(): void;
}

export function createPulseLayer(surface: PulseSurface): PulseLayer {
  const { context, colors, radii } = surface;
  let pulses: Pulse[] = [];
  /** When each peer's last transaction pulse started. */
  const lastTxPulseMs = new Map<string, number>();

  const blank = () => {
    const { width, height, pixelRatio } = surface.size();
    context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
    context.clearRect(0, 0, width, height);
  };

  /** The link from `source` to `target`, between the two dots. */
  const litLink = (source: Point, target: Point) => {
    const dx = target.x - source.x;
    const dy = target.y - source.y;
    const length = Math.hypot(dx, dy);
    if (length <= radii.peer + radii.self) return;
    context.moveTo(source.x + (dx * radii.peer) / length, source.y + (dy * radii.peer) / length);
    context.lineTo(target.x - (dx * radii.self) / length, target.y - (dy * radii.self) / length);
  };

  return {
    add(kind, from, nowMs) {
      if (kind === 'tx') {
        const last = lastTxPulseMs.get(from);
        if (last !== undefined && nowMs - last < MIN_TX_PULSE_GAP_MS) return;
        lastTxPulseMs.set(from, nowMs);
        // Forget peers that have gone quiet, so the map stays as small as the set of active links.
        if (lastTxPulseMs.size > 4 * MAX_PULSES) for (const [peer, at] of lastTxPulseMs) if (nowMs - at > MIN_TX_PULSE_GAP_MS) lastTxPulseMs.delete(peer);
      }
      if (pulses.length >= MAX_PULSES) pulses.shift();
      pulses.push({ from, kind, startMs: nowMs });
    },
    draw(nowMs, position, selfId) {
      blank();
      const target = selfId === undefined ? undefined : position(selfId);
      const moving: { pulse: Pulse; at: Point }[] = [];
      const lit = new Map<string, Point>();
      pulses = pulses.filter((pulse) => {
        const t = pulseProgress(pulse.startMs, nowMs, PULSE_MS[pulse.kind]);
        const source = position(pulse.from);
        if (t === undefined || !source || !target) return false;
        lit.set(pulse.from, source);
        moving.push({ pulse, at: { x: source.x + (target.x - source.x) * t, y: source.y + (target.y - source.y) * t } });
        return true;
      });
      if (target && lit.size > 0) {
        context.beginPath();
        for (const source of lit.values()) litLink(source, target);
        context.strokeStyle = colors.link;
        context.lineWidth = LIT_LINK_WIDTH;
        context.lineCap = 'round';
        context.stroke();
      }
      for (const { pulse, at } of moving) {
        context.beginPath();
        context.arc(at.x, at.y, DOT_RADIUS[pulse.kind], 0, 2 * Math.PI);
        context.fillStyle = pulse.kind === 'block' ? colors.block : colors.tx;
        context.fill();
        if (pulse.kind === 'block') {
          context.strokeStyle = colors.blockRing;
          context.lineWidth = BLOCK_RING_WIDTH;
          context.stroke();
        }
      }
      return pulses.length > 0;
    },
    clear() {
      pulses = [];
      blank();
    },
  };
}
