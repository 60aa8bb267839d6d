import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { API_KEY, PROJECT, WORKSPACE_ID } from "./bench-config.js";
import { startFakeApiProcess } from "./fake-api-process.js";
import { collectGarbage, sleep } from "./measure.js";
import { runPipelineSweep } from "./sweep-pipeline.js";

/**
 * A CPU profile of first observations: `node --expose-gc dist-bench/bench/profile-sweep.js [OUT] [N]`
 * runs one unprofiled pipeline sweep (JIT warm-up), then profiles the next ones and writes a
 * .cpuprofile (open it in Chrome DevTools, or summarise it with bench/profile-summary.js).
 */
async function main(): Promise<void> {
  const out = process.argv[2] ?? "sweep.cpuprofile";
  const count = Number(process.argv[3] ?? 20_000);
  // PROFILE_WINDOW=steady profiles the second polls (unchanged), =transitions the READY → EXPIRED
  // transitions that follow, instead of the first observations.
  const window =
    (["steady", "transitions"] as const).find((name) => name === process.env.PROFILE_WINDOW) ?? "first";
  const api = await startFakeApiProcess({
    apiKeys: [API_KEY],
    generated: [{ count, workspaceId: WORKSPACE_ID, projectName: PROJECT, idPrefix: "sess-" }],
  });
  const target = { api, count, idPrefix: "sess-", concurrency: 16 };
  try {
    await runPipelineSweep(target);
    collectGarbage();
    await sleep(200);
    // The callback API of a same-thread session answers synchronously: the window starts and ends at
    // the first request and the last commit of the first sweep, nothing else.
    const session = new Session();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 100 });
    const profiles: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await runPipelineSweep(target, undefined, (phase) => {
        if (phase === window) session.post("Profiler.start");
        else if (phase === `${window}Done`)
          session.post("Profiler.stop", (error, answer) => {
            if (!error) profiles.push(answer.profile);
          });
      });
      process.stderr.write(`first observations: ${result.first.cpuUsPerPoll.toFixed(1)} µs CPU each\n`);
      collectGarbage();
      await sleep(200);
    }
    session.disconnect();
    for (const [index, profile] of profiles.entries()) {
      writeFileSync(out.replace(/(\.cpuprofile)?$/, `-${index + 1}.cpuprofile`), JSON.stringify(profile));
    }
  } finally {
    await api.stop();
  }
}

await main();
