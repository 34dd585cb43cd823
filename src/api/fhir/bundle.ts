import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { SearchQuery, SearchResult } from '../../store/types.js';
import type { RequestParam } from '../handler-types.js';

export interface SearchsetInput {
  readonly resourceType: string;
  /** FHIR base URL without a trailing slash */
  readonly baseUrl: string;
  /** the parameters as the client sent them (query and form), used to build paging links */
  readonly params: readonly RequestParam[];
  readonly query: SearchQuery;
  readonly result: SearchResult;
}

/** Absolute GET URL of one page of a search: the client's parameters, then `_count` and `_offset`. */
export function searchPageUrl(
  baseUrl: string,
  resourceType: string,
  params: readonly RequestParam[],
  count: number,
  offset: number,
): string {
  const search = new URLSearchParams();
  for (const [name, value] of params) {
    if (name !== '_count' && name !== '_offset') search.append(name, value);
  }
  search.append('_count', String(count));
  search.append('_offset', String(offset));
  return `${baseUrl}/${resourceType}?${search.toString()}`;
}

/** A searchset Bundle: total, self/next/previous links, one `match` entry per resource. */
export function searchsetBundle(input: SearchsetInput): Bundle {
  const { baseUrl, resourceType, params, query, result } = input;
  const page = (offset: number) => searchPageUrl(baseUrl, resourceType, params, query.count, offset);
  const link: BundleLink[] = [{ relation: 'self', url: page(query.offset) }];
  if (query.count > 0 && query.offset + query.count < result.total) {
    link.push({ relation: 'next', url: page(query.offset + query.count) });
  }
  if (query.count > 0 && query.offset > 0) {
    link.push({ relation: 'previous', url: page(Math.max(0, query.offset - query.count)) });
  }
  const entry: BundleEntry[] = result.resources.map((resource) => ({
    ...(resource.id === undefined ? {} : { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}` }),
    resource,
    search: { mode: 'match' },
  }));
  // FHIR JSON never carries an empty array, so a page with no resources has no `entry`
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: result.total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
