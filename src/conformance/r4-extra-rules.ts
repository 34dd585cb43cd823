/**
 * R4 rules that the @medplum/core validator does not enforce on its own:
 * - required terminology bindings (`code`, `Coding`, `CodeableConcept`), checked against value sets
 *   expanded locally from the R4 definitions (value sets that cannot be expanded locally are skipped);
 * - the R4 `dateTime` format, which requires a time zone whenever a time is given
 *   (medplum accepts `2020-01-01T10:00:00`);
 * - the R4 `id` format for resource ids (medplum types Resource.id as a plain string);
 * - the invariants of complex datatypes (per-1, cpt-2, qty-3, ref-1, …): medplum checks the invariants
 *   declared on elements and resources, but not those declared on the datatypes themselves.
 */
import { crawlTypedValue, evalFhirPathTyped, getDataType, isDataTypeLoaded, parseFhirPath, toTypedValue } from '@medplum/core';
import type { FhirPathAtom, TypedValue, TypedValueWithPath } from '@medplum/core';
import type { Coding, CodeableConcept, Resource } from '@medplum/fhirtypes';
import { expandValueSet } from './r4-terminology.js';

/** The R4 regular expression for `dateTime` (https://hl7.org/fhir/R4/datatypes.html#dateTime). */
const R4_DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;

/** The R4 regular expression for `id` (https://hl7.org/fhir/R4/datatypes.html#id). */
const R4_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Issues (as `path: problem`) for required bindings, dateTimes, resource ids and datatype invariants in one resource. */
export function checkR4ExtraRules(resource: Resource): string[] {
  const issues: string[] = [];
  const resourceValue = toTypedValue(resource);
  crawlTypedValue(
    resourceValue,
    {
      visitProperty(parent, key, _path, propertyValues, schema) {
        const binding = schema.elements[key]?.binding;
        const isResourceId = key === 'id' && isResource(parent.value);
        for (const typed of propertyValues.flat()) {
          if (typed.value === undefined || typed.value === null) continue;
          if (isResourceId) checkId(typed, issues);
          if (typed.type === 'dateTime') checkDateTime(typed, issues);
          if (binding?.strength === 'required' && binding.valueSet) checkBinding(typed, binding.valueSet, issues);
          checkDatatypeInvariants(typed, resourceValue, issues);
        }
      },
    },
    { skipMissingProperties: true },
  );
  return issues;
}

/** Invariants covered elsewhere: ele-1 (empty values) by findEmptyValues. */
const SKIPPED_INVARIANTS = new Set(['ele-1']);
const UCUM = toTypedValue('http://unitsofmeasure.org');
const parsedExpressions = new Map<string, FhirPathAtom>();

function checkDatatypeInvariants(typed: TypedValueWithPath, resource: TypedValue, issues: string[]): void {
  if (!/^[A-Z]/.test(typed.type) || !isDataTypeLoaded(typed.type)) return;
  const schema = getDataType(typed.type);
  if (schema.kind !== 'complex-type') return;
  for (const constraint of schema.constraints ?? []) {
    if (constraint.severity !== 'error' || SKIPPED_INVARIANTS.has(constraint.key)) continue;
    let atom = parsedExpressions.get(constraint.expression);
    if (!atom) {
      atom = parseFhirPath(constraint.expression);
      parsedExpressions.set(constraint.expression, atom);
    }
    const variables = { '%context': typed, '%ucum': UCUM, '%resource': resource, '%rootResource': resource };
    const result = evalFhirPathTyped(atom, [typed], variables);
    if (result.length !== 1 || result[0]?.value !== true) {
      issues.push(`${typed.path}: constraint ${constraint.key} not met: ${constraint.description}`);
    }
  }
}

function isResource(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { resourceType?: unknown }).resourceType === 'string';
}

function checkId(typed: TypedValueWithPath, issues: string[]): void {
  if (typeof typed.value !== 'string' || !R4_ID.test(typed.value)) {
    issues.push(`${typed.path}: '${String(typed.value)}' is not an R4 id (1-64 of A-Z a-z 0-9 - .)`);
  }
}

function checkDateTime(typed: TypedValueWithPath, issues: string[]): void {
  if (typeof typed.value === 'string' && !R4_DATE_TIME.test(typed.value)) {
    issues.push(
      `${typed.path}: '${typed.value}' is not an R4 dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss with a time zone)`,
    );
  }
}

function checkBinding(typed: TypedValueWithPath, valueSetUrl: string, issues: string[]): void {
  const valueSet = expandValueSet(valueSetUrl);
  if (!valueSet) return;
  const name = valueSet.url;
  switch (typed.type) {
    case 'code': {
      const code = typed.value as string;
      if (!valueSet.has(code)) issues.push(`${typed.path}: code '${code}' is not in the required value set ${name}`);
      return;
    }
    case 'Coding': {
      const coding = typed.value as Coding;
      if (coding.code !== undefined && !valueSet.has(coding.code, coding.system)) {
        issues.push(`${typed.path}: ${describe(coding)} is not in the required value set ${name}`);
      }
      return;
    }
    case 'CodeableConcept': {
      const codings = (typed.value as CodeableConcept).coding ?? [];
      const matches = codings.some((c) => c.code !== undefined && valueSet.has(c.code, c.system));
      if (!matches) {
        const shown = codings.length > 0 ? codings.map(describe).join(', ') : 'no coding';
        issues.push(`${typed.path}: has ${shown}; needs a coding from the required value set ${name}`);
      }
      return;
    }
    default:
      return;
  }
}

function describe(coding: Coding): string {
  return `${coding.system ?? '(no system)'}|${coding.code ?? '(no code)'}`;
}
