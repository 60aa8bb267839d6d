// Preloaded into a child process (`node --import`) to step its wall clock the way an NTP step or a
// resumed VM does: Date.now() and `new Date()` jump, the monotonic clock (performance.now, timers)
// does not. On SIGUSR2 the offset in ms is read from the file named by AUTHWATCH_TEST_WALL_OFFSET_FILE;
// "wall clock stepped <offset>" on stderr tells the test it took effect.
import { readFileSync } from "node:fs";

const offsetFile = process.env.AUTHWATCH_TEST_WALL_OFFSET_FILE;
const RealDate = Date;
let offset = 0;

class SteppedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = SteppedDate;

if (offsetFile) {
  process.on("SIGUSR2", () => {
    offset = Number(readFileSync(offsetFile, "utf8"));
    process.stderr.write(`wall clock stepped ${offset}\n`);
  });
}
