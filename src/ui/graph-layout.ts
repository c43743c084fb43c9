/**
 * The network graph's layout: a d3-force simulation that the page ticks from
 * its own animation frame (so one loop drives both the layout and the
 * propagation pulses, and nothing runs while the picture is still).
 * Nodes keep their positions across updates; a new node starts beside a
 * neighbour, or on a ring at an angle derived from its id, so the same
 * network settles into a similar picture in every tab.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import type { GraphDrawing } from './graph-model.ts';

export interface LayoutNode extends SimulationNodeDatum {
  id: string;
  radius: number;
  self: boolean;
}

type LayoutLink = SimulationLinkDatum<LayoutNode>;

/** Node radii in px: this tab stands out; the rest are alike. */
export const SELF_RADIUS = 11;
export const PEER_RADIUS = 7;
/** Room kept between a node and the picture's edge, for its label. */
const MARGIN_PX = 18;
/** Reheat on a change: enough to settle a new node, not enough to scramble a settled picture. */
const REHEAT_ALPHA = 0.35;
const INITIAL_ALPHA = 1;

/** A number in [0, 1) from a string (FNV-1a), for placement that is the same in every tab. */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/** Links as long as the picture allows: about a quarter of its smaller side, within readable bounds (px). */
export function linkDistance(width: number, height: number): number {
  return Math.min(140, Math.max(52, Math.min(width, height) / 3.8));
}

export interface GraphLayout {
  /** Adopts the drawing's nodes and links, keeping known nodes where they are, and reheats if anything changed. */
  update(drawing: GraphDrawing): void;
  /** Sets the picture's size in px; the layout pulls toward the new centre. */
  resize(width: number, height: number): void;
  /** Advances the simulation one tick; false once it has settled. */
  step(): boolean;
  position(id: string): { x: number; y: number } | undefined;
  nodes(): readonly LayoutNode[];
}

export function createGraphLayout(initialWidth: number, initialHeight: number): GraphLayout {
  let width = initialWidth;
  let height = initialHeight;
  let byId = new Map<string, LayoutNode>();
  let started = false;

  const link = forceLink<LayoutNode, LayoutLink>([])
    .id((node) => node.id)
    .distance(linkDistance(width, height))
    .strength(0.5);
  const charge = forceManyBody<LayoutNode>().strength(-4 * linkDistance(width, height)).distanceMax(480);
  const centreX = forceX<LayoutNode>(width / 2).strength((node) => (node.self ? 0.25 : 0.05));
  const centreY = forceY<LayoutNode>(height / 2).strength((node) => (node.self ? 0.25 : 0.07));
  const simulation = forceSimulation<LayoutNode>([])
    .stop()
    .alphaDecay(0.03)
    .force('charge', charge)
    .force('link', link)
    .force('x', centreX)
    .force('y', centreY)
    .force('collide', forceCollide<LayoutNode>((node) => node.radius + 8));

  function place(id: string, neighbours: string[]): { x: number; y: number } {
    const angle = unitHash(id) * 2 * Math.PI;
    const anchor = neighbours.map((other) => byId.get(other)).find((node) => node?.x !== undefined);
    if (anchor?.x !== undefined && anchor.y !== undefined) return { x: anchor.x + 30 * Math.cos(angle), y: anchor.y + 30 * Math.sin(angle) };
    const ring = Math.min(width, height) * 0.35;
    return { x: width / 2 + ring * Math.cos(angle), y: height / 2 + ring * Math.sin(angle) };
  }

  return {
    update(drawing) {
      const neighbours = new Map<string, string[]>();
      for (const edge of drawing.edges) {
        neighbours.set(edge.a, [...(neighbours.get(edge.a) ?? []), edge.b]);
        neighbours.set(edge.b, [...(neighbours.get(edge.b) ?? []), edge.a]);
      }
      const next = new Map<string, LayoutNode>();
      for (const node of drawing.nodes) {
        const radius = node.self ? SELF_RADIUS : PEER_RADIUS;
        const known = byId.get(node.id);
        if (known) {
          known.radius = radius;
          known.self = node.self;
          next.set(node.id, known);
        } else {
          next.set(node.id, { id: node.id, radius, self: node.self, ...place(node.id, neighbours.get(node.id) ?? []) });
        }
      }
      byId = next;
      simulation.nodes([...next.values()]);
      link.links(drawing.edges.map((edge) => ({ source: edge.a, target: edge.b })));
      // Strengths are per node: re-read them now that `self` may have moved.
      centreX.strength((node) => (node.self ? 0.25 : 0.05));
      centreY.strength((node) => (node.self ? 0.25 : 0.07));
      simulation.alpha(Math.max(simulation.alpha(), started ? REHEAT_ALPHA : INITIAL_ALPHA));
      started = true;
    },
    resize(nextWidth, nextHeight) {
      if (nextWidth === width && nextHeight === height) return;
      width = nextWidth;
      height = nextHeight;
      centreX.x(width / 2);
      centreY.y(height / 2);
      link.distance(linkDistance(width, height));
      charge.strength(-4 * linkDistance(width, height));
      simulation.alpha(Math.max(simulation.alpha(), REHEAT_ALPHA));
    },
    step() {
      if (simulation.alpha() < simulation.alphaMin()) return false;
      simulation.tick();
      for (const node of byId.values()) {
        node.x = Math.min(width - MARGIN_PX, Math.max(MARGIN_PX, node.x ?? width / 2));
        node.y = Math.min(height - MARGIN_PX, Math.max(MARGIN_PX, node.y ?? height / 2));
      }
      return true;
    },
    position(id) {
      const node = byId.get(id);
      return node?.x === undefined || node.y === undefined ? undefined : { x: node.x, y: node.y };
    },
    nodes: () => [...byId.values()],
  };
}
