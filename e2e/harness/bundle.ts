/**
 * Bundles one browser entry with Vite's build API, in memory, into a single
 * script (used by the store-contract spec and the benchmark's tab agent).
 */
import { build } from 'vite';

export interface BundleInit {
  root: string;
  entry: string;
  /** 'es' for a module served as a page script, 'iife' for an init script. */
  format: 'es' | 'iife';
  /** The global name an IIFE assigns its exports to. */
  name?: string;
}

/** The code of the one chunk the entry bundles to; throws when Vite splits it. */
export async function bundleInMemory(init: BundleInit): Promise<string> {
  const result = await build({
    configFile: false,
    root: init.root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      write: false,
      minify: false,
      sourcemap: false,
      target: 'es2022',
      lib: { entry: init.entry, formats: [init.format], name: init.name, fileName: 'bundle' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunks = outputs.flatMap((out) => ('output' in out ? out.output : [])).filter((file) => file.type === 'chunk');
  if (chunks.length !== 1 || !chunks[0]!.isEntry) {
    throw new Error(`expected one entry chunk from ${init.entry}, got ${chunks.map((chunk) => chunk.fileName).join(', ') || 'none'}`);
  }
  return chunks[0]!.code;
}
