/**
 * Version 4 of the record-store schema: cheaper writes. PostgreSQL SQL that also runs on PGlite; one statement
 * per string.
 *
 * The foreign keys from the search index and the reference table to `resources` go: resources are never
 * deleted (so their ON DELETE CASCADE never fired), and the write path writes those rows in the statement that
 * writes the resource, so the checks only cost time — about a quarter of a batch's write statement.
 */
export const SCHEMA_V4_WRITE: readonly string[] = [
  `ALTER TABLE search_index DROP CONSTRAINT IF EXISTS search_index_resource_type_resource_id_fkey`,
  `ALTER TABLE resource_reference DROP CONSTRAINT IF EXISTS resource_reference_resource_type_resource_id_fkey`,
];
