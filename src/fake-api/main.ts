import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { parseFakeApiConfig } from "./config.js";
import { startFakeIntunedApi } from "./server.js";

/**
 * The fake API as its own process, so benchmarks measure authwatch without the fake sharing its event
 * loop. Config: argv[2] as inline JSON or a file path, or stdin when absent or "-". Prints
 * `{"url": …}` as one line once listening; closes on SIGTERM/SIGINT and then exits by itself.
 */
async function main(argv: string[]): Promise<void> {
  const source = argv[2];
  let raw: string;
  if (source === undefined || source === "-") raw = await text(process.stdin);
  else if (source.trimStart().startsWith("{")) raw = source;
  else raw = await readFile(source, "utf8");

  const api = await startFakeIntunedApi(parseFakeApiConfig(JSON.parse(raw)));
  const stop = () => {
    void api.close();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`fake Intuned API: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
