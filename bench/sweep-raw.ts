import { createApiDispatcher } from "../src/api/dispatcher.js";
import { API_KEY, sessionPath } from "./bench-config.js";
import type { FakeApiProcess } from "./fake-api-process.js";
import { cpuMsSince, now } from "./measure.js";
import { probeDispatcher } from "./probe-dispatcher.js";
import { type SweepResult, sweepResult } from "./sweep-result.js";

export interface SweepTarget {
  api: FakeApiProcess;
  count: number;
  idPrefix: string;
  concurrency: number;
}

const TIMEOUT_MS = 10_000;

/**
 * The floor: `concurrency` loops of undici's `request()` over the same N paths, through a pool with
 * the daemon's own settings (createApiDispatcher), reading every body, nothing else. It calls
 * `dispatcher.request({ origin, path })`, the very call authwatch's client makes, so the ratio is what
 * authwatch adds around an identical HTTP request. (The top-level `request(url)` parses a URL each
 * time and costs about a third more CPU per request here: a softer baseline that would flatter the
 * ratio.)
 */
export async function runRawSweep(target: SweepTarget): Promise<SweepResult> {
  const { api, count, concurrency } = target;
  const origin = new URL(api.url).origin;
  const paths = Array.from({ length: count }, (_, i) => sessionPath(api.url, target.idPrefix, i));
  let cpuStart = process.cpuUsage();
  let serverCpuStart = api.cpuMs();
  const probe = probeDispatcher(createApiDispatcher({ connections: concurrency }), {
    onFirstDispatch: () => {
      cpuStart = process.cpuUsage();
      serverCpuStart = api.cpuMs();
    },
  });
  const headers = { "x-api-key": API_KEY, accept: "application/json" };
  let next = 0;
  let polls = 0;
  let errors = 0;
  const loop = async () => {
    while (next < count) {
      const path = paths[next++]!;
      try {
        const { statusCode, body } = await probe.dispatcher.request({
          origin,
          path,
          method: "GET",
          headers,
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
        });
        const text = await body.text();
        if (statusCode === 200 && text.length > 0) polls++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const end = now();
  const cpuMs = cpuMsSince(cpuStart);
  const serverCpuMs = api.cpuMs() - serverCpuStart;
  await probe.close();
  return sweepResult("raw", { polls, errors, ms: end - probe.firstDispatchAt()!, cpuMs, serverCpuMs });
}
