import type { Command } from "commander";
import type { SilenceMatch } from "../../alerts/silence.js";
import { addSilenceTo, newSilenceId } from "../../commands/silence.js";
import { MAX_SILENCE_MS } from "../../config/schema.js";
import { formatDuration } from "../../duration.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { commandGroup, defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { parseDurationFlag } from "../parse-duration-flag.js";
import { parseWaitTarget } from "../wait/parse-target.js";

export interface SilenceAddOptions extends GlobalOptions {
  match: SilenceMatch;
  durationMs: number;
  reason: string;
}

/** The `silence` group that `silence add`, `list` and `remove` hang on, whichever registers first. */
export const silenceGroup = (parent: Command): Command =>
  commandGroup(parent, "silence", "keep events of some sessions from being delivered for a while");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `authwatch silence add (PROJECT/SESSION_ID… | --project P | --label k=v) --for DUR --reason TEXT`. */
export const silenceAddCommand = defineCommand<SilenceAddOptions>({
  declare: (parent) =>
    silenceGroup(parent)
      .command("add")
      .description("silence sessions for a while: their events are stored, shown in history, never delivered")
      .argument("[project/session...]", "the sessions to silence")
      .option("--project <name>", "every session of this project")
      .option("--label <key=value>", "every session with this label (repeatable: all must hold)", collect)
      .option("--for <duration>", 'how long, like "2h" (at most 30d)')
      .option("--reason <text>", "why: shown by `silence list` and in the daemon's log"),
  toOptions({ args, options }) {
    const targets = (args[0] as string[] | undefined) ?? [];
    const project = options.project as string | undefined;
    const labelArgs = (options.label as string[] | undefined) ?? [];
    const rawFor = options.for as string | undefined;
    const reason = (options.reason as string | undefined)?.trim();
    if (targets.length === 0 && project === undefined && labelArgs.length === 0) {
      throw new UsageError("say what to silence: PROJECT/SESSION_ID…, --project NAME or --label KEY=VALUE");
    }
    if (rawFor === undefined)
      throw new UsageError('--for is required: how long the silence lasts, like "2h"');
    // A unit is required, as for every duration flag: `--for 7200` is not 7.2 seconds.
    const durationMs = parseDurationFlag("--for", rawFor);
    if (durationMs < 1_000 || durationMs > MAX_SILENCE_MS) {
      throw new UsageError(
        `--for "${rawFor}" must be a duration from 1s to ${formatDuration(MAX_SILENCE_MS)}, like "2h": every silence ends`,
      );
    }
    if (!reason) throw new UsageError("--reason is required: say why, so others know when to lift it");
    const labels: Record<string, string> = {};
    for (const pair of labelArgs) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new UsageError(`--label "${pair}" must be KEY=VALUE, like team=growth`);
      labels[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const match: SilenceMatch = {};
    if (targets.length > 0) match.sessions = targets.map(parseWaitTarget);
    if (project !== undefined) {
      if (project === "" || project.includes("/")) {
        throw new UsageError(`--project "${project}" must be a project name without "/"`);
      }
      match.project = project;
    }
    if (labelArgs.length > 0) match.labels = labels;
    return { ...options, match, durationMs, reason };
  },
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, { needs: false, requireWatchlist: false });
    const now = Date.now();
    const id = newSilenceId();
    await addSilenceTo(config, {
      id,
      match: options.match,
      startsAt: now,
      endsAt: now + options.durationMs,
      reason: options.reason,
      createdAt: now,
    });
    io.stdout.write(`${id}\n`);
    return EXIT.OK;
  },
});
