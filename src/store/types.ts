import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { LabelAssignment, PreserveRule, UnmappedItem } from '../mapping/types.js';

/** Where an applied message came from. (sender, controlId) is the idempotency key. */
export interface MessageSource {
  readonly channelId: string;
  /** `${channelId}|${MSH-3}|${MSH-4}`: who sent it */
  readonly sender: string;
  /** MSH-10 */
  readonly controlId: string;
  /** MSH-9, e.g. `ADT^A01^ADT_A01` */
  readonly messageType: string;
  /** EVN-2 else MSH-7, ISO 8601, when known */
  readonly eventTime?: string;
  /** when the engine received it, ISO 8601 */
  readonly receivedAt: string;
}

export interface ApplyInput {
  readonly source: MessageSource;
  readonly raw: string;
  readonly bundle: Bundle;
  readonly preserve: readonly PreserveRule[];
  readonly labels: readonly LabelAssignment[];
  readonly unmapped: readonly UnmappedItem[];
  readonly warnings: readonly string[];
}

export interface ResourceVersionRef {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  /** false when the mapped content equalled what the store held, so no version was written */
  readonly changed: boolean;
}

export interface ApplyResult {
  /** `duplicate`: (sender, controlId) was applied before; nothing was written */
  readonly status: 'applied' | 'duplicate';
  readonly messageId: string;
  readonly versions: readonly ResourceVersionRef[];
  /**
   * The Provenance this message wrote (absent for a duplicate). `versions` holds the bundle's entries in
   * bundle order, then any versions written by merges (retired Patients, repointed resources).
   */
  readonly provenance?: ResourceVersionRef;
}

/** One message's outcome in {@link RecordStore.applyMany}. */
export type ApplyOutcome =
  | { readonly ok: true; readonly result: ApplyResult }
  | { readonly ok: false; readonly error: unknown };

export type SearchParamType = 'token' | 'string' | 'date' | 'reference';

export type DatePrefix = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb' | 'ap';

export type SearchValue =
  | { readonly type: 'token'; readonly system?: string; readonly code: string }
  | { readonly type: 'string'; readonly value: string; readonly exact?: boolean }
  | { readonly type: 'date'; readonly prefix: DatePrefix; readonly value: string }
  | { readonly type: 'reference'; readonly reference: string };

/** One search parameter; its values are ORed, criteria are ANDed. */
export interface SearchCriterion {
  readonly param: string;
  readonly values: readonly SearchValue[];
}

export interface SearchQuery {
  readonly criteria: readonly SearchCriterion[];
  readonly count: number;
  readonly offset: number;
  /** sort keys, most significant first; default `-_lastUpdated`. The id always breaks ties. */
  readonly sort?: readonly SortKey[];
  /** opaque token from an earlier page's `nextCursor`: continue after that page (keyset paging) */
  readonly cursor?: string;
  /** `_include`: also return what these reference parameters of the matches point at */
  readonly include?: readonly IncludeRequest[];
}

export interface SortKey {
  /** `_lastUpdated`, `_id`, or a string, token or date search parameter of the type */
  readonly param: string;
  readonly descending: boolean;
}

export interface IncludeRequest {
  /** a reference search parameter of the searched type, e.g. `patient` on Encounter */
  readonly param: string;
  /** only targets of this type, when given */
  readonly targetType?: string;
}

export interface SearchResult {
  readonly total: number;
  readonly resources: readonly Resource[];
  /** resources added by `_include` (not counted in total) */
  readonly included?: readonly Resource[];
  /** cursor for the page after this one; absent on the last page */
  readonly nextCursor?: string;
}

/** History of one resource (`id` given) or of every resource of a type. Newest version first. */
export interface HistoryQuery {
  /** only versions written at or after this instant (ISO 8601) */
  readonly since?: string;
  readonly count: number;
  /** opaque token from an earlier page's `nextCursor` */
  readonly cursor?: string;
}

export interface HistoryEntry {
  readonly resource: Resource;
  readonly versionId: string;
  readonly lastUpdated: string;
}

export interface HistoryResult {
  readonly total: number;
  readonly entries: readonly HistoryEntry[];
  readonly nextCursor?: string;
}

/** `Patient/:id/$everything`. */
export interface EverythingQuery {
  /** only resources whose current version was written at or after this instant (ISO 8601) */
  readonly since?: string;
  readonly count: number;
  readonly cursor?: string;
}

/** A message as the message log holds it. */
export interface MessageLogEntry {
  readonly id: string;
  readonly channelId: string;
  readonly sender?: string;
  readonly controlId?: string;
  readonly messageType?: string;
  readonly receivedAt: string;
  readonly status: 'applied' | 'rejected' | 'failed';
  readonly raw: string;
  readonly bundle?: Bundle;
  readonly error?: string;
  readonly versions: readonly ResourceVersionRef[];
}

export interface RejectedInput {
  readonly channelId: string;
  readonly raw: string;
  readonly receivedAt: string;
  readonly error: string;
  readonly controlId?: string;
  readonly sender?: string;
}

export interface RecordStore {
  /** Apply a mapped bundle in one transaction; idempotent by (sender, controlId). */
  apply(input: ApplyInput): Promise<ApplyResult>;
  /**
   * Apply several messages in order in one transaction (one COMMIT for all): each exactly as `apply` would —
   * idempotent by (sender, controlId), its own message-log row and Provenance. When the batch cannot commit
   * (a message fails), the messages are applied again one at a time, so each outcome is its own: a failing
   * message does not keep the others from applying. Outcomes are in input order.
   */
  applyMany?(inputs: readonly ApplyInput[]): Promise<ApplyOutcome[]>;
  read(resourceType: string, id: string): Promise<Resource | undefined>;
  vread(resourceType: string, id: string, versionId: string): Promise<Resource | undefined>;
  search(resourceType: string, query: SearchQuery): Promise<SearchResult>;
  /** versions of one resource (`id` given) or of a whole type, newest first */
  history(resourceType: string, id: string | undefined, query: HistoryQuery): Promise<HistoryResult>;
  /**
   * The person's whole record: the Patient and the Patients it merged (links `replaces` / `replaced-by`),
   * everything that references them, and what those reference. Undefined when the Patient is unknown.
   */
  everything(patientId: string, query: EverythingQuery): Promise<SearchResult | undefined>;
  /** keep a message that could not be accepted (malformed, unmappable) for inspection */
  logRejected(input: RejectedInput): Promise<string>;
  getMessage(id: string): Promise<MessageLogEntry | undefined>;
  close(): Promise<void>;
}
