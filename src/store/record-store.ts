import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { applyBatch } from './apply-batch.js';
import { insertRejected, readMessage } from './message-log.js';
import { migrate } from './migrations.js';
import { IDENTITY_RACE } from './mpi.js';
import { WRITE_RACE } from './write-resource.js';
import { readEverything } from './everything.js';
import { readHistory } from './history.js';
import { runSearch } from './search-run.js';
import type { SqlDatabase } from './sql.js';
import type {
  ApplyInput,
  ApplyOutcome,
  ApplyResult,
  EverythingQuery,
  HistoryQuery,
  HistoryResult,
  RecordStore,
  SearchQuery,
  SearchResult,
} from './types.js';

export interface RecordStoreOptions {
  /** clock for meta.lastUpdated and `ap` date searches (default: the system clock) */
  readonly now?: () => Date;
  /** close the database when the store is closed (default false: whoever opened it closes it) */
  readonly ownsDatabase?: boolean;
}

/**
 * Worth a fresh attempt: serialization failure, deadlock detected (PostgreSQL codes), an identity race, a row
 * changed or created by a concurrent apply.
 */
const RETRYABLE = new Set(['40001', '40P01', IDENTITY_RACE, WRITE_RACE]);
const ATTEMPTS = 5;

/** A RecordStore on either database; brings the schema up to date first. */
export async function createRecordStore(db: SqlDatabase, options: RecordStoreOptions = {}): Promise<RecordStore> {
  await migrate(db);
  return new SqlRecordStore(db, options.now ?? (() => new Date()), options.ownsDatabase ?? false);
}

class SqlRecordStore implements RecordStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => Date,
    private readonly ownsDatabase: boolean,
  ) {}

  async apply(input: ApplyInput): Promise<ApplyResult> {
    const [result] = await this.retrying(() => this.applyInTransaction([input]));
    return result as ApplyResult;
  }

  async applyMany(inputs: readonly ApplyInput[]): Promise<ApplyOutcome[]> {
    if (inputs.length === 0) return [];
    try {
      const results = await this.retrying(() => this.applyInTransaction(inputs));
      return results.map((result) => ({ ok: true, result }));
    } catch (error) {
      if (inputs.length === 1) return [{ ok: false, error }];
    }
    const outcomes: ApplyOutcome[] = [];
    for (const input of inputs) {
      try {
        outcomes.push({ ok: true, result: await this.apply(input) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= ATTEMPTS || !RETRYABLE.has(errorCode(error))) throw error;
      }
    }
  }

  private applyInTransaction(inputs: readonly ApplyInput[]): Promise<ApplyResult[]> {
    return this.db.transaction((tx) => applyBatch(tx, this.now, inputs));
  }

  async read(resourceType: string, id: string): Promise<Resource | undefined> {
    const { rows } = await this.db.query<{ content: Resource }>(
      'SELECT content FROM resources WHERE resource_type = $1 AND id = $2',
      [resourceType, id],
    );
    return rows[0]?.content;
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<Resource | undefined> {
    if (!/^[1-9][0-9]{0,8}$/.test(versionId)) return undefined;
    const { rows } = await this.db.query<{ content: Resource }>(
      'SELECT content FROM resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3',
      [resourceType, id, Number(versionId)],
    );
    return rows[0]?.content;
  }

  search(resourceType: string, query: SearchQuery): Promise<SearchResult> {
    return runSearch(this.db, resourceType, query, this.now());
  }

  history(resourceType: string, id: string | undefined, query: HistoryQuery): Promise<HistoryResult> {
    return readHistory(this.db, resourceType, id, query);
  }

  everything(patientId: string, query: EverythingQuery): Promise<SearchResult | undefined> {
    return readEverything(this.db, patientId, query);
  }

  async logRejected(input: Parameters<RecordStore['logRejected']>[0]): Promise<string> {
    const id = randomUUID();
    await insertRejected(this.db, id, input);
    return id;
  }

  getMessage(id: string) {
    return readMessage(this.db, id);
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
