/**
 * Search parameters of the clinical and person-related resources the mappings produce (ADT clinical
 * segments, GP records): AllergyIntolerance, Condition, Procedure, Observation, MedicationStatement,
 * MedicationRequest, Immunization, RelatedPerson, Coverage, CareTeam. Names follow FHIR R4's.
 */
import type {
  AllergyIntolerance,
  CareTeam,
  CodeableConcept,
  Condition,
  Coverage,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Period,
  Procedure,
  Reference,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import { periodRange } from './fhir-date-range.js';
import {
  concepts,
  dates,
  identifiers,
  nameParts,
  references,
  strings,
  token,
  type IndexEntry,
  type SearchParameterDefinition,
} from './search-extract.js';

type Params = Readonly<Record<string, SearchParameterDefinition>>;

/** `patient`, `subject` (when the type has one) and `encounter` parameters read from the named elements. */
function who<R extends Resource>(
  pick: (r: R) => { readonly subject?: Reference; readonly encounter?: Reference },
  options: { readonly subjectParam: boolean; readonly encounterParam: boolean },
): Params {
  const params: Record<string, SearchParameterDefinition> = {
    patient: {
      type: 'reference',
      description: 'The patient the record is about',
      targets: ['Patient'],
      ...(options.subjectParam ? { storedAs: { param: 'subject', targetType: 'Patient' } } : {}),
      extract: (r) => references([pick(r as R).subject]).filter((e) => e.kind === 'reference' && e.targetType === 'Patient'),
    },
  };
  if (options.subjectParam) {
    params.subject = {
      type: 'reference',
      description: 'Who the record is about (Patient or Group)',
      targets: ['Patient', 'Group'],
      extract: (r) => references([pick(r as R).subject]),
    };
  }
  if (options.encounterParam) {
    params.encounter = {
      type: 'reference',
      description: 'The encounter the record was made in',
      targets: ['Encounter'],
      extract: (r) => references([pick(r as R).encounter]),
    };
  }
  return params;
}

function codeParam(description: string, read: (r: Resource) => readonly (CodeableConcept | undefined)[]): SearchParameterDefinition {
  return { type: 'token', description, extract: (r) => concepts(read(r)) };
}

function statusParam(description: string, system: string, read: (r: Resource) => string | undefined): SearchParameterDefinition {
  return {
    type: 'token',
    description,
    extract: (r) => {
      const status = read(r);
      return status ? [token(system, status)] : [];
    },
  };
}

/** A dateTime or a Period, as a date range entry. */
function when(value: string | Period | undefined): IndexEntry[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return dates(value);
  const range = periodRange(value);
  return range ? [{ kind: 'date', ...range }] : [];
}

function dateParam(description: string, read: (r: Resource) => string | Period | undefined): SearchParameterDefinition {
  return { type: 'date', description, extract: (r) => when(read(r)) };
}

const identifierParam: SearchParameterDefinition = {
  type: 'token',
  description: 'A business identifier (system|value)',
  extract: (r) => identifiers((r as { identifier?: AllergyIntolerance['identifier'] }).identifier),
};

const ALLERGY: Params = {
  ...who<AllergyIntolerance>((r) => ({ subject: r.patient, encounter: r.encounter }), { subjectParam: false, encounterParam: false }),
  identifier: identifierParam,
  code: codeParam('The allergen (system|code)', (r) => [(r as AllergyIntolerance).code]),
  'clinical-status': codeParam('active | inactive | resolved', (r) => [(r as AllergyIntolerance).clinicalStatus]),
  'verification-status': codeParam('unconfirmed | confirmed | refuted | entered-in-error', (r) => [(r as AllergyIntolerance).verificationStatus]),
  category: {
    type: 'token',
    description: 'food | medication | environment | biologic',
    extract: (r) => ((r as AllergyIntolerance).category ?? []).map((c) => token('http://hl7.org/fhir/allergy-intolerance-category', c)),
  },
  criticality: statusParam('low | high | unable-to-assess', 'http://hl7.org/fhir/allergy-intolerance-criticality', (r) => (r as AllergyIntolerance).criticality),
  date: dateParam('When the allergy was recorded', (r) => (r as AllergyIntolerance).recordedDate),
  onset: dateParam('When the reaction started (onset dateTime or period)', (r) => (r as AllergyIntolerance).onsetDateTime ?? (r as AllergyIntolerance).onsetPeriod),
};

const CONDITION: Params = {
  ...who<Condition>((r) => ({ subject: r.subject, encounter: r.encounter }), { subjectParam: true, encounterParam: true }),
  identifier: identifierParam,
  code: codeParam('The condition (system|code), e.g. ICD-10 or SNOMED CT', (r) => [(r as Condition).code]),
  'clinical-status': codeParam('active | recurrence | relapse | inactive | remission | resolved', (r) => [(r as Condition).clinicalStatus]),
  'verification-status': codeParam('unconfirmed | provisional | differential | confirmed | refuted | entered-in-error', (r) => [(r as Condition).verificationStatus]),
  category: codeParam('problem-list-item | encounter-diagnosis, or a local category', (r) => (r as Condition).category ?? []),
  'onset-date': dateParam('When the condition started', (r) => (r as Condition).onsetDateTime ?? (r as Condition).onsetPeriod),
  'recorded-date': dateParam('When the condition was first recorded', (r) => (r as Condition).recordedDate),
};

const PROCEDURE: Params = {
  ...who<Procedure>((r) => ({ subject: r.subject, encounter: r.encounter }), { subjectParam: true, encounterParam: true }),
  identifier: identifierParam,
  code: codeParam('The procedure (system|code), e.g. OPCS-4 or SNOMED CT', (r) => [(r as Procedure).code]),
  status: statusParam('preparation | in-progress | not-done | on-hold | stopped | completed | entered-in-error | unknown', 'http://hl7.org/fhir/event-status', (r) => (r as Procedure).status),
  category: codeParam('A classification of the procedure', (r) => [(r as Procedure).category]),
  date: dateParam('When the procedure was performed', (r) => (r as Procedure).performedDateTime ?? (r as Procedure).performedPeriod),
};

const OBSERVATION: Params = {
  ...who<Observation>((r) => ({ subject: r.subject, encounter: r.encounter }), { subjectParam: true, encounterParam: true }),
  identifier: identifierParam,
  code: codeParam('What was observed (system|code), e.g. LOINC or SNOMED CT', (r) => [(r as Observation).code]),
  category: codeParam('The kind of observation, e.g. vital-signs, laboratory', (r) => (r as Observation).category ?? []),
  status: statusParam('registered | preliminary | final | amended | corrected | cancelled | entered-in-error | unknown', 'http://hl7.org/fhir/observation-status', (r) => (r as Observation).status),
  date: dateParam('When the observation applies (effective dateTime or period)', (r) => (r as Observation).effectiveDateTime ?? (r as Observation).effectivePeriod),
};

const MEDICATION_STATEMENT: Params = {
  ...who<MedicationStatement>((r) => ({ subject: r.subject, encounter: r.context }), { subjectParam: true, encounterParam: false }),
  identifier: identifierParam,
  code: codeParam('The medication (system|code), e.g. dm+d', (r) => [(r as MedicationStatement).medicationCodeableConcept]),
  status: statusParam('active | completed | entered-in-error | intended | stopped | on-hold | unknown | not-taken', 'http://hl7.org/fhir/CodeSystem/medication-statement-status', (r) => (r as MedicationStatement).status),
  effective: dateParam('When the medication was taken', (r) => (r as MedicationStatement).effectiveDateTime ?? (r as MedicationStatement).effectivePeriod),
};

const MEDICATION_REQUEST: Params = {
  ...who<MedicationRequest>((r) => ({ subject: r.subject, encounter: r.encounter }), { subjectParam: true, encounterParam: true }),
  identifier: identifierParam,
  code: codeParam('The medication (system|code), e.g. dm+d', (r) => [(r as MedicationRequest).medicationCodeableConcept]),
  status: statusParam('active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown', 'http://hl7.org/fhir/CodeSystem/medicationrequest-status', (r) => (r as MedicationRequest).status),
  intent: statusParam('proposal | plan | order | original-order | reflex-order | filler-order | instance-order | option', 'http://hl7.org/fhir/CodeSystem/medicationrequest-intent', (r) => (r as MedicationRequest).intent),
  authoredon: dateParam('When the prescription was written', (r) => (r as MedicationRequest).authoredOn),
};

const IMMUNIZATION: Params = {
  ...who<Immunization>((r) => ({ subject: r.patient, encounter: r.encounter }), { subjectParam: false, encounterParam: false }),
  identifier: identifierParam,
  'vaccine-code': codeParam('The vaccine (system|code)', (r) => [(r as Immunization).vaccineCode]),
  status: statusParam('completed | entered-in-error | not-done', 'http://hl7.org/fhir/event-status', (r) => (r as Immunization).status),
  date: dateParam('When the vaccine was given', (r) => (r as Immunization).occurrenceDateTime),
};

const RELATED_PERSON: Params = {
  ...who<RelatedPerson>((r) => ({ subject: r.patient }), { subjectParam: false, encounterParam: false }),
  identifier: identifierParam,
  name: {
    type: 'string',
    description: 'Any part of a name: family, given, prefix, suffix or text',
    extract: (r) => strings(((r as RelatedPerson).name ?? []).flatMap(nameParts)),
  },
  relationship: codeParam('How the person is related to the patient', (r) => (r as RelatedPerson).relationship ?? []),
};

const COVERAGE: Params = {
  ...who<Coverage>((r) => ({ subject: r.beneficiary }), { subjectParam: false, encounterParam: false }),
  beneficiary: {
    type: 'reference',
    description: 'The patient covered',
    targets: ['Patient'],
    extract: (r) => references([(r as Coverage).beneficiary]),
  },
  payor: {
    type: 'reference',
    description: 'The insurer or paying organisation',
    targets: ['Organization', 'Patient', 'RelatedPerson'],
    extract: (r) => references((r as Coverage).payor),
  },
  identifier: identifierParam,
};

const CARE_TEAM: Params = {
  ...who<CareTeam>((r) => ({ subject: r.subject, encounter: r.encounter }), { subjectParam: true, encounterParam: true }),
  identifier: identifierParam,
  participant: {
    type: 'reference',
    description: 'A member of the team',
    targets: ['Practitioner', 'PractitionerRole', 'RelatedPerson', 'Patient', 'Organization', 'CareTeam'],
    extract: (r) => references(((r as CareTeam).participant ?? []).map((p) => p.member)),
  },
};

/** Clinical and person-related resource types and their parameters (without `_id` and `_lastUpdated`). */
export const CLINICAL_SEARCH_PARAMETERS: Readonly<Record<string, Params>> = {
  AllergyIntolerance: ALLERGY,
  Condition: CONDITION,
  Procedure: PROCEDURE,
  Observation: OBSERVATION,
  MedicationStatement: MEDICATION_STATEMENT,
  MedicationRequest: MEDICATION_REQUEST,
  Immunization: IMMUNIZATION,
  RelatedPerson: RELATED_PERSON,
  Coverage: COVERAGE,
  CareTeam: CARE_TEAM,
};
