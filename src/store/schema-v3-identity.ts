/**
 * Version 3 of the record-store schema: the master patient index, event order and references.
 * PostgreSQL SQL that also runs on PGlite; one statement per string. Existing data is carried over.
 */
export const SCHEMA_V3_IDENTITY: readonly string[] = [
  // The master patient index: every identifier (system|value) of a Patient resolves to one canonical Patient.
  // Retired (merged) records' identifiers resolve to their survivor.
  `CREATE TABLE person_identifier (
     system text NOT NULL,
     value text NOT NULL,
     patient_id text NOT NULL,
     PRIMARY KEY (system, value)
   )`,
  `CREATE INDEX person_identifier_patient ON person_identifier (patient_id)`,
  // Patients already stored: the oldest holder of an identifier keeps it.
  `INSERT INTO person_identifier (system, value, patient_id)
   SELECT DISTINCT ON (i ->> 'system', i ->> 'value') i ->> 'system', i ->> 'value', r.id
     FROM resources r, jsonb_array_elements(
       CASE WHEN jsonb_typeof(r.content -> 'identifier') = 'array' THEN r.content -> 'identifier' ELSE '[]'::jsonb END
     ) AS i
    WHERE r.resource_type = 'Patient'
      AND jsonb_typeof(i -> 'system') = 'string' AND jsonb_typeof(i -> 'value') = 'string'
    ORDER BY i ->> 'system', i ->> 'value', r.last_updated, r.id`,

  // Event time (EVN-2, else MSH-7) of the newest message that set the resource; NULL when unknown.
  // An older message does not overwrite what a newer one set.
  `ALTER TABLE resources ADD COLUMN event_time timestamptz`,

  // Literal references (`Type/id`) of the current versions: what must be repointed when a Patient is merged,
  // and which Provenance targets a resource.
  `CREATE TABLE resource_reference (
     resource_type text NOT NULL,
     resource_id text NOT NULL,
     target_type text NOT NULL,
     target_id text NOT NULL,
     PRIMARY KEY (target_type, target_id, resource_type, resource_id),
     FOREIGN KEY (resource_type, resource_id) REFERENCES resources (resource_type, id) ON DELETE CASCADE
   )`,
  `CREATE INDEX resource_reference_source ON resource_reference (resource_type, resource_id)`,
  `INSERT INTO resource_reference (resource_type, resource_id, target_type, target_id)
   SELECT DISTINCT r.resource_type, r.id, split_part(ref #>> '{}', '/', 1), split_part(ref #>> '{}', '/', 2)
     FROM resources r, jsonb_path_query(r.content, 'strict $.**.reference ? (@.type() == "string")') AS ref
    WHERE (ref #>> '{}') ~ '^[A-Z][A-Za-z]+/[A-Za-z0-9.-]{1,64}(/_history/[A-Za-z0-9.-]+)?$'`,
];
