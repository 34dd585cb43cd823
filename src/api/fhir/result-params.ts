import type { IncludeRequest, SortKey } from '../../store/types.js';
import type { SearchParameterDefinition } from '../search-catalog.js';
import { fhirDateProblem } from './fhir-date.js';

/** Parsers for parameters that shape a result (sort, include, summary, paging) rather than select. */

type Problem = (message: string) => void;
type Definitions = Readonly<Record<string, SearchParameterDefinition>>;

/** `_sort=family,-birthdate`: each name optionally after `-` (descending). */
export function parseSort(raw: string, resourceType: string, definitions: Definitions, problem: Problem): SortKey[] | undefined {
  const keys: SortKey[] = [];
  for (const part of raw.split(',')) {
    const descending = part.startsWith('-');
    const name = descending ? part.slice(1) : part;
    const definition = Object.prototype.hasOwnProperty.call(definitions, name) ? definitions[name] : undefined;
    if (name === '') {
      problem('has an empty sort key (check for stray commas)');
      return undefined;
    }
    if (name !== '_id' && name !== '_lastUpdated' && definition === undefined) {
      problem(`cannot sort by ${JSON.stringify(name)}: it is not a search parameter of ${resourceType}`);
      return undefined;
    }
    if (definition?.type === 'reference') {
      problem(`cannot sort by ${JSON.stringify(name)}: reference parameters have no order`);
      return undefined;
    }
    keys.push({ param: name, descending });
  }
  return keys;
}

/** `_include=Encounter:patient` or `Encounter:patient:Patient`. */
export function parseInclude(raw: string, resourceType: string, definitions: Definitions, problem: Problem): IncludeRequest | undefined {
  const [source, param, target, ...rest] = raw.split(':');
  const shape = `use ${resourceType}:<reference parameter>[:<target type>], e.g. Encounter:patient`;
  if (source !== resourceType || param === undefined || param === '' || rest.length > 0) {
    problem(`${JSON.stringify(raw)} cannot be included here; ${shape}`);
    return undefined;
  }
  const definition = Object.prototype.hasOwnProperty.call(definitions, param) ? definitions[param] : undefined;
  if (definition?.type !== 'reference') {
    problem(`${JSON.stringify(param)} is not a reference parameter of ${resourceType}; ${shape}`);
    return undefined;
  }
  if (target !== undefined && (!/^[A-Z][A-Za-z]{1,63}$/.test(target) || (definition.targets !== undefined && !definition.targets.includes(target)))) {
    problem(`${JSON.stringify(target)} is not a type ${resourceType}:${param} points at`);
    return undefined;
  }
  return target === undefined ? { param } : { param, targetType: target };
}

/** `_summary`: only `count` (total, no entries) and `false` (the default) are supported. */
export function parseSummary(raw: string, problem: Problem): boolean | undefined {
  if (raw === 'count') return true;
  if (raw === 'false') return false;
  problem(`${JSON.stringify(raw)} is not supported; use count (the total only) or false`);
  return undefined;
}

/** `_since`: an instant (or a date, read as its first moment in UTC); the ISO instant to compare with. */
export function parseSince(raw: string, problem: Problem): string | undefined {
  const shape = fhirDateProblem(raw.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (shape !== undefined) {
    problem(shape);
    return undefined;
  }
  const text = raw.replace(/ (\d{2}:\d{2})$/, '+$1');
  // a time without a zone is read as UTC (JavaScript would read it as local time)
  const when = new Date(/T[\d:.]+$/.test(text) ? `${text}Z` : text);
  if (Number.isNaN(when.getTime())) {
    problem(`${JSON.stringify(raw)} is not an instant; use e.g. 2024-03-05T10:15:00Z`);
    return undefined;
  }
  return when.toISOString();
}

/** `_cursor`: opaque, from a next link; the store checks it. */
export function parseCursor(raw: string, problem: Problem): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(raw)) {
    problem('is not a cursor this server issued; follow the next link of the previous page');
    return undefined;
  }
  return raw;
}
