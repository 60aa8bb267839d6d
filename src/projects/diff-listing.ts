import type { AuthSessionRecord } from "../api/types.js";
import { NOT_FOUND, type SessionState } from "../types.js";
import type { IdFilter } from "./id-filter.js";

/** The sessions of a project being watched, and what was last seen of each. */
export interface ListingMembers {
  /** The member's state; null while watched but never observed; undefined for a non-member. */
  stateOf(id: string): SessionState | null | undefined;
  ids(): Iterable<string>;
}

/** What one successful list changed; sessions it did not change are not mentioned (10,000 cost nothing). */
export interface ListingDiff {
  /** Listed sessions that pass the filter and are new, or whose status or type differ from their state. */
  observed: AuthSessionRecord[];
  /** Ids of the `observed` sessions that were not members before: they start being watched. */
  added: string[];
  /** Members the list lacks whose state is not NOT_FOUND yet: they become NOT_FOUND. */
  missing: string[];
  /** Listed sessions the filter leaves out. */
  filteredOut: number;
}

/**
 * Compares a project's successful list with its members. Pure, and one pass over each side: a first
 * listing of 10,000 sessions is 10,000 observations (first sightings, as for listed sessions), and
 * a steady one is a Set of ids and no allocation per unchanged session. A failed list never gets
 * here, so only a list that succeeded can make a session NOT_FOUND; an empty one makes every member so.
 */
export function diffProjectListing(
  previous: ListingMembers,
  listing: readonly AuthSessionRecord[],
  filter: IdFilter,
): ListingDiff {
  const observed: AuthSessionRecord[] = [];
  const added: string[] = [];
  const listed = new Set<string>();
  let filteredOut = 0;
  for (const record of listing) {
    listed.add(record.id);
    const state = previous.stateOf(record.id);
    if (state === undefined) {
      if (!filter(record.id)) {
        filteredOut++;
        continue;
      }
      added.push(record.id);
      observed.push(record);
    } else if (state === null || state.status !== record.status || state.sessionType !== record.type) {
      observed.push(record);
    }
  }
  const missing: string[] = [];
  for (const id of previous.ids()) {
    if (listed.has(id)) continue;
    if (previous.stateOf(id)?.status !== NOT_FOUND) missing.push(id);
  }
  return { observed, added, missing, filteredOut };
}
