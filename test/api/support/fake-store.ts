import type { Resource } from '@medplum/fhirtypes';
import type {
  ApplyInput,
  ApplyResult,
  EverythingQuery,
  HistoryQuery,
  HistoryResult,
  MessageLogEntry,
  RecordStore,
  RejectedInput,
  SearchQuery,
  SearchResult,
} from '../../../src/store/types.js';

export interface RecordedSearch {
  readonly resourceType: string;
  readonly query: SearchQuery;
}

/**
 * An in-memory RecordStore for API tests: holds canned resources, records every SearchQuery it
 * receives, and answers a search with all resources of the type, paged by the query's count/offset
 * (it does not filter: filtering is the real store's job, under its own conformance suite).
 */
export class FakeRecordStore implements RecordStore {
  readonly searches: RecordedSearch[] = [];
  readonly reads: { resourceType: string; id: string }[] = [];
  /** when set, read and search reject with it (to exercise the 500 path) */
  failWith: Error | undefined;

  constructor(readonly resources: Resource[] = []) {}

  async read(resourceType: string, id: string): Promise<Resource | undefined> {
    this.reads.push({ resourceType, id });
    if (this.failWith) throw this.failWith;
    return this.resources.find((r) => r.resourceType === resourceType && r.id === id);
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<Resource | undefined> {
    const current = await this.read(resourceType, id);
    return current?.meta?.versionId === versionId ? current : undefined;
  }

  async search(resourceType: string, query: SearchQuery): Promise<SearchResult> {
    this.searches.push({ resourceType, query });
    if (this.failWith) throw this.failWith;
    const all = this.resources.filter((r) => r.resourceType === resourceType);
    return { total: all.length, resources: all.slice(query.offset, query.offset + query.count) };
  }

  async history(_resourceType: string, _id: string | undefined, _query: HistoryQuery): Promise<HistoryResult> {
    throw new Error('FakeRecordStore.history: history is tested against the real store');
  }

  async everything(_patientId: string, _query: EverythingQuery): Promise<SearchResult | undefined> {
    throw new Error('FakeRecordStore.everything: $everything is tested against the real store');
  }

  get lastSearch(): RecordedSearch {
    const last = this.searches.at(-1);
    if (last === undefined) throw new Error('the store was never searched');
    return last;
  }

  async apply(_input: ApplyInput): Promise<ApplyResult> {
    throw new Error('FakeRecordStore.apply: the API never writes');
  }

  async logRejected(_input: RejectedInput): Promise<string> {
    throw new Error('FakeRecordStore.logRejected: the API never writes');
  }

  async getMessage(_id: string): Promise<MessageLogEntry | undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}

export function patient(id: string, versionId = '1', lastUpdated = '2024-03-05T10:15:30.000Z'): Resource {
  return { resourceType: 'Patient', id, meta: { versionId, lastUpdated }, gender: 'female' };
}

export function encounter(id: string, patientId: string): Resource {
  return {
    resourceType: 'Encounter',
    id,
    meta: { versionId: '1', lastUpdated: '2024-03-05T10:15:30.000Z' },
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: `Patient/${patientId}` },
  };
}
