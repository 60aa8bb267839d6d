import type { QueryResult, QueryResultRow } from "pg";

/** What the PostgreSQL code needs of a connection: a pg Client, a PoolClient, or a Pool (single statements). */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}
