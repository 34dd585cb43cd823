export type DateTimePrecision = 'year' | 'month' | 'day' | 'minute' | 'second' | 'millisecond';

export interface FhirDateTimeValue {
  /** FHIR date (YYYY, YYYY-MM, YYYY-MM-DD) or dateTime with seconds and a zone */
  readonly iso: string;
  readonly precision: DateTimePrecision;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsAt(s: string, from: number, count: number): number | undefined {
  if (from + count > s.length) return undefined;
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    n = n * 10 + (c - 48);
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const london = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

function wallClockMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/** Offset of Europe/London from UTC, in whole minutes, at instant `utcMs` (60 during BST). */
function londonOffsetMinutes(utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of london.formatToParts(utcMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = wallClockMs(parts.year ?? 0, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return Math.round((local - utcMs) / 60_000);
}

/**
 * Offset for a London wall-clock time. In the autumn hour that happens twice the first (BST) is taken;
 * in the spring hour that does not exist, the BST offset is used.
 */
function londonOffset(year: number, month: number, day: number, hour: number): number {
  // UK clock changes happen on the hour, so the answer is the same for a whole wall-clock hour
  const key = ((year * 100 + month) * 100 + day) * 100 + hour;
  const cached = offsetByHour.get(key);
  if (cached !== undefined) return cached;
  const offset = computeLondonOffset(wallClockMs(year, month, day, hour, 0, 0));
  if (offsetByHour.size >= 10_000) offsetByHour.clear();
  offsetByHour.set(key, offset);
  return offset;
}

const offsetByHour = new Map<number, number>();

function computeLondonOffset(wallMs: number): number {
  const before = londonOffsetMinutes(wallMs - 3 * 3_600_000);
  const after = londonOffsetMinutes(wallMs + 3 * 3_600_000);
  if (before === after) return before;
  // near a change: prefer the earlier offset when it maps back to the same wall clock
  if (londonOffsetMinutes(wallMs - before * 60_000) === before) return before;
  return after;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `+00:00`, `+01:00` …: a handful of zones recur in every message, so each is formatted once */
const offsetTexts = new Map<number, string>();
function offsetText(minutes: number): string {
  let text = offsetTexts.get(minutes);
  if (text === undefined) offsetTexts.set(minutes, (text = formatOffset(minutes)));
  return text;
}

/** Checked HL7 DTM, before it is written out; the date and time digits are those of `text`. */
interface Hl7DateTimeParts {
  readonly text: string;
  /** number of leading digits: 4, 6, 8, 10, 12 or 14 */
  readonly digits: number;
  readonly fraction: string;
  /** zone offset in minutes when the value has a time; the given one, else Europe/London's */
  readonly zone: number;
}

/** Validate an HL7 DTM; undefined when it is not a valid date/time. */
function readHl7DateTime(value: string): Hl7DateTimeParts | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  let end = 0;
  while (end < v.length && isDigit(v.charCodeAt(end))) end++;
  const digits = end;
  if (digits !== 4 && digits !== 6 && digits !== 8 && digits !== 10 && digits !== 12 && digits !== 14) return undefined;

  let fraction = '';
  if (v[end] === '.') {
    if (digits !== 14) return undefined;
    const start = ++end;
    while (end < v.length && isDigit(v.charCodeAt(end))) end++;
    if (end === start) return undefined;
    fraction = v.slice(start, Math.min(end, start + 9));
  }
  let offset: number | undefined;
  if (end < v.length) {
    const sign = v[end];
    if ((sign !== '+' && sign !== '-') || v.length !== end + 5) return undefined;
    const oh = digitsAt(v, end + 1, 2);
    const om = digitsAt(v, end + 3, 2);
    if (oh === undefined || om === undefined || oh > 14 || om > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }

  const year = digitsAt(v, 0, 4) as number;
  if (year < 1) return undefined;
  if (digits === 4) return { text: v, digits, fraction, zone: 0 };
  const month = digitsAt(v, 4, 2) as number;
  if (month < 1 || month > 12) return undefined;
  if (digits === 6) return { text: v, digits, fraction, zone: 0 };
  const day = digitsAt(v, 6, 2) as number;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (digits === 8) return { text: v, digits, fraction, zone: 0 };

  const hour = digitsAt(v, 8, 2) as number;
  const minute = digits >= 12 ? (digitsAt(v, 10, 2) as number) : 0;
  const second = digits >= 14 ? (digitsAt(v, 12, 2) as number) : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { text: v, digits, fraction, zone: offset ?? londonOffset(year, month, day, hour) };
}

/** The FHIR date of checked parts: YYYY, YYYY-MM or YYYY-MM-DD (the digits are copied as written). */
function fhirDate(p: Hl7DateTimeParts): string {
  const v = p.text;
  if (p.digits === 4) return v.slice(0, 4);
  if (p.digits === 6) return `${v.slice(0, 4)}-${v.slice(4, 6)}`;
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
}

function precisionOf(p: Hl7DateTimeParts): DateTimePrecision {
  if (p.digits === 4) return 'year';
  if (p.digits === 6) return 'month';
  if (p.digits === 8) return 'day';
  return p.fraction !== '' ? 'millisecond' : p.digits === 14 ? 'second' : 'minute';
}

/** The FHIR date or dateTime of checked parts; a time always gets seconds and a zone. */
function fhirDateTime(p: Hl7DateTimeParts): string {
  const date = fhirDate(p);
  if (p.digits <= 8) return date;
  const v = p.text;
  const minute = p.digits >= 12 ? v.slice(10, 12) : '00';
  const second = p.digits >= 14 ? v.slice(12, 14) : '00';
  const fraction = p.fraction === '' ? '' : `.${p.fraction}`;
  return `${date}T${v.slice(8, 10)}:${minute}:${second}${fraction}${offsetText(p.zone)}`;
}

/**
 * HL7 DTM/TS `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]` → FHIR date or dateTime.
 * Up to a day the result is a FHIR date. With a time it is a dateTime with seconds and a zone:
 * the given offset, or Europe/London local time (GMT or BST) when none is given.
 * Hour-only values are read as HH:00 (minute precision). Undefined when the value is not a valid date.
 */
export function parseHl7DateTime(value: string): FhirDateTimeValue | undefined {
  const parts = readHl7DateTime(value);
  return parts === undefined ? undefined : { iso: fhirDateTime(parts), precision: precisionOf(parts) };
}

/** The date part of an HL7 DTM as a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, as precise as given). */
export function toFhirDate(value: string): string | undefined {
  const parts = readHl7DateTime(value);
  return parts === undefined ? undefined : fhirDate(parts);
}

/** An HL7 DTM as a FHIR dateTime (a partial date stays partial; a time always carries a zone). */
export function toFhirDateTime(value: string): string | undefined {
  const parts = readHl7DateTime(value);
  return parts === undefined ? undefined : fhirDateTime(parts);
}
