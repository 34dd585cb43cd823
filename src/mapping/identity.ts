/**
 * Who a message is about: the NHS number check and the person key that links a message to a person
 * and partitions the pipeline (one person's events are applied in order).
 */
import type { Hl7Field, Hl7Message } from '../hl7v2/types.js';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
/** the NHS number OID, as some senders write it in CX-4.2 */
const NHS_NUMBER_OID = '2.16.840.1.113883.2.1.4.1';

/** 10 digits, the modulus 11 check digit right, and not all the same digit. */
export function isValidNhsNumber(value: string): boolean {
  if (typeof value !== 'string' || value.length !== 10) return false;
  let sum = 0;
  let allSame = true;
  const first = value.charCodeAt(0);
  for (let i = 0; i < 10; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    if (c !== first) allSame = false;
    if (i < 9) sum += (c - 48) * (10 - i);
  }
  if (allSame) return false;
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === value.charCodeAt(9) - 48;
}

/** An NHS number as senders write it (`943 476 5919`, `943-476-5919`) without the separators. */
export function normaliseNhsNumber(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return value.replace(/[\s-]/g, ''); // only digits (the usual case): nothing to remove
  }
  return value;
}

/**
 * Whether a PID-3 repetition claims to be an NHS number: assigning authority (CX-4.1) NHS, identifier
 * type (CX-5) NH, or CX-4.2 the NHS number system or OID. The mapping files use the same test.
 */
export function isNhsNumberRepetition(cx: Hl7Field): boolean {
  return cx.value(4, 1) === 'NHS' || cx.value(5) === 'NH' || cx.value(4, 2) === NHS_NUMBER_SYSTEM || cx.value(4, 2) === NHS_NUMBER_OID;
}

/**
 * `nhs:<number>` when PID-3 holds a valid NHS number; otherwise `local:<ODS>:<id>` with the first local
 * identifier (or, when PID-3 holds only an invalid NHS number, that value); `local:<ODS>:unknown` when
 * PID-3 is empty or there is no PID.
 */
export function personKey(message: Hl7Message, odsCode: string): string {
  const ods = odsCode.trim().toUpperCase();
  const reps = message.segment('PID')?.repetitions(3) ?? [];
  let local: string | undefined;
  let fallback: string | undefined;
  for (const cx of reps) {
    const id = cx.value(1)?.trim();
    if (id === undefined || id === '' || id === '""') continue;
    if (isNhsNumberRepetition(cx)) {
      const nhs = normaliseNhsNumber(id);
      if (isValidNhsNumber(nhs)) return `nhs:${nhs}`;
      fallback ??= id;
    } else {
      local ??= id;
    }
  }
  return `local:${ods}:${local ?? fallback ?? 'unknown'}`;
}
