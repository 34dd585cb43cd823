import type { IncludeRequest, SearchCriterion, SearchQuery, SearchValue, SortKey } from '../../store/types.js';
import type { RequestParam } from '../handler-types.js';
import type { ParameterProblem } from '../outcomes.js';
import type { SearchParameterDefinition } from '../search-catalog.js';
import {
  type ReferenceRules,
  type ValueParse,
  parseDateValue,
  parseIdValue,
  parseReferenceValue,
  parseStringValue,
  parseTokenValue,
  splitUnescaped,
} from './search-values.js';
import { parseCursor, parseInclude, parseSort, parseSummary } from './result-params.js';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Parameters that shape the result rather than select resources. `_format` is read by content negotiation. */
export const RESULT_PARAMETERS = ['_count', '_offset', '_cursor', '_sort', '_summary', '_include', '_format'] as const;

/** Reference parameters whose bare ids always mean a Patient. */
const PATIENT_REFERENCE_PARAMS = new Set(['patient', 'subject']);

export type ParsedSearch =
  | { readonly ok: true; readonly query: SearchQuery }
  | { readonly ok: false; readonly problems: readonly ParameterProblem[] };

export interface SearchParseOptions {
  readonly resourceType: string;
  readonly definitions: Readonly<Record<string, SearchParameterDefinition>>;
  /** this server's FHIR base URL, so absolute references to it become relative */
  readonly baseUrl: string;
}

/**
 * Parse request parameters into a SearchQuery: comma-separated values are ORed within one
 * criterion, a repeated parameter adds another (ANDed) criterion. Every problem is reported,
 * not just the first, each naming the parameter as sent.
 */
export function parseSearch(params: readonly RequestParam[], options: SearchParseOptions): ParsedSearch {
  const problems: ParameterProblem[] = [];
  const criteria: SearchCriterion[] = [];
  const paging = new Map<string, number>();
  const shaping: Shaping = { include: [] };

  for (const [name, raw] of params) {
    const colon = name.indexOf(':');
    const base = colon === -1 ? name : name.slice(0, colon);
    const modifier = colon === -1 ? undefined : name.slice(colon + 1);
    const problem = (message: string) => problems.push({ param: name, message });

    if (base === '') {
      problem('a parameter has no name');
    } else if ((RESULT_PARAMETERS as readonly string[]).includes(base)) {
      if (modifier !== undefined) problem('takes no modifier');
      else if (base === '_count' || base === '_offset') readPaging(base, raw, paging, problem);
      else if (base !== '_format') readShaping(base, raw, options, shaping, problem);
    } else {
      const definition = Object.prototype.hasOwnProperty.call(options.definitions, base)
        ? options.definitions[base]
        : undefined;
      if (definition === undefined) {
        problem(`is not a search parameter of ${options.resourceType}; supported: ${supportedNames(options)}`);
      } else if (raw === '') {
        problem('has no value');
      } else {
        const values = parseCriterionValues(base, modifier, raw, definition, options, problem);
        if (values !== undefined) criteria.push({ param: base, values });
      }
    }
  }

  if (shaping.cursor !== undefined && paging.has('_offset')) {
    problems.push({ param: '_offset', message: 'cannot be combined with _cursor; follow the next link as given' });
  }
  if (problems.length > 0) return { ok: false, problems };
  const count = shaping.summaryCount ? 0 : Math.min(paging.get('_count') ?? DEFAULT_COUNT, MAX_COUNT);
  const query: SearchQuery = {
    criteria,
    count,
    offset: paging.get('_offset') ?? 0,
    ...(shaping.sort !== undefined ? { sort: shaping.sort } : {}),
    ...(shaping.cursor !== undefined ? { cursor: shaping.cursor } : {}),
    ...(shaping.include.length > 0 ? { include: shaping.include } : {}),
  };
  return { ok: true, query };
}

interface Shaping {
  sort?: SortKey[];
  cursor?: string;
  summaryCount?: boolean;
  readonly include: IncludeRequest[];
}

