/**
 * Version 5 of the record-store schema: fewer index rows and index entries per write. PostgreSQL SQL that also
 * runs on PGlite; one statement per string.
 *
 * - `_id` and `_lastUpdated` are answered from the `resources` row (its key and last_updated), so their
 *   search_index rows go.
 * - The value index holds only rows with a value (tokens, strings, references): date rows have none and are
 *   found through the date index alone. A query's `s.value = …` or `s.value LIKE …` implies the index's
 *   `value IS NOT NULL`, so the planner still uses it.
 * - `:exact` string search matches the folded value through the value index, then the text as written, so the
 *   separate index on the exact text goes.
 */
export const SCHEMA_V5_INDEX: readonly string[] = [
  `DELETE FROM search_index WHERE param IN ('_id', '_lastUpdated')`,
  `DROP INDEX IF EXISTS search_index_value`,
  `CREATE INDEX search_index_value ON search_index (resource_type, param, value, system) WHERE value IS NOT NULL`,
  `DROP INDEX IF EXISTS search_index_exact`,
];
