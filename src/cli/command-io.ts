/**
 * Everything a command touches of the outside world, passed in rather than read from globals,
 * so tests run commands in-process with captured streams and their own environment.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export type SignalName = "SIGINT" | "SIGTERM" | "SIGHUP";

export interface CommandIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Subscribes to a process signal; returns the unsubscribe function. */
  onSignal(signal: SignalName, handler: () => void): () => void;
}

/** Options every command accepts (README, Commands). */
export interface GlobalOptions {
  watchlist?: string;
  logLevel?: string;
  /** `--log-format json|pretty` (else AUTHWATCH_LOG_FORMAT, else pretty on a TTY without NO_COLOR). */
  logFormat?: string;
  /** `--state PATH`: the state file, beating AUTHWATCH_STATE and the watchlist. */
  state?: string;
}

export function processIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
  };
}
