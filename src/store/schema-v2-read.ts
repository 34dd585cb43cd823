/**
 * Version 2 of the record-store schema: indexes for the read side (type history).
 * PostgreSQL SQL that also runs on PGlite; one statement per string.
 */
export const SCHEMA_V2_READ: readonly string[] = [
  // Type history, newest first.
  `CREATE INDEX resource_history_type_time ON resource_history (resource_type, last_updated DESC, id, version_id)`,
];
