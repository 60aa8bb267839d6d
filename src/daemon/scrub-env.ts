import type { ResolvedConfig, Secret } from "../config/types.js";
import { sinkSecrets } from "../sinks/kinds.js";

/**
 * The environment command sinks inherit, without the secrets authwatch itself holds: a reauth
 * script has no business seeing the Intuned key or a webhook's signing secret. A variable is
 * dropped when the watchlist names it for a secret, when its value is one of the resolved secrets
 * whatever its name, and when it holds a `whsec_` secret in any spelling (padded or not).
 * `CREDENTIALS_DIRECTORY` goes too: under systemd it leads to the unit's credentials (the API key),
 * and the command runs with authwatch's own rights, so the path alone would be enough to read them.
 */
export function scrubSecretsFromEnv(env: NodeJS.ProcessEnv, config: ResolvedConfig): NodeJS.ProcessEnv {
  const secrets = new Set<string>();
  const names = new Set<string>(["CREDENTIALS_DIRECTORY"]);
  const remember = (secret: Secret | undefined) => {
    if (!secret) return;
    secrets.add(secret.value);
    if (secret.source.startsWith("env ")) names.add(secret.source.slice(4));
  };
  remember(config.apiKey);
  for (const session of config.sessions) remember(session.apiKey);
  for (const secret of sinkSecrets(config.sinks)) remember(secret);
  // A dead man's switch URL carries its token: a script must not be able to ping it.
  remember(config.heartbeat?.url);
  const scrubbed: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || names.has(name)) continue;
    const trimmed = value.trim();
    if (secrets.has(trimmed) || trimmed.startsWith("whsec_")) continue;
    scrubbed[name] = value;
  }
  return scrubbed;
}
