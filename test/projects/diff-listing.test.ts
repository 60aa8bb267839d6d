import { describe, expect, it } from "vitest";
import type { AuthSessionRecord } from "../../src/api/types.js";
import { diffProjectListing } from "../../src/projects/diff-listing.js";
import { createIdFilter } from "../../src/projects/id-filter.js";
import type { SessionState } from "../../src/types.js";

const all = createIdFilter(undefined, []);
const record = (id: string, status = "READY", type = "CREDENTIALS"): AuthSessionRecord => ({
  id,
  type,
  status,
});
const state = (status: string, sessionType: string | null = "CREDENTIALS"): SessionState => ({
  status,
  sessionType,
  since: 1,
});
const members = (entries: Record<string, SessionState | null>) => {
  const map = new Map(Object.entries(entries));
  return { stateOf: (id: string) => map.get(id), ids: () => map.keys() };
};

describe("diffProjectListing", () => {
  it("reports new sessions that pass the filter as added observations and counts the rest", () => {
    const diff = diffProjectListing(
      members({}),
      [record("user-1"), record("user-test-1"), record("admin")],
      createIdFilter(["user-*"], ["user-test-*"]),
    );
    expect(diff).toEqual({ observed: [record("user-1")], added: ["user-1"], missing: [], filteredOut: 2 });
  });

  it("mentions only members whose status or type changed", () => {
    const diff = diffProjectListing(
      members({ a: state("READY"), b: state("READY"), c: state("READY", "CREDENTIALS"), d: null }),
      [record("a"), record("b", "EXPIRED"), record("c", "READY", "RECORDER"), record("d")],
      all,
    );
    expect(diff.observed.map((r) => r.id)).toEqual(["b", "c", "d"]);
    expect(diff.added).toEqual([]);
  });

  it("reports members missing from the list, except those already NOT_FOUND, and a return as an observation", () => {
    const diff = diffProjectListing(
      members({ gone: state("READY"), "gone-before": state("NOT_FOUND"), back: state("NOT_FOUND") }),
      [record("back", "PENDING")],
      all,
    );
    expect(diff.missing).toEqual(["gone"]);
    expect(diff.observed).toEqual([record("back", "PENDING")]);
  });

  it("treats an empty list as every member gone", () => {
    const diff = diffProjectListing(members({ a: state("READY"), b: state("EXPIRED") }), [], all);
    expect(diff.missing).toEqual(["a", "b"]);
  });

  it("keeps watching a member the filter would now leave out: membership is the caller's decision", () => {
    const diff = diffProjectListing(
      members({ "user-test-1": state("READY") }),
      [record("user-test-1", "EXPIRED")],
      createIdFilter(["user-*"], ["user-test-*"]),
    );
    expect(diff.observed).toEqual([record("user-test-1", "EXPIRED")]);
  });
});
