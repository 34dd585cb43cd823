/**
 * What "the same meaning" is, field by field, for the resources Junction and the FHIR-Converter corpus both
 * make (Patient, Encounter, AllergyIntolerance, Condition, Procedure). Each field reads a resource and gives a
 * sorted list of normalised texts; two resources agree on a field when the lists are equal.
 *
 * Normalisation (what carries no meaning):
 * - ids are each project's own hashes: references are compared by what they point at, never by id;
 * - instants are compared in UTC (the corpus shifts times into another zone); dates stay dates;
 * - identifier systems differ by design (per-organisation systems here, urn:oid / example.com there):
 *   identifiers are compared by value;
 * - codes are compared as system|code, with a sender's own table (example.com/…/CodeSystem/X there,
 *   https://junction.nhs.uk/CodeSystem/<ODS>/x here) read as local:x;
 * - text is compared trimmed, blanks collapsed, upper case; order carries no meaning (sets);
 * - an address's lines are read as one text: where a sender's line breaks fall ("1000" / "Hospital Lane" or
 *   "1000 Hospital Lane") does not change the address;
 * - a location is named from the ward down to the bed: one Location named "ward, room, bed" (ours) says the same
 *   as a ward Location with a room and a bed chained under it by partOf (theirs: Encounter.location names the
 *   ward, PL-2 and PL-3 are Locations partOf it).
 */

/** A FHIR resource as plain JSON. */
export type Json = Record<string, unknown>;

/** Resolves `Type/id` references within one bundle. */
export interface BundleIndex {
  resolve(reference: unknown): Json | undefined;
  /** The resources of the bundle whose partOf points at this one (rooms of a ward, beds of a room). */
  partsOf(resource: Json): Json[];
}

/** The resources the comparison pairs, so a reference can be checked against the other side's pair. */
export interface Anchors {
  readonly patient?: Json;
  readonly encounter?: Json;
}

export interface FieldSpec {
  readonly name: string;
  read(resource: Json, bundle: BundleIndex, anchors: Anchors): string[];
}

export const COMPARED_TYPES = ['Patient', 'Encounter', 'AllergyIntolerance', 'Condition', 'Procedure'] as const;
export type ComparedType = (typeof COMPARED_TYPES)[number];

// ---- value normalisers ---------------------------------------------------------------------------------

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function text(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined ? undefined : s.trim().replace(/\s+/g, ' ').toUpperCase();
}

/** A dateTime with a time → the UTC instant; a date (or partial date) stays as written. */
export function instant(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!s.includes('T')) return s;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
}

const CONVERTER_LOCAL = /^http:\/\/example\.com\/v2-to-fhir-converter\/CodeSystem\/(.+)$/;
const JUNCTION_LOCAL = /^https:\/\/junction\.nhs\.uk\/CodeSystem\/[^/]+\/(.+)$/;

export function system(v: unknown): string {
  const s = str(v);
  if (s === undefined) return '';
  const local = CONVERTER_LOCAL.exec(s) ?? JUNCTION_LOCAL.exec(s);
  if (local) return `local:${(local[1] ?? '').toLowerCase()}`;
  return s.replace(/\/$/, '');
}

function codings(concept: unknown): string[] {
  return list(obj(concept)?.['coding']).flatMap((c) => {
    const code = str(obj(c)?.['code']);
    return code === undefined ? [] : [`${system(obj(c)?.['system'])}|${code}`];
  });
}

/** The code values of a CodeableConcept (no systems), for pairing. */
export function codeValues(concept: unknown): string[] {
  return list(obj(concept)?.['coding']).flatMap((c) => {
    const code = str(obj(c)?.['code']);
    return code === undefined ? [] : [code.toUpperCase()];
  });
}

function sorted(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))].sort();
}

function identifierValues(resource: Json | undefined): string[] {
  return sorted(list(resource?.['identifier']).map((i) => text(obj(i)?.['value'])));
}

function humanName(n: unknown): string | undefined {
  const name = obj(n);
  const family = text(name?.['family']) ?? '';
  const given = list(name?.['given']).map(text).filter(Boolean).join(' ');
  return family === '' && given === '' ? undefined : `${family}/${given}`;
}

// ---- field readers ---------------------------------------------------------------------------------------

const at = (...path: string[]) => (r: Json): unknown => path.reduce<unknown>((v, k) => obj(v)?.[k], r);

function one(name: string, get: (r: Json) => unknown, norm: (v: unknown) => string | undefined = text): FieldSpec {
  return { name, read: (r) => sorted([norm(get(r))]) };
}

function many(name: string, get: (r: Json) => unknown, norm: (v: unknown) => string | undefined = text): FieldSpec {
  return { name, read: (r) => sorted(list(get(r)).map(norm)) };
}

function coded(name: string, get: (r: Json) => unknown): FieldSpec {
  return { name, read: (r) => sorted(list(get(r)).flatMap(codings)) };
}

/** Which identifiers the resource a reference points at has (a reference compared by what it names). */
function referenced(name: string, get: (r: Json) => unknown): FieldSpec {
  return {
    name,
    read: (r, bundle) => sorted(list(get(r)).flatMap((ref) => identifierValues(bundle.resolve(obj(ref)?.['reference'])))),
  };
}

/** `paired` when the reference points at the resource of this bundle that the comparison paired (patient, visit). */
function linked(name: string, get: (r: Json) => unknown, anchor: keyof Anchors): FieldSpec {
  return {
    name,
    read: (r, bundle, anchors) => {
      const target = bundle.resolve(obj(get(r))?.['reference']);
      if (target === undefined) return [];
      return [target === anchors[anchor] ? 'paired' : 'another'];
    },
  };
}

