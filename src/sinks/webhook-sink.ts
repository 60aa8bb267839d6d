import { createHttpSink, type HttpSinkDeps } from "./http-sink.js";
import { buildWebhookHeaders } from "./sign.js";
import type { Sink } from "./sink.js";
import { buildWebhookBody } from "./webhook-body.js";
import type { WebhookSinkConfig } from "./webhook-kind.js";

export type WebhookSinkDeps = HttpSinkDeps;

/** POSTs each event (standard: the signed event body; slack: `{"text": …}`) and classifies the answer. */
export function createWebhookSink(config: WebhookSinkConfig, deps: WebhookSinkDeps = {}): Sink {
  return createHttpSink({
    config,
    deps,
    url: config.url.value,
    async attempt(event, _context, http) {
      const now = http.now();
      const body = buildWebhookBody(config.format, event, now);
      const headers = {
        "content-type": "application/json",
        "user-agent": http.userAgent,
        ...buildWebhookHeaders({
          id: event.data.eventId,
          timestampSeconds: Math.floor(now / 1000),
          body,
          secret: config.secret,
        }),
      };
      return http.classify(await http.post({ url: config.url.value, headers, body }));
    },
  });
}
