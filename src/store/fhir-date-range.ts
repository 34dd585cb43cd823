import { StoreError } from './errors.js';

/**
 * The implicit range of a FHIR date, dateTime or instant, as [start, end) in UTC ISO form.
 * `2024` → the whole year; `2024-03-05` → that day; `2024-03-05T10:15Z` → that minute; with seconds → that
 * second; with fractions → that millisecond. A value without a time zone is read as UTC.
 */
export interface DateRange {
  /** inclusive; `-infinity` when open */
  readonly start: string;
  /** exclusive; `infinity` when open */
  readonly end: string;
}

const FHIR_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Parse a FHIR date/dateTime/instant; undefined when it is not one. */
export function parseDateRange(text: string): DateRange | undefined {
  const match = FHIR_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month ?? 1))) return undefined;
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;

  const startUtc =
    utc(year, (month ?? 1) - 1, day ?? 1, hour, minute, second, millis) - offsetMinutes * 60_000;
  let endUtc: number;
  if (month === undefined) endUtc = utc(year + 1, 0, 1) - offsetMinutes * 60_000;
  else if (day === undefined) endUtc = utc(year, month, 1) - offsetMinutes * 60_000;
  else if (h === undefined) endUtc = startUtc + 86_400_000;
  else if (s === undefined) endUtc = startUtc + 60_000;
  else if (frac === undefined) endUtc = startUtc + 1_000;
  else endUtc = startUtc + 1;
  return { start: isoFromMillis(startUtc), end: isoFromMillis(endUtc) };
}

/** As parseDateRange, but a search value that is not a date is an error the caller must see. */
export function requireDateRange(text: string, param: string): DateRange {
  const range = parseDateRange(text);
  if (!range) {
    throw new StoreError(
      `Search parameter "${param}": "${text}" is not a FHIR date; use YYYY, YYYY-MM, YYYY-MM-DD or ` +
        `YYYY-MM-DDThh:mm[:ss[.sss]][Z|+hh:mm], optionally after a prefix such as ge or lt.`,
      'invalid-date',
    );
  }
  return range;
}

/** A FHIR Period as one range: a missing start is open towards the past, a missing end towards the future. */
export function periodRange(period: { start?: string; end?: string } | undefined): DateRange | undefined {
  if (!period) return undefined;
  const start = period.start === undefined ? undefined : parseDateRange(period.start);
  const end = period.end === undefined ? undefined : parseDateRange(period.end);
  if (!start && !end) return undefined;
  return { start: start?.start ?? '-infinity', end: end?.end ?? 'infinity' };
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** Date.UTC without its two-digit-year quirk (years 0–99 would become 1900–1999). */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function isoFromMillis(millis: number): string {
  return new Date(millis).toISOString();
}
