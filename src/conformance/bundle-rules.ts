/**
 * Rule checks over a mapped transaction Bundle (the Mapper contract in src/mapping/types.ts):
 * - `bundle`:    a Bundle of type `transaction`, with entries
 * - `entry`:     every entry has a resource with a resourceType and an id
 * - `unique`:    (resourceType, id) is unique across entries
 * - `url`:       fullUrl is `Type/id`; request is `PUT Type/id`
 * - `reference`: every `reference` anywhere resolves to an entry of the bundle (or `#id` to a contained resource)
 * - `empty`:     no `{}`, `[]`, `''`, null or undefined anywhere
 * - `r4`:        every resource (and the Bundle envelope) is valid FHIR R4
 * Each problem is one string: `[rule] where: what`. An empty list means the bundle passes.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { findEmptyValues } from './empty-values.js';
import { validateR4 } from './fhir-validator.js';

export function checkBundle(bundle: Bundle): string[] {
  const issues: string[] = [];
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') {
    issues.push(`[bundle] Bundle: expected a transaction Bundle, got ${String(bundle.resourceType)} of type ${String(bundle.type)}`);
  }
  const entries = bundle.entry ?? [];
  if (entries.length === 0) issues.push('[bundle] Bundle: has no entries');
  issues.push(...findEmptyValues(bundle, 'Bundle').map((issue) => `[empty] ${issue}`));
  issues.push(...checkEntries(entries));
  issues.push(...checkReferences(entries));
  issues.push(...checkValidity(bundle, entries));
  return issues;
}

function entryLabel(entry: BundleEntry, index: number): string {
  const resource = entry.resource;
  return resource?.id ? `entry[${index}] ${resource.resourceType}/${resource.id}` : `entry[${index}]`;
}

function checkEntries(entries: readonly BundleEntry[]): string[] {
  const issues: string[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const resource = entry.resource;
    const where = entryLabel(entry, index);
    if (!resource) return void issues.push(`[entry] ${where}: has no resource`);
    if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string' || resource.id === '') {
      return void issues.push(`[entry] ${where}: resource has no resourceType or no id`);
    }
    const key = `${resource.resourceType}/${resource.id}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push(`[unique] ${where}: ${key} already appears at entry[${first}]`);
    else seen.set(key, index);
    if (entry.fullUrl !== key) issues.push(`[url] ${where}: fullUrl is '${String(entry.fullUrl)}', expected '${key}'`);
    if (entry.request?.method !== 'PUT' || entry.request.url !== key) {
      const actual = `${String(entry.request?.method)} ${String(entry.request?.url)}`;
      issues.push(`[url] ${where}: request is '${actual}', expected 'PUT ${key}'`);
    }
  });
  return issues;
}

function checkReferences(entries: readonly BundleEntry[]): string[] {
  const targets = new Set<string>();
  for (const entry of entries) {
    const resource = entry.resource;
    if (resource?.id) targets.add(`${resource.resourceType}/${resource.id}`);
    if (entry.fullUrl) targets.add(entry.fullUrl);
  }
  const issues: string[] = [];
  entries.forEach((entry, index) => {
    const resource = entry.resource;
    if (!resource) return;
    const contained = new Set((resource as { contained?: Resource[] }).contained?.map((r) => r.id) ?? []);
    for (const { path, reference } of findReferences(resource, resource.resourceType)) {
      const resolves = reference.startsWith('#') ? contained.has(reference.slice(1)) : targets.has(reference);
      if (!resolves) issues.push(`[reference] ${entryLabel(entry, index)} ${path}: '${reference}' does not resolve to an entry of the bundle`);
    }
  });
  return issues;
}

/** Every string-valued `reference` property anywhere in `value`, with its path. */
export function findReferences(value: unknown, path: string): { path: string; reference: string }[] {
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => findReferences(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'reference' && typeof child === 'string'
      ? [{ path: `${path}.${key}`, reference: child }]
      : findReferences(child, `${path}.${key}`),
  );
}

function checkValidity(bundle: Bundle, entries: readonly BundleEntry[]): string[] {
  const issues: string[] = [];
  // the envelope alone: each resource is validated on its own below, so its issues are reported once
  const envelope = { ...bundle, entry: entries.map(({ resource: _resource, ...rest }) => rest) } as Bundle;
  if (entries.length === 0) delete envelope.entry;
  issues.push(...validateR4(envelope, { emptyValues: false }).map((issue) => `[r4] Bundle: ${issue}`));
  entries.forEach((entry, index) => {
    if (!entry.resource) return;
    const where = entryLabel(entry, index);
    issues.push(...validateR4(entry.resource, { emptyValues: false }).map((issue) => `[r4] ${where}: ${issue}`));
  });
  return issues;
}
