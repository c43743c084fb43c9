/** Shared bits of the bin/ entry points: environment parsing and signal handling. */

/** Reads a TCP port from the environment, exiting with a one-line message when it is not one. */
export function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) exitWith(`${name}=${raw} is not a port number (0-65535)`);
  return port;
}

export function exitWith(message: string): never {
  console.error(`tabmesh: ${message}`);
  process.exit(1);
}

/** Explains a listen failure in one line. */
export function describeListenError(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is already in use; set PORT to another one`;
  if (code === 'EACCES') return `no permission to listen on port ${port}; set PORT above 1024`;
  return `cannot start on port ${port}: ${String(error)}`;
}

/** Runs `close` on the first SIGINT/SIGTERM; a second signal exits at once. */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`tabmesh: ${signal}, shutting down`);
    close().then(
      () => process.exit(0),
      (error: unknown) => exitWith(`shutdown failed: ${String(error)}`),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
