import type { Resource } from '@medplum/fhirtypes';
import { StoreError } from './errors.js';
import { getSearchParameter } from './search-params.js';
import type { SqlExecutor } from './sql.js';
import type { IncludeRequest } from './types.js';

/**
 * `_include`: the current resources that the given reference parameters of the matched resources point at,
 * each once, leaving out any that are already among the matches.
 */
export async function loadIncluded(
  db: SqlExecutor,
  resourceType: string,
  matches: readonly Resource[],
  include: readonly IncludeRequest[],
): Promise<Resource[]> {
  if (include.length === 0 || matches.length === 0) return [];
  const params: string[] = [];
  const targetTypes: (string | null)[] = [];
  for (const request of include) {
    const definition = getSearchParameter(resourceType, request.param);
    if (definition?.type !== 'reference') {
      throw new StoreError(`Cannot _include ${resourceType}:${request.param}: it is not a reference parameter of ${resourceType}.`, 'invalid-include');
    }
    const { storedAs } = definition;
    if (storedAs !== undefined && request.targetType !== undefined && request.targetType !== storedAs.targetType) continue;
    params.push(storedAs?.param ?? request.param);
    targetTypes.push(storedAs?.targetType ?? request.targetType ?? null);
  }
  const ids = matches.flatMap((r) => (r.resourceType === resourceType && r.id !== undefined ? [r.id] : []));
  const { rows } = await db.query<{ content: Resource }>(
    `SELECT r.content FROM resources r
      WHERE (r.resource_type, r.id) IN (
        SELECT s.system, s.value FROM search_index s
          JOIN unnest($2::text[], $3::text[]) AS inc(param, target_type)
            ON s.param = inc.param AND (inc.target_type IS NULL OR s.system = inc.target_type)
         WHERE s.resource_type = $1 AND s.kind = 'reference' AND s.system IS NOT NULL
           AND s.resource_id = ANY($4::text[]))
      ORDER BY r.resource_type COLLATE "C", r.id COLLATE "C"`,
    [resourceType, params, targetTypes, ids],
  );
  const matched = new Set(matches.map((r) => `${r.resourceType}/${r.id ?? ''}`));
  return rows.map((row) => row.content).filter((r) => !matched.has(`${r.resourceType}/${r.id ?? ''}`));
}
