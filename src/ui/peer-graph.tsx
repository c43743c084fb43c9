/**
 * The live network graph: every peer this tab knows and the links between
 * them, laid out by d3-force and drawn as SVG. React renders which nodes and
 * links exist; positions are written straight to the DOM, and propagation
 * pulses drawn on a canvas above it, from one animation frame loop, which
 * stops when the picture is still.
 *
 * Keyboard: the graph is one tab stop; arrow keys move between peers, Enter
 * or Space pins the focused peer's details below the picture.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { shortId } from './format.ts';
import { createGraphLayout, PEER_RADIUS, SELF_RADIUS, type GraphLayout } from './graph-layout.ts';
import { buildGraphDrawing, drawingKey, graphSummary, type GraphDrawing, type GraphNode } from './graph-model.ts';
import { browserFrameHost, createFrameLoop } from './frame-loop.ts';
import { createPulseLayer, newArrivals, type PulseLayer, type PulseSurface } from './graph-pulses.ts';
import { usePanel, useStoreView, useTabmesh, VIEW_REFRESH_MS } from './use-tabmesh.ts';

/** Above this many nodes, labels show only for this tab and the hovered or focused peer, so the picture stays legible. */
const MAX_LABELLED_NODES = 30;
/** The picture's height follows its width within these bounds (px). */
const MIN_HEIGHT_PX = 260;
const MAX_HEIGHT_PX = 440;
/**
 * The animation's frame interval is the view's own (VIEW_REFRESH_MS, 10 a second): the page has one
 * cadence for everything it draws. Arrivals reach the pulses through the same refreshed view as the
 * panels' renders, so a pulse starts in the task that publishes the snapshot it came with, and its
 * frames follow that publish rather than a clock of their own. Every visible tab draws its pulses
 * while transactions flow, and each frame costs style, layout, paint, raster and compositing in a
 * browser the peers share; at 20 frames a second the pulses alone were about a fifth of the browser's
 * CPU per transaction with 8 visible tabs (docs/ARCHITECTURE.md, "A transaction's path", step 4).
 */
const FRAME_MS = VIEW_REFRESH_MS;

function nodeLabel(node: GraphNode): string {
  // The name contains the node's visible text, "you" or the id's first 8 characters (WCAG 2.5.3, label in name).
  const parts = [node.self ? `This tab, ${shortId(node.id)}, you` : `Peer ${shortId(node.id)}`];
  if (!node.self) parts.push(node.linked ? 'linked to this tab' : 'not linked to this tab');
  if (node.banned) parts.push('banned');
  parts.push(`${node.degree} ${node.degree === 1 ? 'link' : 'links'}`);
  return parts.join(', ');
}

/** Self first, then this tab's links, then the rest: the order arrow keys follow. */
function focusOrder(nodes: readonly GraphNode[]): string[] {
  const rank = (node: GraphNode) => (node.self ? 0 : node.linked ? 1 : node.banned ? 3 : 2);
  return [...nodes].sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1)).map((node) => node.id);
}

interface NodesProps {
  drawing: GraphDrawing;
  focusId: string | undefined;
  activeId: string | undefined;
  showLabels: boolean;
  onActive(id: string | undefined): void;
  /** A node took focus (keyboard, click or script): the roving tab stop follows it. */
  onFocusNode(id: string): void;
  onPin(id: string): void;
  onKey(event: KeyboardEvent<SVGGElement>, id: string): void;
}

/** The node and edge elements; memoized so hover-only changes do not rebuild the rest. */
const GraphElements = memo(function GraphElements({ drawing, focusId, activeId, showLabels, onActive, onFocusNode, onPin, onKey }: NodesProps) {
  const near = useMemo(() => {
    if (!activeId) return undefined;
    const set = new Set([activeId]);
    for (const edge of drawing.edges) {
      if (edge.a === activeId) set.add(edge.b);
      if (edge.b === activeId) set.add(edge.a);
    }
    return set;
  }, [activeId, drawing.edges]);
  const bannedIds = useMemo(() => new Set(drawing.nodes.filter((node) => node.banned).map((node) => node.id)), [drawing.nodes]);

  return (
    <>
      <g className="edges" aria-hidden="true">
        {drawing.edges.map((edge) => {
          const dim = near !== undefined && edge.a !== activeId && edge.b !== activeId;
          const banned = bannedIds.has(edge.a) || bannedIds.has(edge.b);
          return <line key={edge.key} data-edge={edge.key} className={`edge${edge.own ? ' edge-own' : ''}${banned ? ' edge-banned' : ''}${dim ? ' dim' : ''}`} />;
        })}
      </g>
      {drawing.nodes.map((node) => {
        const radius = node.self ? SELF_RADIUS : PEER_RADIUS;
        const kind = node.self ? 'self' : node.banned ? 'banned' : node.linked ? 'linked' : 'known';
        const dim = near !== undefined && !near.has(node.id);
        const label = node.self ? 'you' : shortId(node.id).slice(0, 8);
        return (
          <g
            key={node.id}
            data-node-id={node.id}
            className={`node node-${kind}${dim ? ' dim' : ''}${node.id === activeId ? ' node-active' : ''}`}
            role="button"
            aria-label={nodeLabel(node)}
            tabIndex={node.id === focusId ? 0 : -1}
            onPointerEnter={() => onActive(node.id)}
            onPointerLeave={() => onActive(undefined)}
            onFocus={() => onFocusNode(node.id)}
            onBlur={() => onActive(undefined)}
            onClick={() => onPin(node.id)}
            onKeyDown={(event) => onKey(event, node.id)}
          >
            <title>{node.id}</title>
            {node.self && <circle className="node-halo" r={radius + 5} />}
            <circle className="node-dot" r={radius} />
            {node.banned && <path className="node-cross" d={`M${-radius / 2},${-radius / 2}L${radius / 2},${radius / 2}M${radius / 2},${-radius / 2}L${-radius / 2},${radius / 2}`} />}
            {(showLabels || node.self || node.id === activeId) && (
              <text className="node-label" y={radius + 13} textAnchor="middle">
                {label}
              </text>
            )}
          </g>
        );
      })}
    </>
  );
});

