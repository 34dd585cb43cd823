import type { RequestParam } from '../handler-types.js';
import type { ParameterProblem } from '../outcomes.js';
import { parseCursor, parseSince } from './result-params.js';
import { DEFAULT_COUNT, MAX_COUNT } from './search-parse.js';

export interface PagingParams {
  readonly count: number;
  readonly since?: string;
  readonly cursor?: string;
}

export type ParsedPaging = { readonly ok: true; readonly paging: PagingParams } | { readonly ok: false; readonly problems: readonly ParameterProblem[] };

const ACCEPTED = ['_count', '_since', '_cursor', '_format'] as const;

/** `_count`, `_since` and `_cursor` for history and `$everything`; anything else is named as a problem. */
export function parsePagingParams(params: readonly RequestParam[], interaction: string): ParsedPaging {
  const problems: ParameterProblem[] = [];
  const seen = new Set<string>();
  let count = DEFAULT_COUNT;
  let since: string | undefined;
  let cursor: string | undefined;
  for (const [name, raw] of params) {
    const problem = (message: string) => problems.push({ param: name, message });
    if (!(ACCEPTED as readonly string[]).includes(name)) {
      problem(`is not supported by ${interaction}; supported: ${ACCEPTED.join(', ')}`);
      continue;
    }
    if (seen.has(name)) {
      problem('is given more than once');
      continue;
    }
    seen.add(name);
    if (name === '_count') {
      if (/^\d{1,9}$/.test(raw)) count = Math.min(Number(raw), MAX_COUNT);
      else problem(`${JSON.stringify(raw)} is not a whole number of 0 or more`);
    } else if (name === '_since') {
      since = parseSince(raw, problem);
    } else if (name === '_cursor') {
      cursor = parseCursor(raw, problem);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, paging: { count, ...(since !== undefined ? { since } : {}), ...(cursor !== undefined ? { cursor } : {}) } };
}
