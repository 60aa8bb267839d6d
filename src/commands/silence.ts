import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { describeMatch } from "../alerts/describe-rule.js";
import type { Silence, SilenceMatch } from "../alerts/silence.js";
import { formatTable } from "../cli/table.js";
import type { ResolvedPostgres } from "../config/types.js";
import { openStore } from "../store/store.js";

/** Where a command finds the silences: the SQLite file, or PostgreSQL when the state is there. */
export interface SilenceState {
  statePath: string;
  postgres?: ResolvedPostgres | undefined;
}

// Loaded only for PostgreSQL state, so SQLite users never load the pg driver.
const postgresSilences = () => import("../postgres/pg-silences.js");

export async function addSilenceTo(state: SilenceState, silence: Silence): Promise<void> {
  if (!state.postgres) return addSilence(state.statePath, silence);
  const { withPostgresSilences } = await postgresSilences();
  await withPostgresSilences(state.postgres, (table) => table.add(silence));
}

export async function removeSilenceFrom(state: SilenceState, id: string, now: number): Promise<boolean> {
  if (!state.postgres) return removeSilence(state.statePath, id, now);
  const { withPostgresSilences } = await postgresSilences();
  return withPostgresSilences(state.postgres, (table) => table.remove(id, now));
}

export async function listSilencesOf(state: SilenceState, now: number): Promise<Silence[]> {
  if (!state.postgres) return listSilences(state.statePath, now);
  const { withPostgresSilences } = await postgresSilences();
  return withPostgresSilences(state.postgres, (table) => table.current(now));
}

/** `sil_` and 8 hex digits: short enough to type in `silence remove`. */
export function newSilenceId(): string {
  return `sil_${randomBytes(4).toString("hex")}`;
}

/**
 * Stores a silence in the state file, creating it if the daemon never ran. A running daemon reads
 * the silences table every few seconds, so the silence applies without a restart or a signal.
 */
export function addSilence(statePath: string, silence: Silence): void {
  const store = openStore(statePath);
  try {
    store.addSilence(silence);
  } finally {
    store.close();
  }
}

/** False when no such silence is in force (unknown, ended or already removed). */
export function removeSilence(statePath: string, id: string, now: number): boolean {
  if (!existsSync(statePath)) return false;
  const store = openStore(statePath);
  try {
    return store.removeSilence(id, now);
  } finally {
    store.close();
  }
}

/** Silences not ended and not removed, soonest end first; [] without a state file. */
export function listSilences(statePath: string, now: number): Silence[] {
  if (!existsSync(statePath)) return [];
  const store = openStore(statePath, { readOnly: true });
  try {
    return store.currentSilences(now);
  } catch {
    // A file the daemon has not migrated yet has no silences table: no silences.
    return [];
  } finally {
    store.close();
  }
}

export function describeSilenceMatch(match: SilenceMatch): string {
  return describeMatch(match).replace(/^a session /, "");
}

export function renderSilences(silences: readonly Silence[], now: number): string {
  if (silences.length === 0) return "No silences in force.\n";
  return formatTable(
    ["ID", "MATCHES", "FROM", "UNTIL", "REASON"],
    silences.map((silence) => [
      silence.id,
      describeSilenceMatch(silence.match),
      silence.startsAt <= now ? "now" : new Date(silence.startsAt).toISOString(),
      new Date(silence.endsAt).toISOString(),
      silence.reason,
    ]),
  );
}

export function silenceToJson(silence: Silence) {
  return {
    id: silence.id,
    match: silence.match,
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    reason: silence.reason,
    createdAt: new Date(silence.createdAt).toISOString(),
  };
}
