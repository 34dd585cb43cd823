import type { Bundle } from '@medplum/fhirtypes';
import type { Hl7Message } from '../hl7v2/types.js';

/** What the mapper knows of the channel a message came in on (from junction.yaml). */
export interface ChannelContext {
  readonly id: string;
  /** the sending organisation: ODS code and display name */
  readonly organisation: { readonly odsCode: string; readonly name?: string };
}

/** Input the mapping did not use, with counts: `ZU1` (whole segment) or `PID-13` / `PV1-3.4` (field, component). */
export interface UnmappedItem {
  readonly path: string;
  readonly count: number;
}

/** A security label a rule put on a resource (for example PSY on a Condition with an ICD-10 F code). */
export interface LabelAssignment {
  readonly resourceType: string;
  readonly id: string;
  readonly system: string;
  readonly code: string;
  readonly rule: string;
}

/**
 * Fields of a resource the store keeps from the version it already holds, rather than the mapped value
 * (for example Encounter.status on an A08 that does not itself show a change). Paths are top-level
 * element names of the resource.
 */
export interface PreserveRule {
  readonly resourceType: string;
  readonly id: string;
  readonly elements: readonly string[];
}

export interface MapResult {
  /** a `transaction` Bundle of PUT entries with deterministic ids (`fullUrl` = `urn:uuid:`-free `Type/id`) */
  readonly bundle: Bundle;
  readonly labels: readonly LabelAssignment[];
  readonly unmapped: readonly UnmappedItem[];
  readonly warnings: readonly string[];
  readonly preserve: readonly PreserveRule[];
}

/** Pure: no I/O, no clock reads except through the injected clock. */
export interface Mapper {
  map(message: Hl7Message, channel: ChannelContext): MapResult;
}

/** Thrown when a message cannot be mapped (no mapping for its structure/event, a required value missing). */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    message: string,
    /** where in the mapping files (file:line) and/or the message (segment-field) */
    readonly where?: string,
  ) {
    super(message);
  }
}
