import { afterAll, beforeAll } from "vitest";
import { type PostgresCluster, postgresAvailable, startPostgresCluster } from "./postgres-server.js";

// The cluster itself lives in postgres-server.ts (no vitest there), so that `npm run bench` can use it.
export {
  noteWhenPostgresMissing,
  type PostgresCluster,
  postgresAvailable,
  startPostgresCluster,
} from "./postgres-server.js";

/**
 * One cluster for the whole test file (started in beforeAll, destroyed in afterAll); call the
 * returned function inside a test. Pair it with `describe.skipIf(!postgresAvailable)`.
 */
export function usePostgresCluster(): () => PostgresCluster {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    if (postgresAvailable) cluster = await startPostgresCluster();
  }, 90_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  return () => {
    if (!cluster) throw new Error("the PostgreSQL cluster did not start");
    return cluster;
  };
}
