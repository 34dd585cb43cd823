export type * from './types.js';
export type { SqlDatabase, SqlExecutor, SqlRow } from './sql.js';
export { openEmbeddedDatabase } from './pglite-database.js';
export { openPostgresDatabase, type PostgresOptions } from './postgres-database.js';
export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { createRecordStore, type RecordStoreOptions } from './record-store.js';
export { StoreError } from './errors.js';
export {
  SEARCH_PARAMETERS,
  COMMON_SEARCH_PARAMETERS,
  searchParametersFor,
  listSearchParameters,
  getSearchParameter,
  type SearchParameterDefinition,
  type IndexEntry,
} from './search-params.js';
export { parseDateRange, type DateRange } from './fhir-date-range.js';
