import type { ResolvedConfig } from "../config/types.js";

/**
 * The environment command sinks inherit, without the secrets authwatch itself holds: a reauth
 * script has no business seeing the Intuned key or a webhook's signing secret. A variable is
 * dropped when its value is one of the resolved secrets, whatever its name.
 */
export function scrubSecretsFromEnv(env: NodeJS.ProcessEnv, config: ResolvedConfig): NodeJS.ProcessEnv {
  const secrets = new Set<string>();
  if (config.apiKey) secrets.add(config.apiKey.value);
  for (const session of config.sessions) if (session.apiKey) secrets.add(session.apiKey.value);
  for (const sink of config.sinks) {
    if (sink.type !== "webhook") continue;
    secrets.add(sink.url.value);
    if (sink.secret) secrets.add(`whsec_${Buffer.from(sink.secret).toString("base64")}`);
  }
  const scrubbed: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (secrets.has(value) || secrets.has(value.trim())) continue;
    scrubbed[name] = value;
  }
  return scrubbed;
}
