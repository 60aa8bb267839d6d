import { existsSync } from "node:fs";
import { readHistory, readHistoryFrom, renderHistoryTable } from "../../commands/history.js";
import { parseDuration } from "../../duration.js";
import { EXIT } from "../../errors/authwatch-error.js";
import { UsageError } from "../../errors/usage-error.js";
import { EVENT_TYPES, isEventType } from "../../events.js";
import type { HistoryEntry } from "../../store/types.js";
import { defineCommand } from "../cli-command.js";
import type { GlobalOptions } from "../command-io.js";
import { loadCommandConfig } from "../load-config.js";
import { parseDurationFlag } from "../parse-duration-flag.js";
import { parseWorkspaceFlag } from "../parse-workspace.js";
import { missingStateFile } from "../state-file-hint.js";
import { type ParsedTarget, parseWaitTarget } from "../wait/parse-target.js";

export interface HistoryOptions extends GlobalOptions {
  target: (ParsedTarget & { workspaceId: string | undefined }) | undefined;
  json: boolean;
  limit: number | undefined;
  since: number | undefined;
  types: string[] | undefined;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--since`: a duration back from now ("2h") or an ISO 8601 time. */
function parseSince(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  // Digits alone need a unit, as for every duration flag (and are no ISO time either).
  const back = /^\s*\d+\s*$/.test(value) ? parseDurationFlag("--since", value) : parseDuration(value);
  if (back !== undefined) return now - back;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `--since "${value}" must be a duration back from now ("2h") or a time like 2026-11-25T16:00:00Z`,
    );
  }
  return at;
}

/** `authwatch history [PROJECT/SESSION_ID]`: the persisted events, newest last. */
export const historyCommand = defineCommand<HistoryOptions>({
  declare: (parent) =>
    parent
      .command("history")
      .description("print the persisted events, newest last, with their delivery status per sink")
      .argument("[project/session]", "only this session's events")
      .option("--json", "print JSON instead of a table")
      .option("--limit <n>", "only the newest N events")
      .option("--workspace <id>", "the session's workspace (default: any)")
      .option("--since <when>", 'only events since then: a duration back ("2h") or an ISO time')
      .option("--type <type>", "only events of this type (repeatable, or comma-separated)", collect),
  toOptions({ args, options }) {
    const target = args[0] as string | undefined;
    const rawLimit = options.limit as string | undefined;
    const limit = rawLimit === undefined ? undefined : Number(rawLimit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
      throw new UsageError(`--limit "${rawLimit}" must be a whole number above 0`);
    }
    const workspaceId = parseWorkspaceFlag(options.workspace as string | undefined);
    if (workspaceId !== undefined && target === undefined) {
      throw new UsageError("--workspace needs a PROJECT/SESSION_ID to go with it");
    }
    const typeArgs = (options.type as string[] | undefined)
      ?.flatMap((t) => t.split(","))
      .map((t) => t.trim());
    for (const type of typeArgs ?? []) {
      if (!isEventType(type)) {
        throw new UsageError(`--type "${type}" is not an event type; one of: ${EVENT_TYPES.join(", ")}`);
      }
    }
    return {
      ...options,
      target: target === undefined ? undefined : { ...parseWaitTarget(target), workspaceId },
      json: Boolean(options.json),
      limit,
      since: parseSince(options.since as string | undefined, Date.now()),
      types: typeArgs,
    };
  },
  async run(options, { io }) {
    const config = loadCommandConfig(options, io, { needs: false, requireWatchlist: false });
    const query = {
      ...(options.target ? { target: options.target } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.types ? { types: options.types } : {}),
    };
    let entries: HistoryEntry[];
    if (config.postgres) {
      // Contract §10: the shared database (its URL shown without the password).
      io.stderr.write(`authwatch: events from ${config.postgres.location}\n`);
      const { withPostgresState } = await import("../../postgres/open-postgres-reader.js");
      entries = await withPostgresState(config.postgres, (store) => readHistoryFrom(store, query));
    } else {
      // Always say which file was read: a shell and a service may resolve different ones.
      io.stderr.write(
        existsSync(config.statePath)
          ? `authwatch: events from ${config.statePath}\n`
          : `authwatch: ${missingStateFile(config.statePath)}\n`,
      );
      entries = readHistory({ statePath: config.statePath, ...query });
    }
    if (options.json) {
      // Times in ISO 8601, like every other time authwatch prints.
      const events = entries.map(({ event, deliveries, silencedBy }) => ({
        ...event,
        // A silenced event was stored and delivered nowhere (contract §8).
        silencedBy: silencedBy ?? null,
        deliveries: deliveries.map((d) => ({
          ...d,
          deliveredAt: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
        })),
      }));
      io.stdout.write(`${JSON.stringify({ events }, null, 2)}\n`);
    } else {
      io.stdout.write(renderHistoryTable(entries));
    }
    return EXIT.OK;
  },
});