/**
 * A location's name followed by the names of the room and bed chained under it (partOf), while there is exactly
 * one such part: "HUH AE OMU" with room "OMU B" and bed "Bed 03" under it reads "HUH AE OMU, OMU B, BED 03".
 */
function locationName(location: Json | undefined, bundle: BundleIndex): string | undefined {
  const names: string[] = [];
  let at = location;
  for (let depth = 0; at !== undefined && depth < 3; depth += 1) {
    const name = text(at['name']);
    if (name !== undefined) names.push(name);
    const parts = bundle.partsOf(at);
    at = parts.length === 1 ? parts[0] : undefined;
  }
  return names.length === 0 ? undefined : names.join(', ');
}

function code(v: unknown): string | undefined {
  return codings(v)[0] ?? text(obj(v)?.['text']);
}

export const FIELDS: Record<ComparedType, readonly FieldSpec[]> = {
  Patient: [
    { name: 'identifier', read: (r) => identifierValues(r) },
    many('name', at('name'), humanName),
    one('birthDate', at('birthDate'), str),
    one('gender', at('gender'), str),
    many('address', at('address'), (a) => {
      const x = obj(a);
      const lines = list(x?.['line']).map(text).filter(Boolean).join(' ');
      const parts = [lines, ...[x?.['city'], x?.['postalCode'], x?.['country']].map(text)].filter(Boolean);
      return parts.length === 0 ? undefined : parts.join(', ');
    }),
    many('telecom', at('telecom'), (t) => str(obj(t)?.['value'])?.replace(/[\s()-]/g, '').toUpperCase()),
    { name: 'deceased', read: (r) => sorted([instant(r['deceasedDateTime']) ?? str(r['deceasedBoolean'])]) },
    referenced('generalPractitioner', at('generalPractitioner')),
  ],
  Encounter: [
    { name: 'identifier', read: (r) => identifierValues(r) },
    one('status', at('status'), str),
    { name: 'class', read: (r) => sorted(list(r['class']).map((c) => `${system(obj(c)?.['system'])}|${str(obj(c)?.['code']) ?? ''}`)) },
    coded('type', at('type')),
    one('period.start', at('period', 'start'), instant),
    one('period.end', at('period', 'end'), instant),
    {
      name: 'participant',
      read: (r, bundle) =>
        sorted(
          list(r['participant']).flatMap((p) => {
            const role = list(obj(p)?.['type']).flatMap(codeValues).join('+');
            return identifierValues(bundle.resolve(obj(obj(p)?.['individual'])?.['reference'])).map((id) => `${role}:${id}`);
          }),
        ),
    },
    {
      name: 'location',
      read: (r, bundle) => sorted(list(r['location']).map((l) => locationName(bundle.resolve(obj(obj(l)?.['location'])?.['reference']), bundle))),
    },
    coded('admitSource', at('hospitalization', 'admitSource')),
    coded('dischargeDisposition', at('hospitalization', 'dischargeDisposition')),
    linked('subject', at('subject'), 'patient'),
  ],
  AllergyIntolerance: [
    coded('code', at('code')),
    one('code.text', at('code', 'text')),
    many('category', at('category'), str),
    one('type', at('type'), str),
    one('criticality', at('criticality'), str),
    one('clinicalStatus', at('clinicalStatus'), code),
    one('verificationStatus', at('verificationStatus'), code),
    one('onset', at('onsetDateTime'), instant),
    one('recordedDate', at('recordedDate'), instant),
    many('reaction.manifestation', (r) => list(r['reaction']).flatMap((x) => list(obj(x)?.['manifestation'])), code),
    many('reaction.severity', (r) => list(r['reaction']).map((x) => obj(x)?.['severity']), str),
    many('reaction.onset', (r) => list(r['reaction']).map((x) => obj(x)?.['onset']), instant),
    { name: 'identifier', read: (r) => identifierValues(r) },
    linked('patient', at('patient'), 'patient'),
  ],
  Condition: [
    coded('code', at('code')),
    one('code.text', at('code', 'text')),
    coded('category', at('category')),
    one('clinicalStatus', at('clinicalStatus'), code),
    one('verificationStatus', at('verificationStatus'), code),
    one('onset', at('onsetDateTime'), instant),
    one('recordedDate', at('recordedDate'), instant),
    referenced('asserter', at('asserter')),
    { name: 'identifier', read: (r) => identifierValues(r) },
    linked('subject', at('subject'), 'patient'),
    linked('encounter', at('encounter'), 'encounter'),
  ],
  Procedure: [
    coded('code', at('code')),
    one('code.text', at('code', 'text')),
    one('status', at('status'), str),
    coded('category', at('category')),
    { name: 'performed', read: (r) => sorted([instant(r['performedDateTime']) ?? instant(obj(r['performedPeriod'])?.['start'])]) },
    referenced('performer', (r) => list(r['performer']).map((p) => obj(p)?.['actor'])),
    {
      name: 'performer.function',
      read: (r) => sorted(list(r['performer']).flatMap((p) => codings(obj(p)?.['function']))),
    },
    coded('reasonCode', at('reasonCode')),
    { name: 'identifier', read: (r) => identifierValues(r) },
    linked('subject', at('subject'), 'patient'),
    linked('encounter', at('encounter'), 'encounter'),
  ],
};
