/** What a `state.postgres.schema` may be: a plain lower-case SQL identifier, so it never needs escaping rules. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The schema as a quoted identifier for SQL text. Tables are always named with their schema
 * (never through search_path), so the same SQL works behind a pooler that drops startup options.
 */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME_PATTERN.test(schema)) {
    throw new Error(`schema "${schema}" is not a lower-case SQL identifier (letters, digits, _)`);
  }
  return `"${schema}"`;
}
