import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { API_KEY, sessionPath } from "./bench-config.js";
import { cpuMsSince, now, within } from "./measure.js";
import type { SweepTarget } from "./sweep-raw.js";
import { type SweepResult, sweepResult } from "./sweep-result.js";

const INTERVAL_MS = 3_600_000;

/**
 * The watcher a user would write in a hurry: per session, poll now and then `setInterval`, with the
 * global `fetch` (Node's bundled undici and its default pool: no connection cap), keeping the last
 * status in a Map. No store, no events, no limits; `concurrency` does not apply to it.
 */
export async function runNaiveSweep(target: SweepTarget): Promise<SweepResult> {
  const { api, count } = target;
  const origin = new URL(api.url).origin;
  const last = new Map<string, string>();
  const timers: NodeJS.Timeout[] = [];
  let polls = 0;
  let errors = 0;
  let finished = 0;
  let end = 0;
  let cpuMs = 0;
  let serverCpuMs = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const serverCpuStart = api.cpuMs();
  const cpuStart = process.cpuUsage();
  const start = now();
  for (let i = 0; i < count; i++) {
    const url = origin + sessionPath(api.url, target.idPrefix, i);
    const poll = async () => {
      try {
        const response = await fetch(url, { headers: { "x-api-key": API_KEY, accept: "application/json" } });
        const body = (await response.json()) as { status?: string };
        if (response.ok && typeof body.status === "string") {
          polls++;
          if (last.get(url) !== body.status) last.set(url, body.status);
        } else errors++;
      } catch {
        errors++;
      }
      if (++finished === count) {
        end = now();
        cpuMs = cpuMsSince(cpuStart);
        serverCpuMs = api.cpuMs() - serverCpuStart;
        resolveDone();
      }
    };
    void poll();
    timers.push(setInterval(poll, INTERVAL_MS));
  }
  try {
    await within(done, 120_000, "the naive sweep");
  } finally {
    for (const timer of timers) clearInterval(timer);
    // Its thousands of keep-alive sockets would otherwise stay open for seconds and leave the next
    // sweep in this process without file descriptors (EMFILE): close them, and give fetch a fresh pool.
    const used = getGlobalDispatcher();
    setGlobalDispatcher(new Agent());
    await used.destroy();
  }
  return sweepResult("naive", { polls, errors, ms: end - start, cpuMs, serverCpuMs });
}
