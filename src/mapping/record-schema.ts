/**
 * Mapping files for inputs other than HL7 v2 (mappings/gp/): a file says what it reads (`input: fhir` — a FHIR
 * resource of the input bundle, e.g. GP Connect STU3; `input: csv` — one row of a CSV extract) and holds
 * templates (in the same language as the HL7 v2 templates), a structure (which records make which resources),
 * or both. See mappings/README.md, "Other inputs".
 */
import { z } from 'zod';
import { conditionSchema, requireOneEntryKind, templateSchema } from './schema.js';

type Shape = Record<string, z.ZodType>;

function strict<S extends Shape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} — remove it or fix its spelling; allowed here: ${allowed}`
        : undefined,
  });
}

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a name of letters, digits, - or _ — start with a letter');
const column = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a column name is lower-case letters, digits and _ — write it like nhs_number');
const resourceType = z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be a FHIR resource type — write it like AllergyIntolerance');

export const INPUT_KINDS = ['fhir', 'csv'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

const recordEntrySchema = strict({
  description: z.string().optional(),
  key: name.optional(),
  into: name.optional(),
  repeat: z.boolean().optional(),
  /** input: fhir — the resource type of the input records this entry maps */
  source: resourceType.optional(),
  template: name,
  required: z.boolean().optional(),
  when: conditionSchema.optional(),
}).superRefine((e, ctx) => requireOneEntryKind(e, 'record', ctx));
export type RecordEntryDef = z.infer<typeof recordEntrySchema>;

const preserveSchema = strict({
  description: z.string().optional(),
  resource: name,
  elements: z.array(z.string().regex(/^[a-zA-Z]+$/, 'must be a top-level element name')).min(1),
});

export const recordFileSchema = strict({
  input: z.enum(INPUT_KINDS, { error: 'input must be fhir (a FHIR resource, e.g. GP Connect STU3) or csv (a row of a CSV extract)' }),
  description: z.string().optional(),
  /** the structure this file defines: a format name (gp-connect) or a CSV layout (gp-csv-problems) */
  structure: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a structure name is lower-case letters, digits and dashes — write it like gp-connect').optional(),
  /** input: csv — the columns of the layout, in the order of the documented file */
  columns: z.array(column).min(1).optional(),
  /** input: csv — the columns that say who a row is about */
  person: strict({ nhsNumber: column, localId: column.optional() }).optional(),
  vars: z.record(name, z.string()).optional(),
  ignore: z.array(z.string().min(1)).optional(),
  resources: z.array(recordEntrySchema).min(1).optional(),
  /** elements of resources of this structure the store keeps from the version it holds */
  preserve: z.array(preserveSchema).optional(),
  templates: z.record(name, templateSchema).optional(),
}).superRefine((f, ctx) => {
  const structural = [f.resources, f.columns, f.person, f.vars, f.ignore, f.preserve].some((v) => v !== undefined);
  if (f.structure === undefined && structural) {
    ctx.addIssue({ code: 'custom', message: 'resources, columns, person, vars, ignore and preserve belong to a structure — add structure: <name>' });
  }
  if (f.structure !== undefined && f.resources === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a structure needs resources: which records make which resources — add them' });
  }
  if (f.structure === undefined && f.templates === undefined) {
    ctx.addIssue({ code: 'custom', message: 'this file defines nothing — give templates:, or structure: with resources:' });
  }
  if (f.input === 'csv' && f.structure !== undefined && (f.columns === undefined || f.person === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a CSV structure needs columns: (the layout) and person: { nhsNumber: <column> } — add them' });
  }
  if (f.input === 'fhir' && (f.columns !== undefined || f.person !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'columns and person are for input: csv — remove them (a FHIR input finds the person from its Patient)' });
  }
  f.resources?.forEach((e, i) => {
    if (f.input === 'fhir' && e.source === undefined) {
      ctx.addIssue({ code: 'custom', path: ['resources', i], message: 'an entry of a FHIR input needs source: <resource type> (which input records it maps) — add it' });
    }
    if (f.input === 'csv' && e.source !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['resources', i, 'source'], message: 'a CSV entry maps the row itself — remove source' });
    }
  });
});
export type RecordFile = z.infer<typeof recordFileSchema>;
