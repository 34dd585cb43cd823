/**
 * The master patient index: which stored Patient a message's Patient is, kept in `person_identifier`
 * (system|value → canonical Patient id) inside the apply transaction.
 *
 * Rules, in order (DESIGN.md, Identity):
 *  1. The NHS number decides: when the message's NHS number is indexed, its owner is the canonical Patient.
 *  2. A message with an NHS number nobody holds yet links to a record that one of its local identifiers
 *     resolves to, if that record has no NHS number (local id first, NHS number later: the record keeps its
 *     id and gains the NHS number). A record with another NHS number is another person and is never joined.
 *  3. A message without an NHS number goes to the record its local identifiers resolve to (one holding an
 *     NHS number first, else the first in message order), else to the mapper's id.
 *  4. Two records joined by one message: every other record a local identifier of the message resolves to
 *     that has no NHS number is merged into the canonical one (as for A40, but its identifiers stay current).
 *     A record with a different NHS number is left alone; the shared local identifier keeps resolving to it.
 *  5. A40: a replaces-identifier extension (from MRG-1) names the retired record by identifier; the record
 *     that identifier resolves to is retired; an identifier nobody holds is added to the survivor (`use: old`).
 */
import type { Bundle, Identifier, Patient, PatientLink } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { keyedIdentifiers, NHS_NUMBER_SYSTEM, replacedIdentifiers, type SurvivorExtras } from './patient-content.js';
import type { SqlExecutor } from './sql.js';

export interface KeyedIdentifier {
  readonly system: string;
  readonly value: string;
}

/** A record to merge into the canonical Patient. */
export interface Retirement {
  readonly id: string;
  /** `merge`: an A40 named it, its identifiers become `use: old`; `linked`: rule 4, its identifiers stay */
  readonly reason: 'merge' | 'linked';
}

export interface PatientResolution {
  readonly mappedId: string;
  readonly canonicalId: string;
  readonly retire: readonly Retirement[];
  /** what the merges add to the canonical Patient */
  readonly extras: SurvivorExtras;
  /** `system|value` of the message's identifiers the index already resolved to the canonical Patient */
  readonly owned?: ReadonlySet<string>;
}

