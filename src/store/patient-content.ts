/**
 * Pure rules for the content of a canonical Patient: identifiers from every source accumulate, links made by
 * merges are kept, and a retired record stays inactive. See DESIGN.md, Identity.
 */
import type { Extension, Identifier, Patient, PatientLink, Resource } from '@medplum/fhirtypes';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
/**
 * On a mapped Patient (A40, from MRG-1): an identifier of a record this Patient replaces. The store merges that
 * record into this one and does not keep the extension (the merge is recorded as a `replaces` link).
 */
export const REPLACES_IDENTIFIER_URL = 'https://junction.nhs.uk/fhir/StructureDefinition/replaces-identifier';

/** `system|value`, or undefined for an identifier the index cannot hold (no system or no value). */
export function identifierKey(identifier: Identifier): string | undefined {
  return identifier.system && identifier.value ? `${identifier.system}|${identifier.value}` : undefined;
}

/** Identifiers with both system and value, without repeats. */
export function keyedIdentifiers(list: readonly Identifier[] | undefined): { system: string; value: string }[] {
  const seen = new Set<string>();
  const result: { system: string; value: string }[] = [];
  for (const identifier of list ?? []) {
    const key = identifierKey(identifier);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    result.push({ system: identifier.system as string, value: identifier.value as string });
  }
  return result;
}

/**
 * The held identifiers in their order, then those only the incoming list has. For an identifier both hold,
 * the incoming content wins when `preferIncoming` (a newer message), else the held one. Identifiers without
 * system or value are kept from the incoming list only when `preferIncoming`.
 */
export function unionIdentifiers(
  held: readonly Identifier[] | undefined,
  incoming: readonly Identifier[] | undefined,
  preferIncoming: boolean,
): Identifier[] {
  const incomingByKey = new Map<string, Identifier>();
  for (const identifier of incoming ?? []) {
    const key = identifierKey(identifier);
    if (key !== undefined && !incomingByKey.has(key)) incomingByKey.set(key, identifier);
  }
  const result: Identifier[] = [];
  const seen = new Set<string>();
  for (const identifier of held ?? []) {
    const key = identifierKey(identifier);
    if (key === undefined) {
      if (!preferIncoming) result.push(identifier);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(preferIncoming ? (incomingByKey.get(key) ?? identifier) : identifier);
  }
  for (const identifier of incoming ?? []) {
    const key = identifierKey(identifier);
    if (key === undefined) {
      if (preferIncoming) result.push(identifier);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(identifier);
  }
  return result;
}

/** The identifiers a mapped Patient says it replaces (A40, MRG-1). */
export function replacedIdentifiers(extensions: readonly Extension[] | undefined): Identifier[] {
  return (extensions ?? []).flatMap((e) => (e.url === REPLACES_IDENTIFIER_URL && e.valueIdentifier ? [e.valueIdentifier] : []));
}

/** A link to another Patient by literal reference (`Patient/id`); links by identifier only are not kept. */
function linkKey(link: PatientLink): string | undefined {
  return link.other?.reference ? `${link.type}|${link.other.reference}` : undefined;
}

export function unionLinks(...lists: (readonly PatientLink[] | undefined)[]): PatientLink[] {
  const seen = new Set<string>();
  const result: PatientLink[] = [];
  for (const link of lists.flatMap((list) => list ?? [])) {
    const key = linkKey(link);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    result.push(link);
  }
  return result;
}

/** What a merge adds to the surviving Patient. */
export interface SurvivorExtras {
  /** identifiers of the records merged into it (A40: marked `use: old`) */
  readonly identifiers: readonly Identifier[];
  /** `replaces` links to the records merged into it */
  readonly links: readonly PatientLink[];
}

/**
 * The next content of a Patient: the mapped content (or, for an older message, the held content) with the
 * identifiers of both, the held links and the merge's extras. A Patient that has been replaced stays inactive.
 */
export function combinePatient(
  mapped: Patient,
  held: Patient | undefined,
  olderThanHeld: boolean,
  extras: SurvivorExtras | undefined,
): Patient {
  const base: Patient = olderThanHeld && held ? { ...held } : { ...mapped };
  const extension = (base.extension ?? []).filter((e) => e.url !== REPLACES_IDENTIFIER_URL);
  if (extension.length > 0) base.extension = extension;
  else delete base.extension;
  let identifier = unionIdentifiers(held?.identifier, mapped.identifier, !olderThanHeld);
  if (extras) identifier = unionIdentifiers(identifier, extras.identifiers, false);
  const link = unionLinks(held?.link, mapped.link, extras?.links);
  if (identifier.length > 0) base.identifier = identifier;
  else delete base.identifier;
  if (link.length > 0) base.link = link;
  else delete base.link;
  if (link.some((l) => l.type === 'replaced-by')) base.active = false;
  return base;
}

/** A retired record: inactive, `replaced-by` the survivor. */
export function retirePatient(held: Patient, survivorId: string): Patient {
  const link = unionLinks(
    (held.link ?? []).filter((l) => l.type !== 'replaced-by'),
    [{ other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' }],
  );
  return { ...held, active: false, link };
}

/** The literal references (`Type/id`, optionally `/_history/n`) anywhere in a resource, as [type, id]. */
export function literalReferences(resource: Resource): [string, string][] {
  const found = new Map<string, [string, string]>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, member] of Object.entries(value)) {
      if (key === 'reference' && typeof member === 'string') {
        const match = LITERAL_REFERENCE.exec(member);
        if (match) found.set(`${match[1]}/${match[2]}`, [match[1] as string, match[2] as string]);
      } else visit(member);
    }
  };
  visit(resource);
  return [...found.values()];
}

const LITERAL_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[A-Za-z0-9.-]+)?$/;

/**
 * A copy of a JSON value with every `reference` equal to `from` (exactly: `Patient/x`, not a versioned
 * `Patient/x/_history/n`, which names what was true then) changed to `to`. Returns the same object when
 * nothing matched.
 */
export function rewriteReferences<T>(value: T, from: string, to: string): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      let changed = false;
      const next = node.map((item) => {
        const v = visit(item);
        if (v !== item) changed = true;
        return v;
      });
      return changed ? next : node;
    }
    if (node === null || typeof node !== 'object') return node;
    let copy: Record<string, unknown> | undefined;
    for (const [key, member] of Object.entries(node)) {
      const next = key === 'reference' && member === from ? to : visit(member);
      if (next !== member) {
        copy ??= { ...(node as Record<string, unknown>) };
        copy[key] = next;
      }
    }
    return copy ?? node;
  };
  return visit(value) as T;
}
