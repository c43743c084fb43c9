/**
 * Runs a TypeScript entry point (a bin, `npm start`'s server) as a child
 * process, as a user would, and keeps what it prints. For tests only.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ScriptRun {
  readonly child: ChildProcess;
  /** The exit code, or the signal's name when it was killed by one. */
  readonly exited: Promise<number | string>;
  /** stdout and stderr together, in the order they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
}

/** Starts `node --import tsx script ...args`, with `env` over this process's environment. */
export function spawnScript(script: string, args: readonly string[] = [], env: Record<string, string> = {}): ScriptRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, exited, output: () => output, stdout: () => stdout, stderr: () => stderr };
}
