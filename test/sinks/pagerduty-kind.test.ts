import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { configError } from "../helpers/config-error.js";
import { ROUTING_KEY, resolveSinks } from "./fixtures.js";

const ENV = { PD_KEY: ROUTING_KEY };

describe("a pagerduty sink in the watchlist", () => {
  it("reads its routing key from the variable, defaults to PagerDuty's endpoint and to the events it maps", () => {
    const [sink] = resolveSinks([{ name: "oncall", type: "pagerduty", routingKeyEnv: "PD_KEY" }], ENV);
    expect(sink).toMatchObject({
      type: "pagerduty",
      url: "https://events.pagerduty.com/v2/enqueue",
      routingKey: { source: "env PD_KEY", value: ROUTING_KEY },
      timeoutMs: 10_000,
    });
    expect(sink?.events).toContain("authsession.expired");
    expect(sink?.events).toContain("authsession.ready");
    expect(sink?.events).not.toContain("authsession.pending");
  });

  it("is a config error naming the path when the routing key's variable is unset, never showing a value", () => {
    const error = configError(() =>
      resolveSinks([{ name: "oncall", type: "pagerduty", routingKeyEnv: "PD_KEY" }], {}),
    );
    expect(error.issues).toEqual([
      { path: "sinks[0].routingKeyEnv", message: "environment variable PD_KEY is not set" },
    ]);
  });

  it("is a config error to name an event that neither opens nor closes an incident", () => {
    const error = configError(() =>
      resolveSinks([
        { name: "oncall", type: "pagerduty", routingKeyEnv: "PD_KEY", events: ["authsession.pending"] },
      ]),
    );
    expect(error.issues[0]).toMatchObject({ path: "sinks[0].events[0]" });
  });

  it("is refused by the schema with its path when a key is unknown", () => {
    const parsed = parseWatchlist({
      sinks: [{ name: "oncall", type: "pagerduty", routingKey: ROUTING_KEY }],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((issue) => issue.path)).toContain("sinks[0].routingKey");
    expect(JSON.stringify(parsed)).not.toContain(ROUTING_KEY);
  });
});
