/**
 * The closed registry of named transforms a rule can apply (`transform: date`,
 * `transform: { lookup: { map: administrative-gender } }`, or a list applied in order).
 * Arguments are checked by zod when the mapping files load; an unknown name is a load error.
 * A transform takes the values a rule produced and returns new values; values of other kinds
 * (objects built by templates) pass through unchanged.
 */
import { z } from 'zod';
import { parseHl7DateTime, toFhirDate, toFhirDateTime } from '../hl7v2/datetime.js';
import { lookupConcept, type ConceptMap } from './concept-maps.js';
import { DATE_FORMATS, DATE_TIME_FORMATS, fhirDateOf, fhirDateTimeOf, fhirInstantOf } from './fhir-dates.js';
import { hashId } from './hash-id.js';
import { isValidNhsNumber, normaliseNhsNumber } from './identity.js';
import type { Cursor, Json, JsonObject, Run } from './runtime.js';

/** `label(cur)` names the place the values came from, for warnings (only called when there is one). */
export type TransformFn = (values: Json[], cur: Cursor, run: Run, label: (cur: Cursor) => string) => Json[];

/**
 * A transform of one value: the new value, or undefined to drop it. `v` is undefined when the rule found
 * nothing (or an earlier transform dropped it): only transforms that fill empty values make something of that.
 */
export type OneValueFn = (v: Json | undefined, cur: Cursor, run: Run, label: (cur: Cursor) => string) => Json | undefined;

/**
 * A compiled transform. `many` maps a list of values; `one`, when present, maps a single value the same way
 * (every transform but split gives at most one value for one), so that rules giving one value need no lists.
 */
export interface Transform {
  readonly many: TransformFn;
  readonly one?: OneValueFn;
}

export interface TransformEnv {
  readonly conceptMaps: ReadonlyMap<string, ConceptMap>;
}

interface TransformSpec {
  readonly summary: string;
  /** it can give a value when the rule found none (every other transform gives nothing for nothing) */
  readonly fillsEmpty?: true;
  readonly args?: z.ZodType;
  create(args: never, env: TransformEnv): Transform | { readonly error: string; readonly fix: string };
}

type StringFn = (v: string, cur: Cursor, run: Run, label: (cur: Cursor) => string) => string | JsonObject | undefined;

/** The list form of a one-value transform. */
function overList(one: OneValueFn): TransformFn {
  return (values, cur, run, label) => {
    const out: Json[] = [];
    if (values.length === 0) {
      const r = one(undefined, cur, run, label);
      if (r !== undefined) out.push(r);
      return out;
    }
    for (const v of values) {
      const r = one(v, cur, run, label);
      if (r !== undefined) out.push(r);
    }
    return out;
  };
}

function oneValue(one: OneValueFn): Transform {
  return { one, many: overList(one) };
}

/** Apply `fn` to a string value (values of other kinds pass unchanged); undefined or '' drops the value. */
function eachString(fn: StringFn): Transform {
  return oneValue((v, cur, run, label) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return v;
    const r = fn(v, cur, run, label);
    return r === '' ? undefined : r;
  });
}

/** Apply `fn` to every string value, each giving any number of values ('' left out). */
function eachStringToMany(fn: (v: string) => string[]): Transform {
  return {
    many: (values) => {
      const out: Json[] = [];
      for (const v of values) {
        if (typeof v !== 'string') out.push(v);
        else for (const piece of fn(v)) if (piece !== '') out.push(piece);
      }
      return out;
    },
  };
}

function strings(v: Json): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (!Array.isArray(v)) return undefined;
  for (const p of v) if (typeof p !== 'string') return undefined;
  return v as string[];
}

/** The non-blank parts joined with `separator`. */
function joinParts(parts: readonly string[], separator: string): string {
  let joined = '';
  for (const part of parts) {
    if (part.trim() === '') continue;
    joined = joined === '' ? part : joined + separator + part;
  }
  return joined;
}

/** An HL7 NM value: optional sign, digits, optional decimal point (no exponent, no thousands separators). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A date check: the value rewritten, or left out with a warning naming the place and the rule (not the value: it may be a birth date). */
function checkedDate(check: (text: string) => string | undefined, problem: string): Transform {
  return eachString((v, cur, run, label) => {
    const d = check(v);
    if (d === undefined) run.warn(`${label(cur)}: ${problem}; left out`);
    return d;
  });
}

const lookupArgs = z.strictObject({
  map: z.string().min(1),
  output: z.enum(['code', 'display', 'system', 'coding']).optional(),
  warn: z.boolean().optional(),
});

