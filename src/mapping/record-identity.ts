/**
 * Who a FHIR bundle or a CSV row is about: the same person key as for HL7 v2 (identity.ts), so that GP data
 * and hospital data for one person share a partition and a Patient: `nhs:<NHS number>` when valid, else
 * `local:<ODS>:<local id>`.
 */
import { isValidNhsNumber, NHS_NUMBER_SYSTEM, normaliseNhsNumber } from './identity.js';

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The Patient resources of a FHIR bundle (`entry[].resource`), in order. */
export function bundlePatients(bundle: unknown): Obj[] {
  if (!isObj(bundle) || !Array.isArray(bundle['entry'])) return [];
  return bundle['entry'].flatMap((e) => (isObj(e) && isObj(e['resource']) && e['resource']['resourceType'] === 'Patient' ? [e['resource']] : []));
}

/** The person key of a FHIR bundle: its first Patient's valid NHS number, else its first other identifier (or id). */
export function fhirPersonKey(bundle: unknown, odsCode: string): string {
  const ods = odsCode.trim().toUpperCase();
  const patient = bundlePatients(bundle)[0];
  if (patient === undefined) return `local:${ods}:unknown`;
  const ids = Array.isArray(patient['identifier']) ? patient['identifier'].filter(isObj) : [];
  let local: string | undefined;
  for (const id of ids) {
    const value = typeof id['value'] === 'string' ? id['value'].trim() : '';
    if (value === '') continue;
    if (id['system'] === NHS_NUMBER_SYSTEM) {
      const nhs = normaliseNhsNumber(value);
      if (isValidNhsNumber(nhs)) return `nhs:${nhs}`;
    } else local ??= value;
  }
  const id = typeof patient['id'] === 'string' ? patient['id'] : 'unknown';
  return `local:${ods}:${local ?? id}`;
}

/** The person key of a CSV row: the NHS number column when valid, else the local id column. */
export function csvPersonKey(row: Readonly<Record<string, string>>, person: { readonly nhsNumber: string; readonly localId?: string }, odsCode: string): string {
  const ods = odsCode.trim().toUpperCase();
  const nhs = normaliseNhsNumber(row[person.nhsNumber] ?? '');
  if (isValidNhsNumber(nhs)) return `nhs:${nhs}`;
  const local = person.localId === undefined ? '' : (row[person.localId] ?? '').trim();
  return `local:${ods}:${local !== '' ? local : nhs !== '' ? nhs : 'unknown'}`;
}
