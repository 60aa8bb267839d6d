import { formatDuration } from "../../duration.js";
import { sessionKey } from "../../types.js";
import { terminalText } from "../../util/terminal-text.js";
import { sessionName } from "../../wait/describe.js";
import type { WaitProgress, WaitSessionState, WaitStatus } from "../../wait/types.js";
import type { OutputStream } from "../command-io.js";

/** tty: lines redrawn in place; plain: a line per change, for logs; quiet: nothing. */
export type ProgressMode = "tty" | "plain" | "quiet";

export interface ProgressView {
  update(progress: WaitProgress): void;
  /** Redraws the elapsed time on a TTY; does nothing otherwise. */
  tick(now: number): void;
  /** Leaves the last state on screen; nothing is written after it. */
  close(now: number): void;
}

export interface ProgressViewOptions {
  mode: ProgressMode;
  for: WaitStatus;
  startedAt: number;
  sessions: readonly WaitSessionState[];
}

export function createProgressView(stream: OutputStream, options: ProgressViewOptions): ProgressView {
  if (options.mode === "tty") return createTtyView(stream, options);
  if (options.mode === "plain") return createPlainView(stream, options);
  return { update() {}, tick() {}, close() {} };
}

const CLEAR_LINE = "\r\u001b[2K";
const cursorUp = (lines: number) => `\u001b[${lines}A`;

function createTtyView(stream: OutputStream, options: ProgressViewOptions): ProgressView {
  const states = new Map(options.sessions.map((session) => [sessionKey(session), session]));
  let drawn = 0;
  let closed = false;
  const draw = (now: number) => {
    if (closed) return;
    const elapsed = formatDuration(Math.max(0, now - options.startedAt));
    const lines = [...states.values()].map(
      (session) => `${CLEAR_LINE}${ttyLine(session, options.for, elapsed)}\n`,
    );
    // One write per frame, so a frame is never interleaved with another writer's line.
    stream.write((drawn > 0 ? cursorUp(drawn) : "") + lines.join(""));
    drawn = lines.length;
  };
  return {
    update(progress) {
      states.set(sessionKey(progress.session), progress.session);
      draw(progress.at);
    },
    tick: draw,
    close(now) {
      draw(now);
      closed = true;
    },
  };
}

function ttyLine(session: WaitSessionState, wanted: WaitStatus, elapsed: string): string {
  const mark = session.reached ? "\u2713" : "\u2026";
  const status = session.status ?? "waiting for a first answer";
  const error = session.lastError ? `  (retrying: ${session.lastError.code})` : "";
  return terminalText(
    `${mark} ${sessionName(session)}  ${status}${session.reached ? "" : ` -> ${wanted}`}  ${elapsed}${error}`,
  );
}

function createPlainView(stream: OutputStream, options: ProgressViewOptions): ProgressView {
  // The last error code written per session, so a failing API writes one line, not one per retry.
  const lastErrorCode = new Map<string, string>();
  const stamp = (at: number) => `[+${((at - options.startedAt) / 1000).toFixed(1)}s]`;
  return {
    update({ session, previousStatus, at }) {
      const key = sessionKey(session);
      if (session.lastError) {
        if (lastErrorCode.get(key) === session.lastError.code) return;
        lastErrorCode.set(key, session.lastError.code);
        const { code, message } = session.lastError;
        stream.write(
          `${terminalText(`${stamp(at)} ${sessionName(session)}: poll failed: ${code} ${message}`)}\n`,
        );
        return;
      }
      lastErrorCode.delete(key);
      if (session.status === previousStatus) return;
      const change = previousStatus === null ? `${session.status}` : `${previousStatus} -> ${session.status}`;
      const note = session.reached ? ` (${options.for} reached)` : "";
      stream.write(`${terminalText(`${stamp(at)} ${sessionName(session)}: ${change}${note}`)}\n`);
    },
    tick() {},
    close() {},
  };
}
