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
 * - `resource_reference` loses its uniqueness check (the primary key becomes a plain index on the same
 *   columns): a write replaces all the references of the resources it changes, each resource's references
 *   distinct, and a resource is written by one transaction at a time (row lock, or the insert of version 1).
 * - The message log keeps only the indexes its queries use (by id; applied messages by (sender, MSH-10)),
 *   and compresses the raw message and the bundle with lz4 where the server has it (much cheaper than pglz).
 */
export const SCHEMA_V5_INDEX: readonly string[] = [
  `DELETE FROM search_index WHERE param IN ('_id', '_lastUpdated')`,
  `DROP INDEX IF EXISTS search_index_value`,
  `CREATE INDEX search_index_value ON search_index (resource_type, param, value, system) WHERE value IS NOT NULL`,
  `DROP INDEX IF EXISTS search_index_exact`,
  `ALTER TABLE resource_reference DROP CONSTRAINT IF EXISTS resource_reference_pkey`,
  `CREATE INDEX resource_reference_target ON resource_reference (target_type, target_id, resource_type, resource_id)`,
  `DROP INDEX IF EXISTS message_log_received`,
  `DROP INDEX IF EXISTS message_log_channel_status`,
  `DO $$
   BEGIN
     ALTER TABLE message_log ALTER COLUMN raw SET COMPRESSION lz4, ALTER COLUMN bundle SET COMPRESSION lz4;
   EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
     NULL; -- a server built without lz4 keeps the default compression
   END
   $$`,
];
