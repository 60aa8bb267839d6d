import { z } from "zod";
import { envName, filePath, httpUrl, sinkBase, waitDuration } from "../config/schema-parts.js";
import type { Secret, SinkConfigBase } from "../config/types.js";
import { EVENT_TYPES } from "../events.js";
import { PAGERDUTY_ACTIONS } from "./pagerduty-body.js";
import { createPagerDutySink } from "./pagerduty-sink.js";
import type { SinkKind } from "./sink-kind.js";
import { httpDeps, WEBHOOK_TIMEOUT_MS } from "./webhook-kind.js";

export const PAGERDUTY_ENQUEUE_URL = "https://events.pagerduty.com/v2/enqueue";

const schema = z.strictObject({
  type: z.literal("pagerduty"),
  ...sinkBase,
  routingKeyEnv: envName.optional().meta({
    description:
      "Variable holding the integration's routing key (Events API v2). Set this or routingKeyFile.",
  }),
  routingKeyFile: filePath.optional().meta({ description: "File holding the routing key." }),
  url: httpUrl.optional().meta({ description: `Events API v2 endpoint. Default ${PAGERDUTY_ENQUEUE_URL}.` }),
  timeout: waitDuration.optional().meta({ description: "Per attempt. Default 10s." }),
});

export interface PagerDutySinkConfig extends SinkConfigBase {
  type: "pagerduty";
  routingKey: Secret;
  url: string;
  timeoutMs: number;
}

/** PagerDuty Events API v2: an incident per problem that opens once and closes itself. */
export const pagerDutyKind = {
  schema,
  resolve(raw, base, context, path) {
    if ((raw.routingKeyEnv === undefined) === (raw.routingKeyFile === undefined)) {
      context.issue(`${path}.routingKeyEnv`, 'set "routingKeyEnv" or "routingKeyFile" (one of them)');
      return undefined;
    }
    for (const [i, type] of (base.events ?? []).entries()) {
      if (PAGERDUTY_ACTIONS[type] === undefined) {
        context.issue(`${path}.events[${i}]`, `"${type}" neither opens nor closes a PagerDuty incident`);
      }
    }
    const routingKey =
      raw.routingKeyFile !== undefined
        ? context.take(context.readFileSecret(raw.routingKeyFile), `${path}.routingKeyFile`)
        : context.take(context.readEnvSecret(raw.routingKeyEnv ?? ""), `${path}.routingKeyEnv`);
    if (routingKey === undefined) return undefined;
    return {
      ...base,
      // Others would only fill the outbox with rows that send nothing.
      events: base.events ?? EVENT_TYPES.filter((type) => PAGERDUTY_ACTIONS[type] !== undefined),
      type: "pagerduty",
      routingKey,
      url: raw.url ?? PAGERDUTY_ENQUEUE_URL,
      timeoutMs: context.durationMs(raw.timeout, `${path}.timeout`) ?? WEBHOOK_TIMEOUT_MS,
    };
  },
  // Another routing key is another service: a 410 on one says nothing about the other.
  fingerprint: (config) => ["pagerduty", config.url, config.routingKey.value],
  secrets: (config) => [config.routingKey],
  create: (config, deps) => createPagerDutySink(config, httpDeps(deps)),
} satisfies SinkKind<z.infer<typeof schema>, PagerDutySinkConfig>;
