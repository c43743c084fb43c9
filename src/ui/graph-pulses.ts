/**
 * Propagation pulses: a dot that travels along the link from the peer that
 * delivered a transaction or block to this tab. Plain DOM (SVG circles in a
 * pool) driven by the graph's animation frame, so 100 arrivals a second cost
 * no React renders.
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

const SVG_NS = 'http://www.w3.org/2000/svg';

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
  el: SVGCircleElement;
  /** The link lit while this pulse crosses it. */
  edge?: Element;
}

type Point = { x: number; y: number };

export interface PulseLayer {
  /** Starts a pulse from `from` toward this tab. */
  add(kind: ArrivalKind, from: string, nowMs: number): void;
  /** Moves every pulse; `edgeEl` finds the line to light up while a pulse crosses it. True while any pulse is moving. */
  draw(nowMs: number, position: (id: string) => Point | undefined, selfId: string | undefined, edgeEl: (from: string) => Element | undefined): boolean;
  clear(): void;
}

export function createPulseLayer(layer: SVGGElement): PulseLayer {
  const pulses: Pulse[] = [];
  const pool: SVGCircleElement[] = [];
  /** When each peer's last transaction pulse started. */
  const lastTxPulseMs = new Map<string, number>();
  /** Pulses crossing each link, so a link stays lit while any of them is on it. */
  const lit = new Map<Element, number>();

  const release = (pulse: Pulse) => {
    pulse.el.remove();
    pool.push(pulse.el);
    const edge = pulse.edge;
    if (edge && lit.has(edge)) {
      const left = lit.get(edge)! - 1;
      if (left <= 0) {
        lit.delete(edge);
        edge.classList.remove('edge-active');
      } else lit.set(edge, left);
    }
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
      if (pulses.length >= MAX_PULSES) release(pulses.shift()!);
      const el = pool.pop() ?? document.createElementNS(SVG_NS, 'circle');
      el.setAttribute('class', `pulse pulse-${kind}`);
      el.setAttribute('r', kind === 'block' ? '6' : '4');
      el.setAttribute('cx', '-100');
      el.setAttribute('cy', '-100');
      layer.appendChild(el);
      pulses.push({ from, kind, startMs: nowMs, el });
    },
    draw(nowMs, position, selfId, edgeEl) {
      const target = selfId === undefined ? undefined : position(selfId);
      for (let i = pulses.length - 1; i >= 0; i--) {
        const pulse = pulses[i]!;
        const t = pulseProgress(pulse.startMs, nowMs, PULSE_MS[pulse.kind]);
        const source = position(pulse.from);
        if (t === undefined || !source || !target) {
          pulses.splice(i, 1);
          release(pulse);
          continue;
        }
        if (!pulse.edge) {
          const edge = edgeEl(pulse.from);
          if (edge) {
            pulse.edge = edge;
            lit.set(edge, (lit.get(edge) ?? 0) + 1);
            edge.classList.add('edge-active');
          }
        }
        pulse.el.setAttribute('cx', String(source.x + (target.x - source.x) * t));
        pulse.el.setAttribute('cy', String(source.y + (target.y - source.y) * t));
      }
      return pulses.length > 0;
    },
    clear() {
      for (const pulse of pulses.splice(0)) release(pulse);
      for (const edge of lit.keys()) edge.classList.remove('edge-active');
      lit.clear();
    },
  };
}