const SPECS: Record<string, TransformSpec> = {
  date: {
    summary: 'HL7 DTM → FHIR date (YYYY[-MM[-DD]])',
    create: () =>
      eachString((v, cur, run, label) => {
        const d = toFhirDate(v);
        if (d === undefined) run.warn(`${label(cur)}: not a valid HL7 date (expected YYYY[MM[DD]]); left out`);
        return d;
      }),
  },
  dateTime: {
    summary: 'HL7 DTM → FHIR dateTime (a time without an offset is read as UK local time)',
    create: () =>
      eachString((v, cur, run, label) => {
        const d = toFhirDateTime(v);
        if (d === undefined) run.warn(`${label(cur)}: not a valid HL7 date/time (expected YYYYMMDDHHMM[SS][+/-ZZZZ]); left out`);
        return d;
      }),
  },
  instant: {
    summary: 'HL7 DTM with a time → FHIR instant',
    create: () =>
      eachString((v, cur, run, label) => {
        const d = parseHl7DateTime(v);
        if (d === undefined || d.iso.length <= 10) {
          run.warn(`${label(cur)}: not an HL7 date/time with a time of day; left out`);
          return undefined;
        }
        return d.iso;
      }),
  },
  'fhir-date': {
    summary: `a date as GP feeds write it (${DATE_FORMATS}) → a checked FHIR date; anything else is left out with a warning`,
    create: () => checkedDate(fhirDateOf, `not a valid date (write ${DATE_FORMATS})`),
  },
  'fhir-dateTime': {
    summary: `a date or date/time as GP feeds write it (${DATE_TIME_FORMATS}) → a checked FHIR dateTime; anything else is left out with a warning`,
    create: () => checkedDate(fhirDateTimeOf, `not a valid date/time (write ${DATE_TIME_FORMATS})`),
  },
  'fhir-instant': {
    summary: 'a date/time with a time of day (YYYY-MM-DDThh:mm[:ss][+hh:mm|Z]; no offset: UK local time) → a checked FHIR instant',
    create: () => checkedDate(fhirInstantOf, 'not a valid date/time with a time of day (write YYYY-MM-DDThh:mm:ss+hh:mm)'),
  },
  lookup: {
    summary: 'a concept map: { map: <id>, output: code|display|system|coding, warn: true|false }',
    args: lookupArgs,
    create: (args: z.infer<typeof lookupArgs>, env) => {
      const map = env.conceptMaps.get(args.map);
      if (map === undefined) {
        return {
          error: `there is no concept map ${JSON.stringify(args.map)}`,
          fix: `use one of: ${[...env.conceptMaps.keys()].sort().join(', ')} (or add codesystems/${args.map}.yaml)`,
        };
      }
      const output = args.output ?? 'code';
      const warn = args.warn ?? true;
      return eachString((v, cur, run, label) => {
        const c = lookupConcept(map, v) ?? map.fallback;
        if (c === undefined) {
          if (warn) run.warn(`${label(cur)}: code ${JSON.stringify(v)} is not in concept map ${map.id} (${map.files.join(', ')}); left out`);
          return undefined;
        }
        if (output !== 'coding') return c[output];
        const coding: JsonObject = {};
        if (c.system !== undefined) coding['system'] = c.system;
        coding['code'] = c.code;
        if (c.display !== undefined) coding['display'] = c.display;
        return coding;
      });
    },
  },
  'hash-id': {
    summary: 'a deterministic FHIR id from the value or parts: { namespace: <resource type> }',
    args: z.strictObject({ namespace: z.string().min(1) }),
    create: (args: { namespace: string }) =>
      oneValue((v) => {
        const parts = v === undefined ? undefined : strings(v);
        return parts === undefined ? undefined : hashId(args.namespace, parts);
      }),
  },
  reference: {
    summary: 'a reference as the input writes it (Patient/1, urn:uuid:…) → { reference } to the resource mapped from that record (FHIR input)',
    create: () =>
      eachString((v, cur, run, label) => {
        const to = run.resolveReference(v);
        if (to === undefined) run.warn(`${label(cur)}: reference ${JSON.stringify(v)} is to nothing this mapping makes a resource from; left out`);
        return to === undefined ? undefined : { reference: to };
      }),
  },
  uppercase: { summary: 'upper-case', create: () => eachString((v) => v.toUpperCase()) },
  lowercase: { summary: 'lower-case', create: () => eachString((v) => v.toLowerCase()) },
  trim: { summary: 'remove leading and trailing spaces', create: () => eachString((v) => v.trim()) },
  'uri-safe': {
    summary: 'text safe inside a URI path: every run of other characters than letters, digits and . _ ~ - becomes one -',
    create: () => eachString((v) => v.replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^-+|-+$/g, '')),
  },
  split: {
    summary: 'one value per piece: { separator: " " } (default: spaces)',
    args: z.strictObject({ separator: z.string().min(1).optional() }).optional(),
    create: (args: { separator?: string } | undefined) => {
      const sep = args?.separator;
      return eachStringToMany((v) => (sep === undefined ? v.trim().split(/\s+/) : v.split(sep).map((s) => s.trim())));
    },
  },
  join: {
    summary: 'parts → one text, empty parts left out: { separator: " " }',
    args: z.strictObject({ separator: z.string().optional() }).optional(),
    create: (args: { separator?: string } | undefined) => {
      const sep = args?.separator ?? ' ';
      return oneValue((v) => {
        if (v === undefined) return undefined;
        const parts = strings(v);
        if (parts === undefined) return v;
        const joined = joinParts(parts, sep);
        return joined === '' ? undefined : joined;
      });
    },
  },
  number: {
    summary: 'a decimal (HL7 NM, such as 72, -0.5 or +3.20) → a JSON number; anything else is left out with a warning',
    create: () =>
      oneValue((v, cur, run, label) => {
        if (v === undefined || typeof v === 'number') return v;
        if (typeof v !== 'string') return v;
        const text = v.trim();
        if (!DECIMAL.test(text)) {
          run.warn(`${label(cur)}: ${JSON.stringify(text)} is not a decimal number; left out`);
          return undefined;
        }
        return Number(text);
      }),
  },
  'nhs-number': {
    summary: 'an NHS number without spaces, left out (with a warning) when it fails the modulus 11 check',
    create: () =>
      eachString((v, cur, run, label) => {
        const n = normaliseNhsNumber(v);
        if (isValidNhsNumber(n)) return n;
        run.warn(`${label(cur)}: not a valid NHS number (10 digits with a modulus 11 check digit); left out`);
        return undefined;
      }),
  },
  default: {
    summary: 'a value to use when the rule found none: { value: <text> }',
    fillsEmpty: true,
    args: z.strictObject({ value: z.union([z.string().min(1), z.number(), z.boolean()]) }),
    create: (args: { value: string | number | boolean }) => oneValue((v) => v ?? args.value),
  },
};

