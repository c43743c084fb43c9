/**
 * Pure helpers for the network graph: normalising what app code pushes with
 * setGraph, and merging it with what the page already knows (this tab, its
 * open links, its bans) into the nodes and edges the graph draws.
 */
import { claimsLink, type LinkClaims } from '../core/peers/peer-record.ts';
import type { BanView } from './network-slice.ts';
import type { GraphEdgeView, GraphNodeView, PeerView } from './view-models.ts';

/** A node as drawn: every flag resolved. */
export interface GraphNode {
  id: string;
  self: boolean;
  linked: boolean;
  banned: boolean;
  /** Links this node has in the drawn graph. */
  degree: number;
}

/** An edge as drawn; `own` when one end is this tab (its own link). */
export interface GraphEdge {
  a: string;
  b: string;
  key: string;
  own: boolean;
}

export interface GraphDrawing {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A canonical key for an undirected edge: the smaller id first. */
export function edgeKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Deduplicates nodes (flags are OR-ed), orders each edge's ends, drops
 * self-loops and duplicate edges, and adds a node for any edge end not listed.
 * The result is sorted, so two equal graphs compare equal with `sameGraph`.
 */
export function normalizeGraph(nodes: readonly GraphNodeView[], edges: readonly GraphEdgeView[]): { nodes: GraphNodeView[]; edges: GraphEdgeView[] } {
  const nodeMap = new Map<string, GraphNodeView>();
  const addNode = (node: GraphNodeView) => {
    const known = nodeMap.get(node.id);
    const merged: GraphNodeView = { id: node.id };
    if (node.self || known?.self) merged.self = true;
    if (node.banned || known?.banned) merged.banned = true;
    if (node.linked || known?.linked) merged.linked = true;
    nodeMap.set(node.id, merged);
  };
  for (const node of nodes) if (node.id) addNode(node);
  const edgeMap = new Map<string, GraphEdgeView>();
  for (const { a, b } of edges) {
    if (!a || !b || a === b) continue;
    const key = edgeKey(a, b);
    if (edgeMap.has(key)) continue;
    edgeMap.set(key, a < b ? { a, b } : { a: b, b: a });
    if (!nodeMap.has(a)) addNode({ id: a });
    if (!nodeMap.has(b)) addNode({ id: b });
  }
  const sortedEdges = [...edgeMap.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, edge]) => edge);
  return { nodes: [...nodeMap.values()].sort(byId), edges: sortedEdges };
}

/**
 * The links that signed peer records describe. A record lists its author's
 * neighbours when it was signed, and outlives a closed link until it is
 * replaced or expires. When both ends' records are known and disagree, the
 * newer one decides (core claimsLink, the rule the peer book routes by). A
 * peer that left keeps its last record for a while, but its former
 * neighbours' newer records no longer name it, so its links go too.
 */
export function edgesFromRecords(records: readonly LinkClaims[]): GraphEdgeView[] {
  const byPeer = new Map(records.map((record) => [record.peerId, record]));
  const edges: GraphEdgeView[] = [];
  for (const record of records) {
    for (const neighbour of record.neighbours) if (claimsLink(record, neighbour, byPeer.get(neighbour))) edges.push({ a: record.peerId, b: neighbour });
  }
  return edges;
}

/** True when two normalised graphs have the same nodes, flags and edges. */
export function sameGraph(x: { nodes: readonly GraphNodeView[]; edges: readonly GraphEdgeView[] }, y: { nodes: readonly GraphNodeView[]; edges: readonly GraphEdgeView[] }): boolean {
  if (x.nodes.length !== y.nodes.length || x.edges.length !== y.edges.length) return false;
  for (let i = 0; i < x.nodes.length; i++) {
    const p = x.nodes[i]!;
    const q = y.nodes[i]!;
    if (p.id !== q.id || !p.self !== !q.self || !p.banned !== !q.banned || !p.linked !== !q.linked) return false;
  }
  for (let i = 0; i < x.edges.length; i++) {
    if (x.edges[i]!.a !== y.edges[i]!.a || x.edges[i]!.b !== y.edges[i]!.b) return false;
  }
  return true;
}

/**
 * The graph to draw: the pushed graph plus this tab, an edge to every open
 * link (and no other edge at this tab), and every held-off peer, with flags
 * resolved from all three sources.
 * A banned peer's links are still drawn (others may link to it), dashed.
 */
export function buildGraphDrawing(
  graph: { nodes: readonly GraphNodeView[]; edges: readonly GraphEdgeView[] },
  selfId: string | undefined,
  peers: Readonly<Record<string, PeerView>>,
  bans: readonly BanView[],
): GraphDrawing {
  const openIds = Object.values(peers).filter((peer) => peer.state === 'open').map((peer) => peer.id);
  const extraNodes: GraphNodeView[] = [];
  if (selfId) extraNodes.push({ id: selfId, self: true });
  for (const id of openIds) extraNodes.push({ id, linked: true });
  for (const ban of bans) extraNodes.push({ id: ban.peerId, banned: true });
  const ownEdges = selfId ? openIds.map((id) => ({ a: selfId, b: id })) : [];
  // This tab's own links are exactly its open links: another record's claim of a link to this tab is stale.
  const othersEdges = graph.edges.filter((edge) => edge.a !== selfId && edge.b !== selfId);
  const merged = normalizeGraph([...graph.nodes, ...extraNodes], [...othersEdges, ...ownEdges]);

  const degree = new Map<string, number>();
  const edges: GraphEdge[] = merged.edges.map(({ a, b }) => {
    degree.set(a, (degree.get(a) ?? 0) + 1);
    degree.set(b, (degree.get(b) ?? 0) + 1);
    return { a, b, key: edgeKey(a, b), own: a === selfId || b === selfId };
  });
  const linkedToSelf = new Set(edges.filter((edge) => edge.own).map((edge) => (edge.a === selfId ? edge.b : edge.a)));
  const nodes: GraphNode[] = merged.nodes.map((node) => ({
    id: node.id,
    self: node.id === selfId || node.self === true,
    linked: node.linked === true || linkedToSelf.has(node.id),
    banned: node.banned === true,
    degree: degree.get(node.id) ?? 0,
  }));
  return { nodes, edges };
}

/** A string that changes exactly when the drawing's nodes, flags or edges change; the layout restarts only then. */
export function drawingKey(drawing: GraphDrawing): string {
  const nodes = drawing.nodes.map((n) => `${n.id}${n.self ? 's' : ''}${n.linked ? 'l' : ''}${n.banned ? 'b' : ''}`).join(',');
  return `${nodes}#${drawing.edges.map((e) => e.key).join(',')}`;
}

/** The text alternative, e.g. "6 peers and this tab, 9 links (3 to this tab), 1 banned". */
export function graphSummary(drawing: GraphDrawing): string {
  const others = drawing.nodes.filter((node) => !node.self).length;
  const hasSelf = drawing.nodes.some((node) => node.self);
  const own = drawing.edges.filter((edge) => edge.own).length;
  const banned = drawing.nodes.filter((node) => node.banned).length;
  const peers = `${others} ${others === 1 ? 'peer' : 'peers'}${hasSelf ? ' and this tab' : ''}`;
  const links = `${drawing.edges.length} ${drawing.edges.length === 1 ? 'link' : 'links'}${hasSelf ? ` (${own} to this tab)` : ''}`;
  return `${peers}, ${links}${banned > 0 ? `, ${banned} banned` : ''}`;
}
