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

/**
 * HL7 DTM/TS `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]` → FHIR date or dateTime.
 * Up to a day the result is a FHIR date. With a time it is a dateTime with seconds and a zone:
 * the given offset, or Europe/London local time (GMT or BST) when none is given.
 * Hour-only values are read as HH:00 (minute precision). Undefined when the value is not a valid date.
 */
export function parseHl7DateTime(value: string): FhirDateTimeValue | undefined {
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
  if (digits === 4) return { iso: pad(year, 4), precision: 'year' };
  const month = digitsAt(v, 4, 2) as number;
  if (month < 1 || month > 12) return undefined;
  if (digits === 6) return { iso: `${pad(year, 4)}-${pad(month)}`, precision: 'month' };
  const day = digitsAt(v, 6, 2) as number;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (digits === 8) return { iso: date, precision: 'day' };

  const hour = digitsAt(v, 8, 2) as number;
  const minute = digits >= 12 ? (digitsAt(v, 10, 2) as number) : 0;
  const second = digits >= 14 ? (digitsAt(v, 12, 2) as number) : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = offset ?? londonOffset(year, month, day, hour);
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction === '' ? '' : `.${fraction}`}`;
  const precision: DateTimePrecision = fraction !== '' ? 'millisecond' : digits === 14 ? 'second' : 'minute';
  return { iso: `${date}T${time}${formatOffset(zone)}`, precision };
}

/** The date part of an HL7 DTM as a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD, as precise as given). */
export function toFhirDate(value: string): string | undefined {
  const parsed = parseHl7DateTime(value);
  if (parsed === undefined) return undefined;
  return parsed.iso.length > 10 ? parsed.iso.slice(0, 10) : parsed.iso;
}

/** An HL7 DTM as a FHIR dateTime (a partial date stays partial; a time always carries a zone). */
export function toFhirDateTime(value: string): string | undefined {
  return parseHl7DateTime(value)?.iso;
}
