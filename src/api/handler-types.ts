import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { RecordStore } from '../store/types.js';
import type { SearchParameterCatalog } from './search-catalog.js';

/** One request parameter as sent, in order: `[name (with any :modifier), raw value]`. */
export type RequestParam = readonly [name: string, value: string];

/** A FHIR request with the HTTP details already taken off. */
export interface FhirRequest {
  readonly method: string;
  readonly resourceType?: string;
  readonly id?: string;
  /** the version id of a vread (`/_history/:vid`) */
  readonly versionId?: string;
  /** the operation of an instance-level operation route, e.g. `$everything` */
  readonly operation?: string;
  /** query parameters, then (for POST _search) form body parameters */
  readonly params: readonly RequestParam[];
  /** FHIR base URL without a trailing slash, e.g. `https://hie.example.org/fhir` */
  readonly baseUrl: string;
}

export interface HandlerContext {
  readonly store: RecordStore;
  readonly searchParameters: SearchParameterCatalog;
  readonly logger?: Logger;
  /** when this API started; used as the CapabilityStatement date */
  readonly startedAt: Date;
}

/** What a handler returns; the Express adapter only writes it out. */
export interface FhirResult {
  readonly status: number;
  readonly resource: Resource;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Handlers return data, and throw `FhirError` (see outcomes.ts) for anything a client did wrong. */
export type FhirHandler = (request: FhirRequest, context: HandlerContext) => Promise<FhirResult>;

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
