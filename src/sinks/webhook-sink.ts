import type { Logger } from "../logger.js";
import { createHttpSink, type HttpSinkDeps } from "./http-sink.js";
import { buildWebhookHeaders } from "./sign.js";
import type { Sink } from "./sink.js";
import { compiledOrNone, renderOrFallback, templateScope } from "./template.js";
import { buildWebhookBody, builtInWebhookText } from "./webhook-body.js";
import type { WebhookSinkConfig } from "./webhook-kind.js";

export interface WebhookSinkDeps extends HttpSinkDeps {
  /** Where a template that fails to render is reported. */
  logger?: Logger;
}

/**
 * POSTs each event (standard: the signed event body; slack, teams, discord: a message for people,
 * from the sink's template when it has one) with the sink's extra headers, and classifies the answer.
 */
export function createWebhookSink(config: WebhookSinkConfig, deps: WebhookSinkDeps = {}): Sink {
  const template = compiledOrNone(config.template);
  const extraHeaders = Object.fromEntries(
    Object.entries(config.headers).map(([name, secret]) => [name, secret.value]),
  );
  return createHttpSink({
    config,
    deps,
    url: config.url.value,
    async attempt(event, _context, http) {
      const now = http.now();
      const builtIn = builtInWebhookText(config.format, event, now);
      const text =
        builtIn === undefined || template === undefined
          ? undefined
          : renderOrFallback(template, templateScope(event, now, builtIn), builtIn, (message) =>
              deps.logger?.warn(
                { sink: config.name, eventId: event.data.eventId },
                `the sink's template could not be rendered (${message}); sent the built-in text instead`,
              ),
            );
      const body = buildWebhookBody(config.format, event, now, text);
      const headers = {
        ...extraHeaders,
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
