/**
 * Version 1 of the record-store schema. PostgreSQL SQL that also runs on PGlite; one statement per string.
 * No extensions: strings are case- and accent-folded in TypeScript before they are indexed or searched.
 */
export const SCHEMA_V1: readonly string[] = [
  // The current version of every resource.
  `CREATE TABLE resources (
     resource_type text NOT NULL,
     id text NOT NULL,
     version_id integer NOT NULL CHECK (version_id > 0),
     last_updated timestamptz NOT NULL,
     content jsonb NOT NULL,
     PRIMARY KEY (resource_type, id)
   )`,
  // Search results page newest first.
  `CREATE INDEX resources_type_last_updated ON resources (resource_type, last_updated DESC, id)`,

  // Every version ever written, the current one included.
  `CREATE TABLE resource_history (
     resource_type text NOT NULL,
     id text NOT NULL,
     version_id integer NOT NULL,
     last_updated timestamptz NOT NULL,
     content jsonb NOT NULL,
     message_id uuid,
     PRIMARY KEY (resource_type, id, version_id)
   )`,

  // Search parameter values of the current versions, one row per value.
  //   token:     system (NULL when the value has none), value = code
  //   string:    value = lower-cased, accent-free text (C collation, so LIKE 'prefix%' uses the index),
  //              exact = the text as written
  //   reference: system = target resource type (NULL when unknown), value = target id
  //   date:      [range_start, range_end) — the implicit range of the value's precision; +-infinity when open
  `CREATE TABLE search_index (
     resource_type text NOT NULL,
     resource_id text NOT NULL,
     param text NOT NULL,
     kind text NOT NULL CHECK (kind IN ('token', 'string', 'reference', 'date')),
     system text,
     value text COLLATE "C",
     exact text,
     range_start timestamptz,
     range_end timestamptz,
     FOREIGN KEY (resource_type, resource_id) REFERENCES resources (resource_type, id) ON DELETE CASCADE
   )`,
  `CREATE INDEX search_index_owner ON search_index (resource_type, resource_id)`,
  `CREATE INDEX search_index_value ON search_index (resource_type, param, value, system)`,
  `CREATE INDEX search_index_system ON search_index (resource_type, param, system) WHERE kind = 'token'`,
  `CREATE INDEX search_index_exact ON search_index (resource_type, param, exact) WHERE kind = 'string'`,
  `CREATE INDEX search_index_date ON search_index (resource_type, param, range_start, range_end)
     WHERE kind = 'date'`,

  // Every message received: applied, rejected (could not be accepted) or failed.
  `CREATE TABLE message_log (
     id uuid PRIMARY KEY,
     channel_id text NOT NULL,
     sender text,
     control_id text,
     message_type text,
     event_time timestamptz,
     received_at timestamptz NOT NULL,
     status text NOT NULL CHECK (status IN ('applied', 'rejected', 'failed')),
     raw text NOT NULL,
     bundle jsonb,
     error text,
     versions jsonb NOT NULL DEFAULT '[]'::jsonb,
     unmapped jsonb NOT NULL DEFAULT '[]'::jsonb,
     warnings jsonb NOT NULL DEFAULT '[]'::jsonb
   )`,
  // The idempotency key: one applied message per (sender, MSH-10).
  `CREATE UNIQUE INDEX message_log_applied_key ON message_log (sender, control_id)
     WHERE status = 'applied' AND sender IS NOT NULL AND control_id IS NOT NULL`,
  `CREATE INDEX message_log_received ON message_log (received_at DESC)`,
  `CREATE INDEX message_log_channel_status ON message_log (channel_id, status, received_at DESC)`,
];
