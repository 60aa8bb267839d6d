import type { CommandIO, SignalName } from "../../src/cli/command-io.js";

export interface CapturedIO extends CommandIO {
  stdoutText(): string;
  stderrText(): string;
  /** Runs the handlers the command registered for `signal`, as the process would. */
  raise(signal: SignalName): void;
  /** How many handlers are still registered (a command must unsubscribe when it ends). */
  handlerCount(): number;
}

/** In-process CLI streams and environment; `isTTY` picks the progress style. */
export function captureIO(env: Record<string, string | undefined>, cwd: string, isTTY = false): CapturedIO {
  let stdout = "";
  let stderr = "";
  const handlers = new Map<SignalName, Set<() => void>>();
  return {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY },
    env,
    cwd,
    onSignal(signal, handler) {
      const set = handlers.get(signal) ?? new Set();
      set.add(handler);
      handlers.set(signal, set);
      return () => set.delete(handler);
    },
    stdoutText: () => stdout,
    stderrText: () => stderr,
    raise(signal) {
      for (const handler of handlers.get(signal) ?? []) handler();
    },
    handlerCount: () => [...handlers.values()].reduce((sum, set) => sum + set.size, 0),
  };
}
