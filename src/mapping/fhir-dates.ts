/**
 * Dates as GP feeds write them → checked FHIR date, dateTime and instant (the `fhir-date`, `fhir-dateTime` and
 * `fhir-instant` transforms). Accepted input:
 *
 *   2023-08-01, 2023-08, 2023             ISO dates (FHIR's own, as GP Connect and most extracts write them)
 *   01/08/2023, 1/8/2023                  DD/MM/YYYY, as English GP systems export dates
 *   2023-08-01T14:30:00+01:00, …Z         ISO dateTimes with an offset (seconds and a fraction optional)
 *   2023-08-01 14:30, 01/08/2023 14:30    a time without an offset: UK local time (GMT or BST), as for HL7 v2
 *
 * The value is rewritten as an HL7 DTM and checked by the HL7 v2 date code (src/hl7v2/datetime.ts), so a day
 * that does not exist (2023-02-30), a month 13 or an hour 25 is refused the same way for every feed.
 */
import { toFhirDate, toFhirDateTime } from '../hl7v2/datetime.js';

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;
const UK = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

interface Parsed {
  /** HL7 DTM digits (YYYY[MM[DD[HHMM[SS[.S]]]]]) with an optional ±HHMM zone */
  readonly dtm: string;
  readonly hasTime: boolean;
  /** written with Z: kept as Z (the same instant as +00:00) */
  readonly zulu?: true;
}

function parse(text: string): Parsed | undefined {
  const v = text.trim();
  let m = ISO.exec(v);
  if (m !== null) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    let dtm = `${y}${mo ?? ''}${d ?? ''}`;
    if (h === undefined) return { dtm, hasTime: false };
    dtm += `${h}${mi}${s ?? '00'}${frac !== undefined ? `.${frac}` : ''}`;
    if (zone === 'Z') return { dtm: `${dtm}+0000`, hasTime: true, zulu: true };
    if (zone !== undefined) dtm += zone.replace(':', '');
    return { dtm, hasTime: true };
  }
  m = UK.exec(v);
  if (m !== null) {
    const [, d, mo, y, h, mi, s] = m;
    const dtm = `${y}${(mo as string).padStart(2, '0')}${(d as string).padStart(2, '0')}`;
    return h === undefined ? { dtm, hasTime: false } : { dtm: `${dtm}${h}${mi}${s ?? '00'}`, hasTime: true };
  }
  return undefined;
}

export const DATE_FORMATS = 'YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY';
export const DATE_TIME_FORMATS = `${DATE_FORMATS}, or YYYY-MM-DDThh:mm[:ss][+hh:mm|Z] (no offset: UK local time)`;

/** A FHIR date (YYYY, YYYY-MM, YYYY-MM-DD), or undefined when the text is not a real date in an accepted form. */
export function fhirDateOf(text: string): string | undefined {
  const p = parse(text);
  return p === undefined || p.hasTime ? undefined : toFhirDate(p.dtm);
}

/** A FHIR dateTime (a date as precise as given; a time always with seconds and an offset), or undefined. */
export function fhirDateTimeOf(text: string): string | undefined {
  const p = parse(text);
  return p === undefined ? undefined : dateTime(p);
}

function dateTime(p: Parsed): string | undefined {
  const d = toFhirDateTime(p.dtm);
  return d !== undefined && p.zulu === true ? `${d.slice(0, -6)}Z` : d;
}

/** A FHIR instant (a dateTime with a time of day), or undefined. */
export function fhirInstantOf(text: string): string | undefined {
  const p = parse(text);
  return p === undefined || !p.hasTime ? undefined : dateTime(p);
}
