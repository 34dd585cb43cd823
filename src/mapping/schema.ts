/**
 * The shape of every mapping file, as zod schemas (strict: an unknown key is an error that names the
 * allowed keys). Meaning is checked later by the compiler (paths, template names, transforms, maps).
 * The language itself is described in mappings/README.md.
 */
import { z } from 'zod';

type Shape = Record<string, z.ZodType>;

/** A strict object whose unknown-key error lists the keys allowed there. */
function strict<S extends Shape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} — remove it or fix its spelling; allowed here: ${allowed}`
        : undefined,
  });
}

const text = z.string().min(1, 'must not be empty — write a value');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;
const segmentName = z.string().regex(SEGMENT_NAME, 'must be a 3-character segment name — write it like PID, PV1 or ZU1');
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a name of letters, digits, - or _ — start with a letter');

// ---- conditions ----------------------------------------------------------------------------------

export interface ConditionDef {
  exists?: string;
  path?: string;
  var?: string;
  equals?: string | number | boolean;
  in?: (string | number | boolean)[];
  startsWith?: string;
  not?: ConditionDef;
  all?: ConditionDef[];
  any?: ConditionDef[];
}

export const conditionSchema: z.ZodType<ConditionDef> = strict({
  exists: text.optional(),
  path: text.optional(),
  var: name.optional(),
  equals: scalar.optional(),
  in: z.array(scalar).min(1).optional(),
  startsWith: text.optional(),
  get not() {
    return conditionSchema.optional();
  },
  get all() {
    return z.array(conditionSchema).min(1).optional();
  },
  get any() {
    return z.array(conditionSchema).min(1).optional();
  },
}).superRefine((c, ctx) => {
  const forms = [c.exists, c.not, c.all, c.any, c.path ?? c.var].filter((v) => v !== undefined).length;
  const tests = [c.equals, c.in, c.startsWith].filter((v) => v !== undefined).length;
  const fix = 'write one of {exists: PATH}, {path: PATH, equals|in|startsWith: …}, {var: NAME, equals|in|startsWith: …}, {not: …}, {all: […]}, {any: […]}';
  if (forms !== 1 || (c.path !== undefined && c.var !== undefined)) {
    ctx.addIssue({ code: 'custom', message: `a condition must have exactly one form — ${fix}` });
  } else if ((c.path !== undefined || c.var !== undefined) !== (tests === 1)) {
    ctx.addIssue({ code: 'custom', message: `path/var needs exactly one of equals, in, startsWith (and nothing else does) — ${fix}` });
  }
}) as z.ZodType<ConditionDef>;

// ---- value rules -----------------------------------------------------------------------------------

export type TransformDef = string | Record<string, unknown>;
const transformSchema = z.union([text, z.record(z.string(), z.unknown())]);

export interface NodeDef {
  description?: string;
  from?: string;
  const?: unknown;
  var?: string;
  ref?: string;
  first?: NodeDef[];
  parts?: NodeDef[];
  each?: string;
  when?: ConditionDef;
  template?: string;
  resource?: string;
  fields?: Record<string, FieldDef>;
  with?: Record<string, string>;
  transform?: TransformDef | TransformDef[];
  required?: boolean;
  optional?: boolean;
}
export type FieldDef = NodeDef | NodeDef[];

const SOURCES = ['from', 'const', 'var', 'ref', 'first', 'parts'] as const;
const SHAPES = ['template', 'resource', 'fields'] as const;

export const nodeSchema: z.ZodType<NodeDef> = strict({
  description: z.string().optional(),
  from: text.optional(),
  const: z.unknown().optional(),
  var: name.optional(),
  ref: name.optional(),
  get first() {
    return z.array(nodeSchema).min(1).optional();
  },
  get parts() {
    return z.array(nodeSchema).min(1).optional();
  },
  each: text.optional(),
  when: conditionSchema.optional(),
  template: name.optional(),
  resource: name.optional(),
  get fields() {
    return z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a FHIR element name'), fieldSchema).optional();
  },
  with: z.record(name, z.string()).optional(),
  transform: z.union([transformSchema, z.array(transformSchema).min(1)]).optional(),
  required: z.boolean().optional(),
  optional: z.boolean().optional(),
}).superRefine((n, ctx) => {
  const sources = SOURCES.filter((k) => n[k] !== undefined);
  const shapes = SHAPES.filter((k) => n[k] !== undefined);
  if (sources.length > 1) {
    ctx.addIssue({ code: 'custom', message: `a rule takes its value from one place, but has ${sources.join(' and ')} — keep one (use first: [...] for fallbacks)` });
  }
  if (shapes.length > 1) {
    ctx.addIssue({ code: 'custom', message: `a rule builds one thing, but has ${shapes.join(' and ')} — keep one` });
  }
  if (shapes.length === 1 && sources.length === 1 && sources[0] !== 'from') {
    ctx.addIssue({ code: 'custom', message: `${shapes[0]} applies to a place in the message, so it goes with from (or each), not ${sources[0]} — use from: PATH` });
  }
  if (sources.length === 0 && shapes.length === 0 && n.each === undefined) {
    ctx.addIssue({ code: 'custom', message: 'this rule has no value — give one of from, const, var, ref, first, parts, template, resource or fields' });
  }
  if (n.with !== undefined && n.template === undefined && n.resource === undefined) {
    ctx.addIssue({ code: 'custom', message: 'with passes values to a template — use it together with template or resource' });
  }
}) as z.ZodType<NodeDef>;

/**
 * A field is one rule or a list of rules. Checked by shape (not as a zod union) so that a mistake deep
 * inside a rule is reported at its own line, not as "invalid input" on the field.
 */
export const fieldSchema: z.ZodType<FieldDef> = z.unknown().transform((value, ctx) => {
  const schema = Array.isArray(value) ? z.array(nodeSchema).min(1, 'an empty list — give at least one rule') : nodeSchema;
  const result = schema.safeParse(value);
  if (result.success) return result.data as FieldDef;
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    ctx.addIssue({ code: 'custom', message: issue.message, path });
  }
  return z.NEVER;
}) as unknown as z.ZodType<FieldDef>;

// ---- templates (segment and datatype files) -------------------------------------------------------

export interface TemplateDef {
  description?: string;
  resourceType?: string;
  id?: NodeDef;
  when?: ConditionDef;
  fields: Record<string, FieldDef>;
}

export const templateSchema: z.ZodType<TemplateDef> = strict({
  description: z.string().optional(),
  resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be a FHIR resource type — write it like Patient').optional(),
  id: nodeSchema.optional(),
  when: conditionSchema.optional(),
  fields: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a FHIR element name'), fieldSchema),
}).superRefine((t, ctx) => {
  if ((t.resourceType === undefined) !== (t.id === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a resource template needs both resourceType and id (a datatype template neither) — add the missing one' });
  }
}) as z.ZodType<TemplateDef>;

export const segmentFileSchema = strict({
  segment: segmentName,
  description: z.string().optional(),
  templates: z.record(name, templateSchema),
});
export type SegmentFile = z.infer<typeof segmentFileSchema>;

export const datatypeFileSchema = strict({
  datatype: z.string().regex(/^[A-Z][A-Z0-9]{1,3}$/, 'must be an HL7 datatype name — write it like XPN'),
  description: z.string().optional(),
  templates: z.record(name, templateSchema),
});
export type DatatypeFile = z.infer<typeof datatypeFileSchema>;

// ---- message structures ------------------------------------------------------------------------------

/** A message or record entry is exactly one of: key (a named resource), into (fields added to one) or repeat. */
export function requireOneEntryKind(
  e: { readonly key?: string | undefined; readonly into?: string | undefined; readonly repeat?: boolean | undefined },
  unit: 'segment' | 'record',
  ctx: z.RefinementCtx,
): void {
  const kinds = [e.key, e.into, e.repeat === true ? true : undefined].filter((v) => v !== undefined).length;
  if (kinds !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `an entry needs exactly one of key (a resource the others can ref), into (add fields to that resource) or repeat: true (one resource per ${unit}) — add one`,
    });
  }
}

const entrySchema = strict({
  description: z.string().optional(),
  key: name.optional(),
  segment: segmentName,
  template: name,
  required: z.boolean().optional(),
  into: name.optional(),
  repeat: z.boolean().optional(),
  once: z.boolean().optional(),
  /** segments that follow each of this entry's segments and belong to it (PR1's ROLs): see mappings/README.md */
  group: z.array(segmentName).min(1).optional(),
  when: conditionSchema.optional(),
}).superRefine((e, ctx) => {
  if (e.group !== undefined && e.repeat !== true) {
    ctx.addIssue({ code: 'custom', path: ['group'], message: 'group (segments belonging to each occurrence) needs repeat: true — add it, or drop group' });
  }
  if (e.group?.includes(e.segment) === true) {
    ctx.addIssue({ code: 'custom', path: ['group'], message: `group lists ${e.segment}, the entry's own segment: a new ${e.segment} starts the next group — leave it out` });
  }
  if (e.once === true && e.repeat === true) {
    ctx.addIssue({ code: 'custom', message: 'once (only the first segment) and repeat (one resource per segment) contradict each other — keep one' });
  }
  requireOneEntryKind(e, 'segment', ctx);
});
export type EntryDef = z.infer<typeof entrySchema>;

