import { describe, expect, it } from "vitest";
import type { SinkMatch } from "../../src/config/types.js";
import type { AuthwatchEvent, EventType } from "../../src/events.js";
import { sinkWants } from "../../src/sinks/filter.js";
import { EXPIRED, FIRST_READY, POLL_FAILING, UNAUTHORIZED, webhookConfig } from "./fixtures.js";

interface Row {
  title: string;
  events?: EventType[];
  match?: SinkMatch;
  event: AuthwatchEvent;
  wants: boolean;
}

const ROWS: Row[] = [
  { title: "a sink without filters gets a transition", event: EXPIRED, wants: true },
  { title: "a sink without filters gets a health event", event: POLL_FAILING, wants: true },
  { title: "a sink without filters gets watcher.unauthorized", event: UNAUTHORIZED, wants: true },
  { title: "a listed event type passes", events: ["authsession.expired"], event: EXPIRED, wants: true },
  {
    title: "an unlisted event type is dropped",
    events: ["authsession.expired"],
    event: FIRST_READY,
    wants: false,
  },
  { title: "an empty events list drops everything", events: [], event: EXPIRED, wants: false },
  { title: "a matching project passes", match: { project: "my-project" }, event: EXPIRED, wants: true },
  { title: "another project is dropped", match: { project: "billing" }, event: EXPIRED, wants: false },
  {
    title: "a matching session id passes",
    match: { authSessionId: "auth-session-123" },
    event: POLL_FAILING,
    wants: true,
  },
  { title: "another session id is dropped", match: { authSessionId: "other" }, event: EXPIRED, wants: false },
  { title: "a label subset passes", match: { labels: { team: "growth" } }, event: POLL_FAILING, wants: true },
  {
    title: "every wanted label must be present",
    match: { labels: { team: "growth", env: "prod" } },
    event: EXPIRED,
    wants: false,
  },
  {
    title: "a label with another value is dropped",
    match: { labels: { team: "billing" } },
    event: EXPIRED,
    wants: false,
  },
  {
    title: "a label the event lacks is dropped even when the wanted value is empty",
    match: { labels: { team: "" } },
    event: FIRST_READY,
    wants: false,
  },
  {
    title: "inherited object keys are not labels",
    match: { labels: { constructor: "function Object() { [native code] }" } },
    event: FIRST_READY,
    wants: false,
  },
  {
    title: "all of events and match must hold",
    events: ["authsession.ready"],
    match: { project: "my-project" },
    event: EXPIRED,
    wants: false,
  },
  {
    title: "project, session and labels together pass when all hold",
    events: ["authsession.expired", "authsession.ready"],
    match: { project: "my-project", authSessionId: "auth-session-123", labels: { team: "growth" } },
    event: EXPIRED,
    wants: true,
  },
  {
    title: "watcher.unauthorized skips a sink matching a project",
    match: { project: "my-project" },
    event: UNAUTHORIZED,
    wants: false,
  },
  {
    title: "watcher.unauthorized skips a sink matching labels",
    match: { labels: { team: "growth" } },
    event: UNAUTHORIZED,
    wants: false,
  },
  {
    title: "watcher.unauthorized reaches a sink with an empty match",
    match: {},
    event: UNAUTHORIZED,
    wants: true,
  },
  {
    title: "an empty labels match constrains nothing",
    match: { labels: {} },
    event: UNAUTHORIZED,
    wants: true,
  },
];

describe("sinkWants", () => {
  for (const row of ROWS) {
    it(`${row.title}`, () => {
      const config = webhookConfig("https://example.com/hook", { events: row.events, match: row.match });
      expect(sinkWants(config, row.event)).toBe(row.wants);
    });
  }
});