function readShaping(name: string, raw: string, options: SearchParseOptions, shaping: Shaping, problem: (m: string) => void): void {
  const once = (present: boolean) => {
    if (present) problem('is given more than once');
    return !present;
  };
  switch (name) {
    case '_sort': {
      if (!once(shaping.sort !== undefined)) return;
      const sort = parseSort(raw, options.resourceType, options.definitions, problem);
      if (sort !== undefined) shaping.sort = sort;
      return;
    }
    case '_cursor': {
      if (!once(shaping.cursor !== undefined)) return;
      const cursor = parseCursor(raw, problem);
      if (cursor !== undefined) shaping.cursor = cursor;
      return;
    }
    case '_summary': {
      if (!once(shaping.summaryCount !== undefined)) return;
      const summary = parseSummary(raw, problem);
      if (summary !== undefined) shaping.summaryCount = summary;
      return;
    }
    case '_include': {
      const include = parseInclude(raw, options.resourceType, options.definitions, problem);
      if (include !== undefined) shaping.include.push(include);
      return;
    }
  }
}

function supportedNames(options: SearchParseOptions): string {
  return [...Object.keys(options.definitions), ...RESULT_PARAMETERS].sort().join(', ');
}

function readPaging(name: string, raw: string, paging: Map<string, number>, problem: (m: string) => void): void {
  if (paging.has(name)) {
    problem('is given more than once');
  } else if (!/^\d{1,9}$/.test(raw)) {
    problem(`${JSON.stringify(raw)} is not a whole number of 0 or more`);
  } else {
    paging.set(name, Number(raw));
  }
}

function parseCriterionValues(
  base: string,
  modifier: string | undefined,
  raw: string,
  definition: SearchParameterDefinition,
  options: SearchParseOptions,
  problem: (m: string) => void,
): SearchValue[] | undefined {
  const parseOne = valueParser(base, modifier, definition, options);
  if (typeof parseOne === 'string') {
    problem(parseOne);
    return undefined;
  }
  const values: SearchValue[] = [];
  let failed = false;
  for (const part of splitUnescaped(raw, ',')) {
    const parsed: ValueParse = part === '' ? { problem: 'a value is empty (check for stray commas)' } : parseOne(part);
    if ('problem' in parsed) {
      problem(parsed.problem);
      failed = true;
    } else {
      values.push(parsed.value);
    }
  }
  return failed ? undefined : values;
}

/** The parser for one value of this parameter and modifier, or why the modifier is not accepted. */
function valueParser(
  base: string,
  modifier: string | undefined,
  definition: SearchParameterDefinition,
  options: SearchParseOptions,
): ((raw: string) => ValueParse) | string {
  const unsupported = `modifier :${modifier} is not supported on this ${definition.type} parameter`;
  switch (definition.type) {
    case 'string':
      if (modifier !== undefined && modifier !== 'exact') return `${unsupported}; use :exact or no modifier`;
      return (raw) => parseStringValue(raw, modifier === 'exact');
    case 'token':
      if (modifier !== undefined) return unsupported;
      return base === '_id' ? parseIdValue : parseTokenValue;
    case 'date':
      if (modifier !== undefined) return unsupported;
      return parseDateValue;
    case 'reference': {
      const rules = referenceRules(base, modifier, definition, options.baseUrl);
      return typeof rules === 'string' ? rules : (raw) => parseReferenceValue(raw, rules);
    }
  }
}

function referenceRules(
  base: string,
  modifier: string | undefined,
  definition: SearchParameterDefinition,
  baseUrl: string,
): ReferenceRules | string {
  const patientOnly = base === 'patient';
  const declared = definition.targets ?? (patientOnly ? ['Patient'] : undefined);
  if (modifier === undefined) {
    const bareIdType = PATIENT_REFERENCE_PARAMS.has(base)
      ? 'Patient'
      : declared?.length === 1
        ? declared[0]
        : undefined;
    return { targets: declared, bareIdType, baseUrl };
  }
  if (!/^[A-Z][A-Za-z]+$/.test(modifier) || (declared !== undefined && !declared.includes(modifier))) {
    const choices = declared === undefined ? 'a resource type such as :Patient' : declared.map((t) => `:${t}`).join(' or ');
    return `modifier :${modifier} is not supported here; use ${choices}`;
  }
  return { targets: [modifier], bareIdType: modifier, baseUrl };
}
