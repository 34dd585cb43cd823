import type { SearchValue } from '../../store/types.js';
import { fhirDateProblem, splitDatePrefix } from './fhir-date.js';
import { FHIR_ID } from './resource-types.js';

/** A parsed value, or why it could not be parsed (a sentence the client can act on). */
export type ValueParse = { readonly value: SearchValue } | { readonly problem: string };

const RESOURCE_TYPE_NAME = /^[A-Z][A-Za-z]{1,63}$/;

/** Split on `separator` where it is not escaped with a backslash (FHIR search escaping). */
export function splitUnescaped(text: string, separator: ',' | '|'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Remove FHIR search escapes: `\,` `\|` `\$` `\\` become the character itself. */
export function unescapeSearch(text: string): string {
  return text.replace(/\\([,|$\\])/g, '$1');
}

export function parseTokenValue(raw: string): ValueParse {
  const parts = splitUnescaped(raw, '|');
  if (parts.length > 2) return { problem: `${JSON.stringify(raw)} has more than one '|'; use system|code, |code, code or system|` };
  if (parts.length === 1) {
    const code = unescapeSearch(parts[0] ?? '');
    return code === '' ? { problem: 'a value is empty' } : { value: { type: 'token', code } };
  }
  const system = unescapeSearch(parts[0] ?? '');
  const code = unescapeSearch(parts[1] ?? '');
  if (system === '' && code === '') return { problem: `"|" alone is not a token; use system|code, |code, code or system|` };
  // system '' means "the code has no system"; code '' means "any code in this system"
  return { value: { type: 'token', system, code } };
}

/** `_id` takes plain ids only. */
export function parseIdValue(raw: string): ValueParse {
  if (!FHIR_ID.test(raw)) return { problem: `${JSON.stringify(raw)} is not a valid FHIR id (1 to 64 of A-Z a-z 0-9 - .)` };
  return { value: { type: 'token', code: raw } };
}

export function parseStringValue(raw: string, exact: boolean): ValueParse {
  const value = unescapeSearch(raw);
  if (value === '') return { problem: 'a value is empty' };
  return { value: exact ? { type: 'string', value, exact: true } : { type: 'string', value } };
}

export function parseDateValue(raw: string): ValueParse {
  const { prefix, value } = splitDatePrefix(raw);
  const problem = fhirDateProblem(value);
  return problem === undefined ? { value: { type: 'date', prefix, value } } : { problem };
}

export interface ReferenceRules {
  /** resource types the reference may point at; undefined = any */
  readonly targets?: readonly string[];
  /** type a bare id is given (`123` → `Patient/123`); undefined = left bare */
  readonly bareIdType?: string;
  /** this server's FHIR base URL: absolute references under it become relative */
  readonly baseUrl: string;
}

export function parseReferenceValue(raw: string, rules: ReferenceRules): ValueParse {
  let text = unescapeSearch(raw);
  if (/^https?:\/\//.test(text)) {
    if (!text.startsWith(`${rules.baseUrl}/`)) return { value: { type: 'reference', reference: text } };
    text = text.slice(rules.baseUrl.length + 1);
  }
  const slash = text.indexOf('/');
  if (slash === -1) {
    if (!FHIR_ID.test(text)) return { problem: `${JSON.stringify(raw)} is not a reference; use Type/id or id` };
    const reference = rules.bareIdType === undefined ? text : `${rules.bareIdType}/${text}`;
    return { value: { type: 'reference', reference } };
  }
  const resourceType = text.slice(0, slash);
  const id = text.slice(slash + 1);
  if (!RESOURCE_TYPE_NAME.test(resourceType) || !FHIR_ID.test(id)) {
    return { problem: `${JSON.stringify(raw)} is not a reference; use Type/id or id` };
  }
  if (rules.targets !== undefined && !rules.targets.includes(resourceType)) {
    return { problem: `${JSON.stringify(raw)} points at ${resourceType}; this parameter points at ${rules.targets.join(' or ')}` };
  }
  return { value: { type: 'reference', reference: `${resourceType}/${id}` } };
}
