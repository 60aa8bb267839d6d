import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";

/** A poll answer as the probe saw it arrive, before any of authwatch's code ran on it. */
export interface ProbedAnswer {
  path: string;
  statusCode: number;
  /** performance.now() when the status line and headers arrived. */
  arrivedAt: number;
  /** The body, only when the probe was asked to keep bodies. */
  body: string | undefined;
}

export interface ProbeOptions {
  /** Called when an answer has been read completely (after the client's handler saw it too). */
  onAnswer?: (answer: ProbedAnswer) => void;
  keepBodies?: boolean;
  /** Called synchronously as the first request is handed to the pool (e.g. to read process.cpuUsage()). */
  onFirstDispatch?: () => void;
}

export interface Probe {
  /** The wrapped pool; give it to the code under measurement. */
  readonly dispatcher: Dispatcher;
  /** performance.now() of the first request handed to the pool, or undefined. */
  firstDispatchAt(): number | undefined;
  dispatched(): number;
  answered(): number;
  close(): Promise<void>;
}

/**
 * Wraps a connection pool in an undici interceptor that counts requests and time-stamps answers at
 * the moment their headers arrive. Both the baselines and authwatch get the same wrapper, so its
 * small cost is on both sides of every ratio.
 */
export function probeDispatcher(pool: Dispatcher, options: ProbeOptions = {}): Probe {
  let first: number | undefined;
  let dispatched = 0;
  let answered = 0;
  const onAnswer = options.onAnswer;
  const keepBodies = options.keepBodies === true;

  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    dispatched++;
    if (first === undefined) {
      first = performance.now();
      options.onFirstDispatch?.();
    }
    const path = opts.path;
    let arrivedAt = 0;
    let statusCode = 0;
    let chunks: Buffer[] | undefined;
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, headers, socket) =>
        handler.onRequestUpgrade?.(controller, status, headers, socket),
      onResponseStart(controller, status, headers, statusMessage) {
        arrivedAt = performance.now();
        statusCode = status;
        if (keepBodies) chunks = [];
        handler.onResponseStart?.(controller, status, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        chunks?.push(chunk);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        answered++;
        handler.onResponseEnd?.(controller, trailers);
        onAnswer?.({
          path,
          statusCode,
          arrivedAt,
          body: chunks ? Buffer.concat(chunks).toString("utf8") : undefined,
        });
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    };
    return dispatch(opts, wrapped);
  };

  return {
    dispatcher: pool.compose(interceptor),
    firstDispatchAt: () => first,
    dispatched: () => dispatched,
    answered: () => answered,
    close: () => pool.close(),
  };
}