export interface PeerGraphProps {
  /** The peer whose details are pinned, and how to pin one (Enter, Space or a click). */
  pinnedId: string | undefined;
  onPin(id: string | undefined): void;
  onActive(id: string | undefined): void;
  activeId: string | undefined;
  drawing: GraphDrawing;
}

export function PeerGraph({ drawing, activeId, onActive, pinnedId, onPin }: PeerGraphProps) {
  const view = useStoreView();
  const panel = usePanel();
  const selfId = useTabmesh((s) => s.self?.id);
  const containerRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const pulseCanvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ width: 640, height: 360 });
  const sizeRef = useRef(size);
  sizeRef.current = size;
  const pixelRatio = window.devicePixelRatio || 1;
  const layoutRef = useRef<GraphLayout | undefined>(undefined);
  const pulsesRef = useRef<PulseLayer | undefined>(undefined);
  const elements = useRef({ nodes: new Map<string, SVGGElement>(), edges: new Map<string, SVGLineElement>() });
  const kickRef = useRef<() => void>(() => undefined);
  const selfRef = useRef(selfId);
  selfRef.current = selfId;
  const key = drawingKey(drawing);
  const order = useMemo(() => focusOrder(drawing.nodes), [drawing.nodes]);
  const [focusId, setFocusId] = useState<string | undefined>();
  const rovingId = focusId && order.includes(focusId) ? focusId : order[0];

  layoutRef.current ??= createGraphLayout(size.width, size.height);

  // Size: follow the container's width; height keeps a pleasant ratio within bounds.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const observer = new ResizeObserver(([entry]) => {
      const width = Math.max(200, Math.round(entry!.contentRect.width));
      const height = Math.round(Math.min(MAX_HEIGHT_PX, Math.max(MIN_HEIGHT_PX, width * 0.58)));
      setSize((prev) => (prev.width === width && prev.height === height ? prev : { width, height }));
    });
    observer.observe(container);
    return () => observer.disconnect();
  }, []);

  // One animation loop for layout ticks and pulses (frame-loop.ts); it sleeps when both are still.
  useEffect(() => {
    const canvas = pulseCanvasRef.current;
    const context = canvas?.getContext('2d');
    const layout = layoutRef.current!;
    const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
    const darkScheme = window.matchMedia('(prefers-color-scheme: dark)');
    let readColors: (() => void) | undefined;
    if (canvas && context) {
      const surface: PulseSurface = {
        context,
        size: () => ({ ...sizeRef.current, pixelRatio: window.devicePixelRatio || 1 }),
        colors: { tx: '', block: '', blockRing: '', link: '' },
        radii: { peer: PEER_RADIUS, self: SELF_RADIUS },
      };
      // The page's colours, read once and again when the colour scheme changes (not every frame: a style read).
      readColors = () => {
        const style = getComputedStyle(canvas);
        const color = (name: string) => style.getPropertyValue(name).trim();
        Object.assign(surface.colors, { tx: color('--accent'), block: color('--warn'), blockRing: color('--surface'), link: color('--accent') });
      };
      readColors();
      darkScheme.addEventListener('change', readColors);
      pulsesRef.current = createPulseLayer(surface);
    }
    const place = () => {
      for (const [id, el] of elements.current.nodes) {
        const p = layout.position(id);
        if (p) el.setAttribute('transform', `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`);
      }
      for (const [edgeKeyText, el] of elements.current.edges) {
        const [a, b] = edgeKeyText.split('|') as [string, string];
        const pa = layout.position(a);
        const pb = layout.position(b);
        if (!pa || !pb) continue;
        el.setAttribute('x1', pa.x.toFixed(1));
        el.setAttribute('y1', pa.y.toFixed(1));
        el.setAttribute('x2', pb.x.toFixed(1));
        el.setAttribute('y2', pb.y.toFixed(1));
      }
    };
    const loop = createFrameLoop(browserFrameHost(), {
      frameMs: FRAME_MS,
      draw(nowMs) {
        // Reduced motion: the layout jumps to rest instead of gliding there.
        let moving = layout.step();
        if (reducedMotion.matches) while (layout.step());
        if (moving || reducedMotion.matches) place();
        moving = moving && !reducedMotion.matches;
        const pulsing = pulsesRef.current?.draw(nowMs, layout.position, selfRef.current) ?? false;
        return moving || pulsing;
      },
    });
    kickRef.current = loop.kick;
    loop.kick();

    // Arrivals come with the view's publishes (at most one per VIEW_REFRESH_MS), not with every store write.
    let lastSeq = view.getState().arrivals[0]?.seq ?? 0;
    const unsubscribe = view.subscribe((state, prev) => {
      if (state.arrivals === prev.arrivals) return;
      const fresh = newArrivals(state.arrivals, lastSeq);
      lastSeq = state.arrivals[0]?.seq ?? lastSeq;
      // Nobody sees pulses in a hidden tab or a graph scrolled out of sight.
      if (reducedMotion.matches || document.hidden || panel?.view.onScreen() === false || !pulsesRef.current) return;
      const nowMs = performance.now();
      for (const arrival of fresh) if (arrival.from !== selfRef.current) pulsesRef.current.add(arrival.kind, arrival.from, nowMs);
      // Drawn with this publish rather than at the loop's own next frame: while arrivals flow, the pulses'
      // frames are the view's, and the loop's timer only finishes the pulses once the arrivals stop.
      loop.publish();
    });
    return () => {
      unsubscribe();
      if (readColors) darkScheme.removeEventListener('change', readColors);
      loop.stop();
      pulsesRef.current?.clear();
      kickRef.current = () => undefined;
    };
  }, [view, panel]);

  // After each structural render: index the new elements, hand the layout the new drawing, and draw at once.
  useLayoutEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    elements.current.nodes = new Map([...svg.querySelectorAll<SVGGElement>('[data-node-id]')].map((el) => [el.dataset.nodeId!, el]));
    elements.current.edges = new Map([...svg.querySelectorAll<SVGLineElement>('[data-edge]')].map((el) => [el.dataset.edge!, el]));
    layoutRef.current!.update(drawing);
    layoutRef.current!.step();
    for (const [id, el] of elements.current.nodes) {
      const p = layoutRef.current!.position(id);
      if (p) el.setAttribute('transform', `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`);
    }
    kickRef.current();
    // Keyed on the structure, not the drawing object: a peer's RTT update must not reheat the layout.
  }, [key]);

  useLayoutEffect(() => {
    layoutRef.current!.resize(size.width, size.height);
    kickRef.current();
  }, [size]);

  const onKey = (event: KeyboardEvent<SVGGElement>, id: string) => {
    const index = order.indexOf(id);
    let next: string | undefined;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = order[(index + 1) % order.length];
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = order[(index - 1 + order.length) % order.length];
    else if (event.key === 'Home') next = order[0];
    else if (event.key === 'End') next = order.at(-1);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onPin(pinnedId === id ? undefined : id);
      return;
    } else if (event.key === 'Escape') {
      onPin(undefined);
      return;
    } else return;
    event.preventDefault();
    if (next === undefined) return;
    setFocusId(next);
    svgRef.current?.querySelector<SVGGElement>(`[data-node-id="${next}"]`)?.focus();
  };

  return (
    <div className="graph-canvas" ref={containerRef} style={{ height: size.height }}>
      <svg ref={svgRef} width={size.width} height={size.height} viewBox={`0 0 ${size.width} ${size.height}`} role="group" aria-label="Peers in the graph">
        <GraphElements
          drawing={drawing}
          focusId={rovingId}
          activeId={activeId ?? pinnedId}
          showLabels={drawing.nodes.length <= MAX_LABELLED_NODES}
          onActive={onActive}
          onFocusNode={(id) => {
            setFocusId(id);
            onActive(id);
          }}
          onPin={(id) => onPin(pinnedId === id ? undefined : id)}
          onKey={onKey}
        />
      </svg>
      {/* Pulses move every frame: drawn on a canvas of their own, they cost no layout and leave the graph beneath alone. */}
      <canvas
        className="pulse-overlay"
        ref={pulseCanvasRef}
        width={Math.round(size.width * pixelRatio)}
        height={Math.round(size.height * pixelRatio)}
        style={{ width: size.width, height: size.height }}
        aria-hidden="true"
      />
    </div>
  );
}

/** The drawing for the current store state: the pushed graph merged with this tab, its links and its bans. */
export function useGraphDrawing(): GraphDrawing {
  const graph = useTabmesh((s) => s.graph);
  const selfId = useTabmesh((s) => s.self?.id);
  const peers = useTabmesh((s) => s.peers);
  const bans = useTabmesh((s) => s.bans);
  const drawing = useMemo(() => buildGraphDrawing(graph, selfId, peers, bans), [graph, selfId, peers, bans]);
  // Peers' RTT and traffic change every second; keep the same drawing object while its structure is unchanged.
  const stable = useRef(drawing);
  if (drawingKey(stable.current) !== drawingKey(drawing)) stable.current = drawing;
  return stable.current;
}

export { graphSummary };