export const TRANSFORM_NAMES: readonly string[] = Object.keys(SPECS).sort();

export function describeTransforms(): string {
  return TRANSFORM_NAMES.map((n) => `${n}: ${SPECS[n]?.summary ?? ''}`).join('\n');
}

export type TransformResult =
  | { readonly ok: true; readonly transform: Transform; readonly fillsEmpty: boolean }
  | { readonly ok: false; readonly path: readonly (string | number)[]; readonly error: string; readonly fix: string };

/** Compile one transform as written in a mapping file (a name, or `{ name: args }`). */
export function compileTransform(def: unknown, env: TransformEnv): TransformResult {
  let name: string;
  let args: unknown;
  if (typeof def === 'string') {
    name = def;
  } else if (def !== null && typeof def === 'object' && !Array.isArray(def) && Object.keys(def).length === 1) {
    name = Object.keys(def)[0] as string;
    args = (def as Record<string, unknown>)[name] ?? undefined;
  } else {
    return { ok: false, path: [], error: 'a transform is a name or { name: arguments }', fix: `write e.g. transform: date or transform: { lookup: { map: administrative-gender } }` };
  }
  const spec = SPECS[name];
  if (spec === undefined) {
    return { ok: false, path: [], error: `unknown transform ${JSON.stringify(name)}`, fix: `use one of: ${TRANSFORM_NAMES.join(', ')}` };
  }
  if (spec.args === undefined) {
    if (args !== undefined && !(typeof args === 'object' && args !== null && Object.keys(args).length === 0)) {
      return { ok: false, path: [name], error: `transform ${name} takes no arguments`, fix: `write just transform: ${name}` };
    }
    return compiled(spec.create(undefined as never, env), spec);
  }
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.filter((p): p is string | number => typeof p !== 'symbol') ?? [];
    return { ok: false, path: typeof def === 'string' ? [] : [name, ...at], error: `transform ${name}: ${issue?.message ?? 'bad arguments'}${at.length ? ` at ${at.join('.')}` : ''}`, fix: `arguments are ${spec.summary}` };
  }
  return compiled(spec.create(parsed.data as never, env), spec);
}

function compiled(r: Transform | { readonly error: string; readonly fix: string }, spec: TransformSpec): TransformResult {
  return 'many' in r ? { ok: true, transform: r, fillsEmpty: spec.fillsEmpty === true } : { ok: false, path: [], error: r.error, fix: r.fix };
}
