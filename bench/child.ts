import { type DeliveryOptions, measureDelivery } from "./delivery.js";
import { type HttpBlockOptions, measureHttpBlock } from "./http-block.js";
import { measurePostgres, type PostgresBenchOptions } from "./postgres.js";
import { measureProjects, type ProjectsBenchOptions } from "./projects.js";
import { measureSteady, type SteadyOptions } from "./steady.js";
import { prepareSteadyFiles } from "./steady-prepare.js";
import { runSweepSuite, type SweepSuiteOptions } from "./sweep-suite.js";

/**
 * One measurement in a process of its own (memory and CPU figures must not see another's garbage):
 * `child.js MODE OPTIONS_JSON`. Progress goes to stderr; the result is the last line on stdout.
 */
async function main(argv: readonly string[]): Promise<unknown> {
  const [mode, json = "{}"] = argv.slice(2);
  const options = JSON.parse(json) as unknown;
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  switch (mode) {
    case "sweep":
      return runSweepSuite(options as SweepSuiteOptions, progress);
    case "steady-prepare": {
      const { dir, count, idPrefix } = options as { dir: string; count: number; idPrefix: string };
      return prepareSteadyFiles(dir, count, idPrefix);
    }
    case "projects":
      return measureProjects(options as ProjectsBenchOptions, progress);
    case "postgres":
      return measurePostgres(options as PostgresBenchOptions, progress);
    case "http":
      return measureHttpBlock(options as HttpBlockOptions);
    case "steady":
      return measureSteady(options as SteadyOptions);
    case "delivery": {
      const { runs, ...run } = options as DeliveryOptions & { runs: number };
      const results = [];
      for (let i = 0; i < runs; i++) {
        const result = await measureDelivery(run);
        progress(
          `delivery ${i + 1}/${runs}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`,
        );
        results.push(result);
      }
      return results;
    }
    default:
      throw new Error(`unknown bench mode ${mode}`);
  }
}

main(process.argv).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(
      `bench child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
