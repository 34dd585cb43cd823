/**
 * Security-label rules (security-labels.yaml): a resource whose coded element matches gets a label in
 * meta.security, and the run reports it (for example an ICD-10 F code on a Condition → PSY).
 */
import type { LabelAssignment } from './types.js';
import type { Json, JsonObject } from './runtime.js';
import type { LabelsFile } from './schema.js';

export type LabelRule = LabelsFile['rules'][number];

function codings(value: Json | undefined): JsonObject[] {
  if (value === undefined || typeof value !== 'object') return [];
  const concepts = Array.isArray(value) ? value : [value];
  const out: JsonObject[] = [];
  for (const c of concepts) {
    if (c === null || typeof c !== 'object' || Array.isArray(c)) continue;
    const coding = c['coding'];
    if (Array.isArray(coding)) for (const x of coding) if (x !== null && typeof x === 'object' && !Array.isArray(x)) out.push(x);
  }
  return out;
}

function matches(rule: LabelRule, resource: JsonObject): boolean {
  if (resource['resourceType'] !== rule.resourceType) return false;
  for (const coding of codings(resource[rule.element])) {
    const code = coding['code'];
    if (coding['system'] !== rule.system || typeof code !== 'string') continue;
    if (rule.codeIn?.includes(code) === true) return true;
    if (rule.codeStartsWith?.some((p) => code.startsWith(p)) === true) return true;
  }
  return false;
}

/** Put matching labels on the resources (in meta.security, once each) and report them. */
export function applyLabels(rules: readonly LabelRule[], resources: readonly JsonObject[]): LabelAssignment[] {
  const assigned: LabelAssignment[] = [];
  if (rules.length === 0) return assigned;
  for (const resource of resources) {
    for (const rule of rules) {
      if (!matches(rule, resource)) continue;
      const meta = (resource['meta'] ?? {}) as JsonObject;
      const security = (Array.isArray(meta['security']) ? meta['security'] : []) as JsonObject[];
      if (!security.some((s) => s['system'] === rule.label.system && s['code'] === rule.label.code)) {
        const label: JsonObject = { system: rule.label.system, code: rule.label.code };
        if (rule.label.display !== undefined) label['display'] = rule.label.display;
        security.push(label);
      }
      meta['security'] = security;
      resource['meta'] = meta;
      assigned.push({
        resourceType: rule.resourceType,
        id: String(resource['id']),
        system: rule.label.system,
        code: rule.label.code,
        rule: rule.name,
      });
    }
  }
  return assigned;
}
