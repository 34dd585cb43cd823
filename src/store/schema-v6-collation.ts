/**
 * Version 6 of the record-store schema: key columns compared bytewise, and no rows for parameters answered
 * from another parameter's rows. PostgreSQL SQL that also runs on PGlite; one statement per string.
 *
 * The text columns the indexes are keyed on (types, ids, parameter names, systems, identifier values, message
 * keys) take the "C" collation, so index inserts and look-ups compare bytes instead of calling the locale's
 * comparison (strcoll). Equality is unchanged (deterministic collations compare equal exactly when the bytes
 * are equal), and every ordering the store exposes was already written `COLLATE "C"` (cursor.ts, include.ts),
 * so no result changes. The table rows are not rewritten; the indexes on these columns are rebuilt.
 */
const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  resources: ['resource_type', 'id'],
  resource_history: ['resource_type', 'id'],
  search_index: ['resource_type', 'resource_id', 'param', 'kind', 'system'],
  resource_reference: ['resource_type', 'resource_id', 'target_type', 'target_id'],
  person_identifier: ['system', 'value', 'patient_id'],
  message_log: ['sender', 'control_id'],
};

export const SCHEMA_V6_COLLATION: readonly string[] = [
  /*
   * `patient` of these types holds exactly the `subject` (Provenance: `target`) references to a Patient, so it
   * is answered from those rows (search-extract.ts `storedAs`) and its own rows go.
   */
  `DELETE FROM search_index WHERE param = 'patient' AND resource_type IN
     ('Encounter', 'Provenance', 'Condition', 'Procedure', 'Observation', 'MedicationStatement', 'MedicationRequest', 'CareTeam')`,
  ...Object.entries(COLUMNS).map(
    ([table, columns]) => `ALTER TABLE ${table} ${columns.map((c) => `ALTER COLUMN ${c} TYPE text COLLATE "C"`).join(', ')}`,
  ),
];
