/**
 * The differences between Junction's output and the FHIR-Converter corpus's expected output that we have
 * reviewed (corpus-meaning.test.ts fails on any difference not listed here, and on any entry that no longer
 * occurs). Entries without `files` hold for every corpus message; `pairs` narrows an entry to some codes.
 *
 * verdict ours-right: why our output is the right one.
 * verdict gap: what our mapping misses, and which file should get it — work still to do, listed so the test
 * stays exact. When the gap is closed the test reports the entry as stale: remove it then.
 */
import type { Explanation } from '../support/meaning/compare.js';

const PDA_PROCEDURES = ['DEATH-CERTIFICATION', 'AUTOPSY-PERFORMED'];

export const EXPECTED_DIFFERENCES: readonly Explanation[] = [
  // ---- Patient ------------------------------------------------------------------------------------------
  {
    resource: 'Patient', field: '(resource)', kind: 'only-ours', files: ['ADT-A40-01.hl7', 'ADT-A40-02.hl7'], verdict: 'ours-right',
    reason: 'An A40 names the surviving patient in PID: we send that Patient with a replaces-identifier extension per MRG-1 identifier and the store retires the merged record; they send only a Linkage, so a receiver learns nothing about the survivor.',
  },
  {
    resource: 'Patient', field: 'identifier', kind: 'fewer', verdict: 'ours-right',
    reason: "We take the patient's identifiers from PID-3, the patient identifier list. They add PID-2 and PID-4 (withdrawn since v2.5 in favour of PID-3), US numbers (PID-19 SSN, PID-20 driving licence), the guarantor's (GT1), the insured's (IN1/IN2: Medicare, Medicaid, military) and DB1 disability ids — other people's or other purposes' numbers do not identify this patient.",
  },
  {
    resource: 'Patient', field: 'name', kind: 'differ', verdict: 'gap',
    reason: "Mostly ours-right: they add the guarantor's (GT1-3) and insured's (IN2) names to the patient, and XPN-15 (v2.7 'called by', a nickname) to the legal name's given names. GAP (segments/PID.yaml, ADT work): PID-9 (patient alias, 'elbert^Son') is not mapped; it could be a name with use old/usual.",
  },
  {
    resource: 'Patient', field: 'name', kind: 'fewer', files: ['ADT-A09-01.hl7', 'ADT-A09-02.hl7', 'ADT01-23.hl7'], verdict: 'gap',
    reason: "GAP (segments/PID.yaml, ADT work): PID-9 alias (SMITH^JOHN) is not mapped. In ADT01-23 their extra name '123121234A' is an identifier put in a name — ours is right there.",
  },
  {
    resource: 'Patient', field: 'address', kind: 'differ', verdict: 'gap',
    reason: "GAP (datatypes/XAD.yaml, ADT work): from '1000&Hospital Lane^Ste. 123' we keep only XAD-1.1 (1000) and lose XAD-1.2, the street name, when XAD-1.1 holds just a house number. Ours-right for the rest: their second address is the guarantor's (GT1-5), not the patient's.",
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'fewer', verdict: 'gap',
    reason: "GAP (segments/PID.yaml, ADT work): PID-40 (v2.7+ patient telecommunication information) is not mapped. Ours-right for the rest: their extra numbers are the guarantor's (GT1-6/7) and the insurer's.",
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'differ', files: ['ADT-A09-01.hl7', 'ADT-A09-02.hl7'], verdict: 'gap',
    reason: 'They lose the PID-13 home number (^PRN^PH^^^270^6009800, area code and number in XTN-6/7), which we read; they have PID-40, which we do not map yet (GAP, segments/PID.yaml).',
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'only-ours', files: ['ADT04-23.hl7'], verdict: 'ours-right',
    reason: "PID-13 '(555)555-0123^HOME^JP:1234567^^1^555^5550123' holds two numbers; they map neither, we read XTN-6/7.",
  },
  {
    resource: 'Patient', field: 'deceased', kind: 'only-theirs', files: ['ADT-A09-01.hl7', 'ADT-A09-02.hl7', 'ADT01-23.hl7', 'ADT04-23.hl7'], verdict: 'gap',
    reason: 'GAP (segments/PID.yaml, ADT work): PID-30 N (the patient is not deceased) is not mapped to deceasedBoolean false; only Y is.',
  },
  // ---- Encounter ----------------------------------------------------------------------------------------
  {
    resource: 'Encounter', field: '(resource)', kind: 'only-theirs', files: ['ADT01-28.hl7'], verdict: 'ours-right',
    reason: 'PV1 has neither a visit number (PV1-19) nor an admit time (PV1-44): nothing identifies the visit, so an Encounter made from it would be duplicated by every replay or update. We warn and make none.',
  },
  {
    resource: 'Encounter', field: 'identifier', kind: 'fewer', verdict: 'gap',
    reason: 'GAP (segments/PV1.yaml, ADT work): PV1-50 (alternate visit id) is not mapped. PV1-19, the visit number, agrees.',
  },
  {
    resource: 'Encounter', field: 'status', kind: 'differ',
    files: ['ADT-A04-01.hl7', 'ADT-A04-02.hl7', 'ADT04-23.hl7', 'ADT04-251.hl7', 'ADT04-28.hl7', 'ADT-A08-02.hl7', 'ADT-A28-02.hl7', 'ADT-A31-02.hl7'],
    verdict: 'ours-right',
    reason: "A04 registers a patient who is present but not yet seen: arrived (codesystems/event-encounter-status.yaml), not in-progress. A08, A28 and A31 say nothing of the visit's state: with an admit time (PV1-44) and no discharge we say in-progress (and for A08 the store keeps the status it holds); their 'planned' contradicts an admit time in the past.",
  },
  {
    resource: 'Encounter', field: 'type', kind: 'only-theirs', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: "PV1-4 '3' is not an admission type of table 0007: we warn and leave it out; they send a code with no system, which means nothing to a reader.",
  },
  {
    resource: 'Encounter', field: 'period.start', kind: 'only-theirs', files: ['ADT-A05-01.hl7', 'ADT-A14-01.hl7'], verdict: 'ours-right',
    reason: 'A pre-admit (A05) and a pending admit (A14) have no admit time (PV1-44): they put the expected admit date (PV2-8) in period.start, but a plan is not when the visit began.',
  },
  {
    resource: 'Encounter', field: 'period.end', kind: 'only-theirs', files: ['ADT-A04-01.hl7', 'ADT-A05-01.hl7', 'ADT-A11-01.hl7', 'ADT-A14-01.hl7'], verdict: 'ours-right',
    reason: 'No discharge time (PV1-45) was sent: they put the expected discharge date (PV2-9) in period.end, but an expected date is not when the visit ended.',
  },
  {
    resource: 'Encounter', field: 'period.end', kind: 'only-ours', files: ['ADT-A13-02.hl7'], verdict: 'gap',
    reason: 'GAP (segments/PV1.yaml or messages/ADT_A01.yaml for A13, ADT work): an A13 cancels the discharge, but we still copy PV1-45 into period.end (and the location status completed) while the status says in-progress. They are right to leave it out.',
  },
  {
    resource: 'Encounter', field: 'participant', kind: 'fewer', verdict: 'gap',
    reason: 'GAP (segments/PV1.yaml, PV2, ADT work): PV1-52 (other healthcare provider) and PV2-13 (referral source) are not mapped. PV1-7/8/9/17 agree.',
  },
  {
    resource: 'Encounter', field: 'location', kind: 'differ', verdict: 'gap',
    reason: "Partly modelling: we make one Location per bed, named 'ward, room, bed' (PV1-3.1-3), where they name the point of care and chain room and bed by partOf. GAP (segments/PV1.yaml, ADT work): PV1-11 (temporary location), PV1-42 (pending location) and PV1-43 (prior temporary location) are not mapped; PV2-1 and PDA-2 likewise.",
  },
  {
    resource: 'Encounter', field: 'admitSource', kind: 'only-theirs', verdict: 'ours-right',
    reason: "PV1-14 'NHS Provider-General (inc.A&E-this Hosp)' is not an admit source of table 0023: we warn and leave it out; they send it as a code with no system.",
  },
  {
    resource: 'Encounter', field: 'admitSource', kind: 'differ', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: "PV1-14 '1' is table 0023 'physician referral', which is FHIR admit-source gp; they copy the bare v2 code with no system.",
  },
  {
    resource: 'Encounter', field: 'dischargeDisposition', kind: 'only-theirs', verdict: 'ours-right',
    reason: "PV1-36 'Admitted as Inpatient' is not a disposition of table 0112: we warn and leave it out; they make up a local system for it.",
  },
  // ---- AllergyIntolerance (AL1, IAM) -----------------------------------------------------------------------
  {
    resource: 'AllergyIntolerance', field: 'code', kind: 'differ', verdict: 'ours-right',
    reason: 'AL1-3 coding system ICDO is ICD-O-3, whose FHIR system is http://terminology.hl7.org/CodeSystem/icd-o-3 (HL7 terminology); theirs, .../icd-o, is not a registered system.',
  },
  {
    resource: 'AllergyIntolerance', field: 'code', kind: 'fewer', files: ['ADT-A60-01.hl7', 'ADT-A60-02.hl7'], verdict: 'ours-right',
    reason: "They add IAM-27 (v2.8 'clinician identified code': 91935009 Allergy to peanuts, a disorder) as a coding of the allergen. A coding must mean the same as the others in its CodeableConcept; the allergen (IAM-3) is a substance, the disorder is not.",
  },
  {
    resource: 'AllergyIntolerance', field: 'onset', kind: 'only-ours', verdict: 'ours-right',
    reason: 'AL1-6 is the date the allergy was identified; FHIR defines AllergyIntolerance.onset as exactly that ("when allergy or intolerance was identified"). They put it in reaction.onset, the start of one reaction, which AL1 does not give.',
  },
  {
    resource: 'AllergyIntolerance', field: 'reaction.onset', kind: 'only-theirs', verdict: 'ours-right',
    reason: 'See onset: AL1-6 identifies the allergy, it does not time a reaction.',
  },
  {
    resource: 'AllergyIntolerance', field: 'reaction.severity', kind: 'only-ours', verdict: 'ours-right',
    reason: 'AL1-4 (table 0128: severe, moderate, mild) grades the reaction given in AL1-5 of the same segment, so reaction.severity carries it as well as criticality; they drop it from the reaction.',
  },
  {
    resource: 'AllergyIntolerance', field: 'reaction.manifestation', kind: 'only-theirs', files: ['ADT-A60-01.hl7'], verdict: 'gap',
    reason: 'GAP (segments/IAM.yaml): the IAR segment (allergy reaction, v2.8) that follows the IAM is not mapped (it is in the unmapped report); the language cannot yet tie a segment to the IAM it follows.',
  },
  {
    resource: 'AllergyIntolerance', field: 'reaction.severity', kind: 'only-theirs', files: ['ADT-A60-01.hl7'], verdict: 'gap',
    reason: 'GAP (segments/IAM.yaml): IAR-2 (reaction severity, v2.8) is not mapped, see reaction.manifestation.',
  },
  // ---- Condition (DG1) -----------------------------------------------------------------------------------
  {
    resource: 'Condition', field: '(resource)', kind: 'only-theirs', pairs: ['Condition'], verdict: 'ours-right',
    reason: "They make a Condition with no code from DG1-22 (parent diagnosis '^^1.3.6.1.4.1.44750.1.2.2^CLIP', an identifier without a value), pointed at by condition-dueTo. It names no diagnosis.",
  },
  {
    resource: 'Condition', field: '(resource)', kind: 'only-theirs', pairs: ['I21'], verdict: 'gap',
    reason: 'GAP (no PDA mapping yet): PDA-1 (cause of death, I21 acute myocardial infarction) becomes a Condition there; PDA is in our unmapped report.',
  },
  {
    resource: 'Condition', field: 'code', kind: 'differ', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: 'ICD-9 (table 0396 I9) has the FHIR system http://hl7.org/fhir/sid/icd-9-cm; http://hl7.org/fhir/sid/icd-9 is not a FHIR-defined system.',
  },
  {
    resource: 'Condition', field: 'category', kind: 'only-ours', verdict: 'ours-right',
    reason: 'A DG1 in a visit message is a diagnosis of that visit: category encounter-diagnosis (FHIR condition-category), plus the v2 diagnosis type (DG1-6, table 0052). They give no category, so a reader cannot tell a visit diagnosis from a problem-list entry.',
  },
  {
    resource: 'Condition', field: 'recordedDate', kind: 'only-ours', verdict: 'ours-right',
    reason: 'DG1-19 (attestation date/time) is when the diagnosis was recorded as attested: R4 has recordedDate for it; they use the condition-assertedDate extension instead.',
  },
  {
    resource: 'Condition', field: 'encounter', kind: 'only-ours', verdict: 'ours-right',
    reason: 'Condition.encounter is the R4 element for "the visit this diagnosis was made in"; they link only the other way (Encounter.diagnosis), which makes every diagnosis an edit of the Encounter.',
  },
  // ---- Procedure (PR1) -----------------------------------------------------------------------------------
  {
    resource: 'Procedure', field: '(resource)', kind: 'only-theirs', pairs: ['Procedure'], verdict: 'ours-right',
    reason: 'They make a Procedure with no code, only the identifier in PR1-25 (parent procedure id), as partOf. It names no procedure.',
  },
  {
    resource: 'Procedure', field: '(resource)', kind: 'only-theirs', pairs: PDA_PROCEDURES, verdict: 'gap',
    reason: 'GAP (no PDA mapping yet): PDA death certification and autopsy become Procedures there; PDA is in our unmapped report.',
  },
  {
    resource: 'Procedure', field: 'status', kind: 'differ', verdict: 'ours-right',
    reason: 'PR1 records procedures performed (HL7 v2.5 chapter 6), so the status is completed (entered-in-error when PR1-20 deletes it); their unknown discards what the segment says.',
  },
  {
    resource: 'Procedure', field: 'category', kind: 'differ', verdict: 'ours-right',
    reason: 'PR1-6 is table 0230, whose FHIR system is http://terminology.hl7.org/CodeSystem/v2-0230; they make up a local system (.../CodeSystem/HL70230) for a published table.',
  },
  {
    resource: 'Procedure', field: 'performer.function', kind: 'differ', verdict: 'ours-right',
    reason: 'Surgeon (PR1-11) and anaesthetist (PR1-8) are SNOMED CT occupations 304292004 and 158970007, a code system any reader knows; theirs are made-up local codes. The procedure practitioner (PR1-12) has no role of its own, so we give none.',
  },
  {
    resource: 'Procedure', field: 'encounter', kind: 'only-ours', verdict: 'ours-right',
    reason: 'A PR1 in a visit message was performed in that visit: Procedure.encounter says so; they leave the Procedure unlinked.',
  },
];
