/** A minimal typed event emitter, so core needs no DOM EventTarget. */
type AnyHandler = (...args: unknown[]) => void;

export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly handlers = new Map<keyof Events, Set<AnyHandler>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const stored = handler as unknown as AnyHandler;
    set.add(stored);
    return () => set.delete(stored);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}
