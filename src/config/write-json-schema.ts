/**
 * Script entry (`npm run schema`): regenerates watchlist.schema.json at the repository root.
 * The root is found from this file's place (src/config or dist/config), not from the cwd.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatWatchlistJsonSchema, WATCHLIST_SCHEMA_FILE } from "./json-schema.js";

writeFileSync(
  fileURLToPath(new URL(`../../${WATCHLIST_SCHEMA_FILE}`, import.meta.url)),
  formatWatchlistJsonSchema(),
);