const preserveSchema = strict({
  description: z.string().optional(),
  resource: name,
  elements: z.array(z.string().regex(/^[a-zA-Z]+$/, 'must be a top-level element name')).min(1),
  when: conditionSchema.optional(),
});
export type PreserveDef = z.infer<typeof preserveSchema>;

const varsSchema = z.record(name, z.string());

export const messageFileSchema = strict({
  structure: z.string().regex(/^[A-Z]{3}_[A-Z0-9]{3}$/, 'must be a message structure — write it like ADT_A01').optional(),
  extends: z.union([z.literal('*'), z.array(z.string().regex(/^[A-Z]{3}_[A-Z0-9]{3}$/)).min(1)]).optional(),
  description: z.string().optional(),
  vars: varsSchema.optional(),
  ignore: z.array(text).optional(),
  preserve: z.array(preserveSchema).optional(),
  resources: z.array(entrySchema).min(1),
  events: z.record(z.string().regex(/^[A-Z0-9]{3}$/, 'must be an event code like A01'), strict({
    description: z.string().optional(),
    vars: varsSchema.optional(),
    preserve: z.array(preserveSchema).optional(),
  })).optional(),
}).superRefine((m, ctx) => {
  if ((m.structure === undefined) === (m.extends === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'a message file has either structure (it defines that structure) or extends (it adds entries to others) — give one',
    });
  }
  if (m.extends !== undefined && (m.events !== undefined || m.vars !== undefined || m.preserve !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'an extends file adds resources only — move events, vars and preserve to the structure file' });
  }
});
export type MessageFile = z.infer<typeof messageFileSchema>;

