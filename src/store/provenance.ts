/**
 * The Provenance every applied message writes: which resource versions it produced, when the event happened
 * and when it was recorded, which message it was (channel, MSH-10, event) and who sent it.
 */
import { createHash } from 'node:crypto';
import type { Bundle, Organization, Provenance, Reference } from '@medplum/fhirtypes';
import type { MessageSource, ResourceVersionRef } from './types.js';

/** Identifier system of a message: one per channel, value MSH-10. */
export const MESSAGE_ID_SYSTEM = 'https://junction.nhs.uk/Id/message';
/** On a Provenance.target: the message said what the store already held, so this version is not new. */
export const TARGET_UNCHANGED_URL = 'https://junction.nhs.uk/fhir/StructureDefinition/provenance-target-unchanged';
const EVENT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0003';
const PARTICIPANT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';

/** Deterministic: the same (sender, MSH-10) always names the same Provenance. */
export function provenanceId(sender: string, controlId: string): string {
  return createHash('sha256').update(`${sender}\u0000${controlId}`).digest('hex').slice(0, 40);
}

export function buildProvenance(
  source: MessageSource,
  bundle: Bundle,
  versions: readonly ResourceVersionRef[],
  recorded: string,
  /** EVN-2 else MSH-7 as the message gave it (a FHIR dateTime), null when unknown */
  occurred: string | null,
): Provenance & { id: string } {
  const event = source.messageType.split('^')[1];
  const provenance: Provenance & { id: string } = {
    resourceType: 'Provenance',
    id: provenanceId(source.sender, source.controlId),
    target: targets(versions),
    recorded,
    agent: [{ type: { coding: [{ system: PARTICIPANT_TYPE_SYSTEM, code: 'author', display: 'Author' }] }, who: sender(source, bundle) }],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: `${MESSAGE_ID_SYSTEM}/${encodeURIComponent(source.channelId)}`, value: source.controlId },
          display: source.messageType,
        },
      },
    ],
  };
  if (occurred !== null) provenance.occurredDateTime = occurred;
  if (event) provenance.activity = { coding: [{ system: EVENT_TYPE_SYSTEM, code: event }], text: source.messageType };
  return provenance;
}

/** Every version the message produced; versions it left unchanged carry the unchanged flag. */
function targets(versions: readonly ResourceVersionRef[]): Reference[] {
  const seen = new Set<string>();
  const result: Reference[] = [];
  for (const v of versions) {
    const reference = `${v.resourceType}/${v.id}/_history/${v.versionId}`;
    if (seen.has(reference)) continue;
    seen.add(reference);
    result.push(v.changed ? { reference } : { reference, extension: [{ url: TARGET_UNCHANGED_URL, valueBoolean: true }] });
  }
  return result;
}

/** The sending Organization the bundle made (its first), else the sender as the channel names it. */
function sender(source: MessageSource, bundle: Bundle): Reference<Organization> {
  const organisation = bundle.entry?.find((e) => e.resource?.resourceType === 'Organization')?.resource;
  return organisation?.id ? { reference: `Organization/${organisation.id}` } : { display: source.sender };
}