/** Resolve every Patient of a mapped bundle to its canonical record. Reads only; locks nothing. */
export async function resolvePatients(tx: SqlExecutor, bundle: Bundle): Promise<PatientResolution[]> {
  const patients = (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((r): r is Patient & { id: string } => r?.resourceType === 'Patient' && typeof r.id === 'string');
  if (patients.length === 0) return [];
  const asked = patients.flatMap((p) => [...keyedIdentifiers(p.identifier), ...keyedIdentifiers(replacedIdentifiers(p.extension))]);
  const { owners, nhsOf } = await ownersOf(tx, asked);
  const resolutions: PatientResolution[] = [];
  for (const patient of patients) {
    const resolution = resolveOne(patient, owners, nhsOf);
    const owned = new Set([...owners].filter(([, owner]) => owner === resolution.canonicalId).map(([k]) => k));
    resolutions.push({
      ...(await withRetiredIdentifiers(tx, resolution.canonicalId, patient.id, resolution.retire, resolution.unresolved)),
      owned,
    });
  }
  return resolutions;
}

export function resolveOne(
  patient: Patient & { id: string },
  owners: ReadonlyMap<string, string>,
  nhsOf: ReadonlyMap<string, ReadonlySet<string>>,
): { canonicalId: string; retire: Retirement[]; unresolved: KeyedIdentifier[] } {
  const identifiers = keyedIdentifiers(patient.identifier);
  const nhs = identifiers.filter((i) => i.system === NHS_NUMBER_SYSTEM);
  const local = identifiers.filter((i) => i.system !== NHS_NUMBER_SYSTEM);
  const ownerOf = (i: KeyedIdentifier) => owners.get(key(i));
  const hasNhs = (id: string) => (nhsOf.get(id)?.size ?? 0) > 0;
  const localOwners = [...new Set(local.map(ownerOf).filter((o): o is string => o !== undefined))];

  const nhsOwner = nhs.map(ownerOf).find((o) => o !== undefined);
  let canonicalId: string;
  if (nhsOwner !== undefined) canonicalId = nhsOwner;
  else if (nhs.length > 0) canonicalId = localOwners.find((o) => !hasNhs(o)) ?? patient.id;
  else canonicalId = localOwners.find(hasNhs) ?? localOwners[0] ?? patient.id;

  const retire: Retirement[] = localOwners
    .filter((o) => o !== canonicalId && !hasNhs(o))
    .map((id) => ({ id, reason: 'linked' as const }));
  const unresolved: KeyedIdentifier[] = [];
  for (const named of keyedIdentifiers(replacedIdentifiers(patient.extension))) {
    const owner = ownerOf(named);
    if (owner === undefined) unresolved.push(named);
    else if (owner !== canonicalId) {
      const already = retire.findIndex((r) => r.id === owner);
      if (already >= 0) retire.splice(already, 1);
      retire.push({ id: owner, reason: 'merge' });
    }
  }
  return { canonicalId, retire, unresolved };
}

/** The survivor's extras: the retired records' identifiers and `replaces` links (only records that exist). */
async function withRetiredIdentifiers(
  tx: SqlExecutor,
  canonicalId: string,
  mappedId: string,
  retire: readonly Retirement[],
  unresolved: readonly KeyedIdentifier[],
): Promise<PatientResolution> {
  const held = new Map<string, Patient>();
  if (retire.length > 0) {
    const { rows } = await tx.query<{ id: string; content: Patient }>(
      `SELECT id, content FROM resources WHERE resource_type = 'Patient' AND id = ANY($1::text[])`,
      [retire.map((r) => r.id)],
    );
    for (const row of rows) held.set(row.id, row.content);
  }
  const existing = retire.filter((r) => held.has(r.id));
  const identifiers: Identifier[] = [];
  for (const r of existing) {
    for (const identifier of held.get(r.id)?.identifier ?? []) {
      identifiers.push(r.reason === 'merge' ? { ...identifier, use: 'old' } : identifier);
    }
  }
  for (const named of unresolved) identifiers.push({ use: 'old', system: named.system, value: named.value });
  const links: PatientLink[] = existing.map((r) => ({ other: { reference: `Patient/${r.id}` }, type: 'replaces' }));
  return { mappedId, canonicalId, retire: existing, extras: { identifiers, links } };
}

/**
 * Who holds each identifier, and the NHS numbers those holders (and the records `alsoNhsOf`) have: one statement.
 */
export async function ownersOf(
  tx: SqlExecutor,
  identifiers: readonly KeyedIdentifier[],
  alsoNhsOf: readonly string[] = [],
): Promise<{ owners: Map<string, string>; nhsOf: Map<string, Set<string>> }> {
  const owners = new Map<string, string>();
  const nhsOf = new Map<string, Set<string>>();
  if (identifiers.length === 0 && alsoNhsOf.length === 0) return { owners, nhsOf };
  const { rows } = await tx.query<{ owner: boolean; system: string; value: string; patient_id: string }>(
    `WITH owners AS (
       SELECT p.system, p.value, p.patient_id FROM person_identifier p
         JOIN unnest($1::text[], $2::text[]) AS q(system, value) ON p.system = q.system AND p.value = q.value
     )
     SELECT true AS owner, system, value, patient_id FROM owners
     UNION ALL
     SELECT false AS owner, n.system, n.value, n.patient_id FROM person_identifier n
       JOIN (SELECT patient_id FROM owners UNION SELECT unnest($4::text[])) AS c ON n.patient_id = c.patient_id
      WHERE n.system = $3`,
    [identifiers.map((i) => i.system), identifiers.map((i) => i.value), NHS_NUMBER_SYSTEM, alsoNhsOf],
  );
  for (const row of rows) {
    if (row.owner) {
      owners.set(key(row), row.patient_id);
      continue;
    }
    const set = nhsOf.get(row.patient_id) ?? new Set<string>();
    set.add(row.value);
    nhsOf.set(row.patient_id, set);
  }
  return { owners, nhsOf };
}

/**
 * Index the identifiers of a canonical Patient as it now stands. An identifier already held by another record
 * keeps resolving there (rule 4), except an NHS number: that means another transaction indexed it since this
 * one resolved, so the apply is retried and resolves again. `owned`: identifiers the resolution found already
 * held by this Patient (their conflict is expected, so only other NHS numbers not inserted are checked).
 */
export async function indexPatient(tx: SqlExecutor, patient: Patient & { id: string }, owned?: ReadonlySet<string>): Promise<void> {
  const identifiers = keyedIdentifiers(patient.identifier);
  if (identifiers.length === 0) return;
  const systems = identifiers.map((i) => i.system);
  const values = identifiers.map((i) => i.value);
  const { rows: inserted } = await tx.query<{ system: string; value: string }>(
    `INSERT INTO person_identifier (system, value, patient_id)
     SELECT q.system, q.value, $3 FROM unnest($1::text[], $2::text[]) AS q(system, value)
     ON CONFLICT (system, value) DO NOTHING
     RETURNING system, value`,
    [systems, values, patient.id],
  );
  const done = new Set(inserted.map(key));
  const unsure = identifiers.filter((i) => i.system === NHS_NUMBER_SYSTEM && !done.has(key(i)) && !owned?.has(key(i)));
  if (unsure.length === 0) return;
  const { rows } = await tx.query<{ patient_id: string }>(
    `SELECT p.patient_id FROM person_identifier p
       JOIN unnest($1::text[], $2::text[]) AS q(system, value) ON p.system = q.system AND p.value = q.value
      WHERE p.patient_id <> $3`,
    [unsure.map((i) => i.system), unsure.map((i) => i.value), patient.id],
  );
  if (rows.length > 0) {
    throw new StoreError(
      `Patient/${patient.id}: its NHS number was indexed to another record by a message applied at the same time; retry the message.`,
      IDENTITY_RACE,
    );
  }
}

/** A concurrent apply indexed an identifier this one resolved without: retry. */
export const IDENTITY_RACE = 'identity-race';

/** Every identifier of the retired record now resolves to the survivor. */
export async function moveIdentifiers(tx: SqlExecutor, retiredId: string, survivorId: string): Promise<void> {
  await tx.query('UPDATE person_identifier SET patient_id = $2 WHERE patient_id = $1', [retiredId, survivorId]);
}

export function key(i: KeyedIdentifier): string {
  return `${i.system}|${i.value}`;
}
