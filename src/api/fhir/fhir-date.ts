import type { DatePrefix } from '../../store/types.js';

export const DATE_PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'];

/** YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm] */
const DATE_SHAPE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))?)?)?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function inRange(text: string | undefined, min: number, max: number): boolean {
  if (text === undefined) return true;
  const n = Number(text);
  return n >= min && n <= max;
}

/**
 * Why `value` is not a FHIR date/dateTime search value, or undefined when it is one.
 * Checks the calendar too (2023-02-29 is rejected, 2024-02-29 accepted).
 */
export function fhirDateProblem(value: string): string | undefined {
  const match = DATE_SHAPE.exec(value);
  const expected = 'expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with an optional Z or ±hh:mm';
  if (!match) return `${JSON.stringify(value)} is not a date; ${expected}`;
  const [, year, month, day, hour, minute, second, , zoneHour, zoneMinute] = match;
  if (!inRange(month, 1, 12)) return `${JSON.stringify(value)} has month ${month}; months run 01 to 12`;
  if (day !== undefined && month !== undefined && !inRange(day, 1, daysInMonth(Number(year), Number(month)))) {
    return `${JSON.stringify(value)} has day ${day}, which month ${month} of ${year} does not have`;
  }
  if (!inRange(hour, 0, 23) || !inRange(minute, 0, 59) || !inRange(second, 0, 59)) {
    return `${JSON.stringify(value)} has an impossible time of day`;
  }
  if (!inRange(zoneHour, 0, 14) || !inRange(zoneMinute, 0, 59)) {
    return `${JSON.stringify(value)} has an impossible time-zone offset`;
  }
  return undefined;
}

/**
 * Split an optional two-letter prefix off a date search value (`ge2020-01-01` → ge, 2020-01-01).
 * A `+` in a time-zone offset that arrived unencoded in a query string reads as a space; put it back.
 */
export function splitDatePrefix(raw: string): { prefix: DatePrefix; value: string; explicit: boolean } {
  const head = raw.slice(0, 2);
  const prefix = DATE_PREFIXES.find((p) => p === head);
  const rest = prefix === undefined ? raw : raw.slice(2);
  const value = rest.replace(/ (\d{2}:\d{2})$/, '+$1');
  return { prefix: prefix ?? 'eq', value, explicit: prefix !== undefined };
}
