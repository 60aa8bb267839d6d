import { isPostgresUrl, redactDatabaseUrl } from "../postgres/database-url.js";
import type { SinkResolveContext } from "../sinks/sink-kind.js";
import type { Watchlist } from "./schema.js";
import type { ResolvedPostgres } from "./types.js";

export const POSTGRES_DEFAULTS = {
  urlEnv: "AUTHWATCH_DATABASE_URL",
  schema: "authwatch",
  leaseTtlMs: 15_000,
} as const;

/**
 * The PostgreSQL state of contract §10, or undefined for SQLite: from `"state": {"postgres": …}`, or
 * from AUTHWATCH_STATE holding a postgres:// URL (which then wins over the watchlist's URL variable,
 * as AUTHWATCH_STATE wins over `state` for files). The URL is a secret: only `location` is shown.
 */
export function resolvePostgresState(
  context: Pick<SinkResolveContext, "issue" | "durationMs" | "readEnvSecret">,
  /** --state, else AUTHWATCH_STATE: a file path or a postgres:// URL, winning over the watchlist. */
  override: string | undefined,
  state: Watchlist["state"],
): ResolvedPostgres | undefined {
  const fromEnv = override?.trim();
  const settings = typeof state === "object" ? state.postgres : undefined;
  const envIsUrl = fromEnv !== undefined && isPostgresUrl(fromEnv);
  if (!envIsUrl && (settings === undefined || (fromEnv !== undefined && fromEnv !== ""))) return undefined;
  const schema = settings?.schema ?? POSTGRES_DEFAULTS.schema;
  const leaseTtlMs =
    context.durationMs(settings?.leaseTtl, "state.postgres.leaseTtl") ?? POSTGRES_DEFAULTS.leaseTtlMs;
  let url: string | undefined;
  let source: string;
  if (envIsUrl) {
    url = fromEnv;
    source = "env AUTHWATCH_STATE";
  } else {
    const name = settings?.urlEnv ?? POSTGRES_DEFAULTS.urlEnv;
    const found = context.readEnvSecret(name);
    source = `env ${name}`;
    if (!found.ok) {
      context.issue("state.postgres.urlEnv", `${found.problem}; set it to a postgres:// URL`);
      return undefined;
    }
    url = found.value.value;
    if (!isPostgresUrl(url)) {
      context.issue("state.postgres.urlEnv", `${found.label} is not a postgres:// URL`);
      return undefined;
    }
  }
  return { url: { source, value: url }, location: redactDatabaseUrl(url), schema, leaseTtlMs };
}
