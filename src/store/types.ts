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
}

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
}

export interface SearchResult {
  readonly total: number;
  readonly resources: readonly Resource[];
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
  read(resourceType: string, id: string): Promise<Resource | undefined>;
  vread(resourceType: string, id: string, versionId: string): Promise<Resource | undefined>;
  search(resourceType: string, query: SearchQuery): Promise<SearchResult>;
  /** keep a message that could not be accepted (malformed, unmappable) for inspection */
  logRejected(input: RejectedInput): Promise<string>;
  getMessage(id: string): Promise<MessageLogEntry | undefined>;
  close(): Promise<void>;
}
