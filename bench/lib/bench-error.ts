/** A figure could not be measured (setup failed, a wait timed out); the message says which and why. */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}
