import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { HistoryResult, SearchQuery, SearchResult } from '../../store/types.js';
import type { RequestParam } from '../handler-types.js';

/** Paging parameters the server sets itself on every link. */
const PAGING = new Set(['_count', '_offset', '_cursor']);

/**
 * Absolute GET URL of one page: `path` under the base, the client's other parameters as sent, then
 * `_count` and either `_cursor` or `_offset`.
 */
export function pageUrl(
  baseUrl: string,
  path: string,
  params: readonly RequestParam[],
  count: number,
  position: { readonly cursor?: string; readonly offset?: number } = {},
): string {
  const search = new URLSearchParams();
  for (const [name, value] of params) {
    if (!PAGING.has(name)) search.append(name, value);
  }
  search.append('_count', String(count));
  if (position.cursor !== undefined) search.append('_cursor', position.cursor);
  else if (position.offset !== undefined) search.append('_offset', String(position.offset));
  return `${baseUrl}/${path}?${search.toString()}`;
}

/** Kept for callers of the first version: the URL of a search page at an offset. */
export function searchPageUrl(baseUrl: string, resourceType: string, params: readonly RequestParam[], count: number, offset: number): string {
  return pageUrl(baseUrl, resourceType, params, count, { offset });
}

export interface SearchsetInput {
  /** what was searched: a type (`Patient`) or an operation path (`Patient/123/$everything`) */
  readonly path: string;
  /** FHIR base URL without a trailing slash */
  readonly baseUrl: string;
  /** the parameters as the client sent them (query and form), used to build paging links */
  readonly params: readonly RequestParam[];
  readonly query: Pick<SearchQuery, 'count' | 'offset' | 'cursor'>;
  readonly result: SearchResult;
}

/**
 * A searchset Bundle: total, self/next (and, when paging by offset, previous) links, one `match` entry per
 * resource and one `include` entry per included resource (not counted in total). The next link carries
 * the store's cursor when it gives one; a store without cursors is paged by offset.
 */
export function searchsetBundle(input: SearchsetInput): Bundle {
  const { baseUrl, path, params, query, result } = input;
  const at = (position: { cursor?: string; offset?: number }) => pageUrl(baseUrl, path, params, query.count, position);
  const self = query.cursor !== undefined ? { cursor: query.cursor } : { offset: query.offset };
  const link: BundleLink[] = [{ relation: 'self', url: at(self) }];
  if (query.count > 0 && result.nextCursor !== undefined) {
    link.push({ relation: 'next', url: at({ cursor: result.nextCursor }) });
  } else if (query.count > 0 && query.cursor === undefined && query.offset + query.count < result.total) {
    link.push({ relation: 'next', url: at({ offset: query.offset + query.count }) });
  }
  if (query.count > 0 && query.cursor === undefined && query.offset > 0) {
    link.push({ relation: 'previous', url: at({ offset: Math.max(0, query.offset - query.count) }) });
  }
  const entry: BundleEntry[] = [
    ...result.resources.map((resource) => searchEntry(baseUrl, resource, 'match')),
    ...(result.included ?? []).map((resource) => searchEntry(baseUrl, resource, 'include')),
  ];
  // FHIR JSON never carries an empty array, so a page with no resources has no `entry`
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: result.total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}

function searchEntry(baseUrl: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return {
    ...(resource.id === undefined ? {} : { fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}` }),
    resource,
    search: { mode },
  };
}

export interface HistoryInput {
  /** `Patient/123/_history` or `Patient/_history` */
  readonly path: string;
  readonly baseUrl: string;
  readonly params: readonly RequestParam[];
  readonly count: number;
  readonly cursor?: string;
  readonly result: HistoryResult;
}

/**
 * A history Bundle, newest version first. Each entry says how the version was made: the store applies
 * every resource as an update-or-create PUT, so version 1 answered 201 Created and later ones 200 OK.
 */
export function historyBundle(input: HistoryInput): Bundle {
  const { baseUrl, path, params, count, result } = input;
  const at = (cursor: string | undefined) => pageUrl(baseUrl, path, params, count, cursor === undefined ? {} : { cursor });
  const link: BundleLink[] = [{ relation: 'self', url: at(input.cursor) }];
  if (count > 0 && result.nextCursor !== undefined) link.push({ relation: 'next', url: at(result.nextCursor) });
  const entry: BundleEntry[] = result.entries.map(({ resource, versionId, lastUpdated }) => {
    const url = `${resource.resourceType}/${resource.id ?? ''}`;
    return {
      fullUrl: `${baseUrl}/${url}`,
      resource,
      request: { method: 'PUT', url },
      response: {
        status: versionId === '1' ? '201 Created' : '200 OK',
        etag: `W/"${versionId}"`,
        lastModified: lastUpdated,
        location: `${baseUrl}/${url}/_history/${versionId}`,
      },
    };
  });
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: result.total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
