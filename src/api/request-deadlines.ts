import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";

/**
 * One request's deadline, and its abort signal as undici accepts it (`signal?: AbortSignal |
 * EventEmitter`: it reads `aborted` and `reason` and listens for "abort"). One object per request:
 * much cheaper than an AbortController, a timer and a listener each.
 */
export class RequestDeadline extends EventEmitter {
  aborted = false;
  reason: unknown;
  /** True once the deadline, not the caller, aborted the request. */
  timedOut = false;

  constructor(
    readonly expiresAt: number,
    readonly outer: AbortSignal | undefined,
    private readonly owner: RequestDeadlines,
  ) {
    super();
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit("abort");
  }

  /** The request settled: forget it. */
  dispose(): void {
    this.owner.release(this);
  }
}

/** Deadlines are checked this often at most … */
const MAX_TICK_MS = 250;
/** … and at least this often, for short timeouts. */
const MIN_TICK_MS = 10;

/**
 * The whole-request deadlines of one client, merged with each caller's signal. Hand-rolled instead
 * of `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: on Node 20 `any` keeps every combined signal
 * reachable from a long-lived parent (the daemon's shutdown signal) forever, about 1 KB per poll, and
 * `timeout` keeps its timer until it fires.
 *
 * One timer checks every request in flight, rather than a timer and an abort listener per request:
 * those made up a tenth of a poll's CPU, most of it in garbage collection (docs/benchmarks.md). Every
 * request of a client has the same timeout, so the order they started in is the order they expire in,
 * and a check stops at the first one still in time. A timeout fires up to an eighth of itself late
 * (at most 250 ms), which no caller can tell from a slow network.
 */
export class RequestDeadlines {
  private readonly inFlight = new Set<RequestDeadline>();
  /** One abort listener per caller signal with requests in flight, however many there are. */
  private readonly outerSignals = new Map<AbortSignal, { requests: number; onAbort: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

  constructor(private readonly timeoutMs: number) {
    this.tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.round(timeoutMs / 8)));
  }

  /** A new request's deadline; the caller must dispose() it once the request settles. */
  start(outer: AbortSignal | undefined): RequestDeadline {
    const deadline = new RequestDeadline(performance.now() + this.timeoutMs, outer, this);
    this.inFlight.add(deadline);
    if (outer) this.watch(outer);
    // Kept running while requests come and go; a check that finds none in flight stops it.
    this.timer ??= setInterval(() => this.check(), this.tickMs).unref();
    return deadline;
  }

  release(deadline: RequestDeadline): void {
    if (!this.inFlight.delete(deadline) || !deadline.outer) return;
    const watched = this.outerSignals.get(deadline.outer);
    if (watched && --watched.requests === 0) {
      deadline.outer.removeEventListener("abort", watched.onAbort);
      this.outerSignals.delete(deadline.outer);
    }
  }

  private watch(outer: AbortSignal): void {
    const watched = this.outerSignals.get(outer);
    if (watched) {
      watched.requests++;
      return;
    }
    const onAbort = () => {
      for (const deadline of this.inFlight) if (deadline.outer === outer) deadline.abort(outer.reason);
    };
    this.outerSignals.set(outer, { requests: 1, onAbort });
    outer.addEventListener("abort", onAbort, { once: true });
  }

  private check(): void {
    const now = performance.now();
    for (const deadline of this.inFlight) {
      if (deadline.expiresAt > now) break;
      deadline.timedOut = true;
      deadline.abort(new DOMException(`no answer within ${this.timeoutMs}ms`, "TimeoutError"));
    }
    if (this.inFlight.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