export const eventsFileSchema = strict({
  description: z.string().optional(),
  events: z.record(z.string().regex(/^[A-Z]{3}$/, 'must be a message code like ADT'), z.record(
    z.string().regex(/^[A-Z0-9]{3}$/, 'must be an event code like A01'),
    z.string().regex(/^[A-Z]{3}_[A-Z0-9]{3}$/, 'must be a message structure — write it like ADT_A01'),
  )),
});
export type EventsFile = z.infer<typeof eventsFileSchema>;

// ---- concept maps and labels -------------------------------------------------------------------------

const conceptTarget = z.union([text, strict({ code: text, display: text.optional(), system: text.optional() })]);
export type ConceptTargetDef = z.infer<typeof conceptTarget>;

export const conceptMapFileSchema = strict({
  id: name,
  description: z.string().optional(),
  source: text.optional(),
  target: text.optional(),
  caseSensitive: z.boolean().optional(),
  entries: z.record(z.string().min(1), conceptTarget),
  default: conceptTarget.optional(),
});
export type ConceptMapFile = z.infer<typeof conceptMapFileSchema>;

export const labelsFileSchema = strict({
  description: z.string().optional(),
  rules: z.array(strict({
    name,
    description: z.string().optional(),
    resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be a FHIR resource type'),
    element: z.string().regex(/^[a-zA-Z]+$/, 'must be a top-level element holding a CodeableConcept'),
    system: text,
    codeStartsWith: z.array(text).min(1).optional(),
    codeIn: z.array(text).min(1).optional(),
    label: strict({ system: text, code: text, display: text.optional() }),
  }).superRefine((r, ctx) => {
    if ((r.codeStartsWith === undefined) === (r.codeIn === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a label rule matches codes by codeStartsWith or codeIn — give one of them' });
    }
  })),
});
export type LabelsFile = z.infer<typeof labelsFileSchema>;
