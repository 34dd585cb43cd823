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

/** Their PDA Procedures (made-up local codes) and ours (SNOMED CT death certification and autopsy examination). */
const PDA_PROCEDURES = ['DEATH-CERTIFICATION', 'AUTOPSY-PERFORMED'];
const OUR_PDA_PROCEDURES = ['308646001', '29240004'];
/** The corpus messages with a PDA segment (all six carry the same one). */
const PDA_FILES = ['ADT-A01-01.hl7', 'ADT-A02-01.hl7', 'ADT-A03-01.hl7', 'ADT-A04-01.hl7', 'ADT-A08-01.hl7', 'ADT-A13-01.hl7'];

export const EXPECTED_DIFFERENCES: readonly Explanation[] = [
  // ---- Patient ------------------------------------------------------------------------------------------
  {
    resource: 'Patient', field: '(resource)', kind: 'only-ours', files: ['ADT-A40-01.hl7', 'ADT-A40-02.hl7'], verdict: 'ours-right',
    reason: 'An A40 names the surviving patient in PID: we send that Patient with a replaces-identifier extension per MRG-1 identifier and the store retires the merged record; they send only a Linkage, so a receiver learns nothing about the survivor.',
  },
  {
    resource: 'Patient', field: '(resource)', kind: 'only-ours', files: ['ADT-A41-01.hl7', 'ADT-A41-02.hl7', 'ADT-A45-01.hl7', 'ADT-A45-02.hl7', 'ADT-A47-01.hl7', 'ADT-A47-02.hl7'], verdict: 'ours-right',
    reason: "They make no Patient for A41, A45 or A47 (a Linkage, or nothing). PID is the patient each is about (v2.5 3.3.41/45/47): A47 gives the right identifiers (PID-3) and we keep MRG-1's as use old; A41 and A45 keep the patient's record current, and A45's moved visit must point at someone. The -02 messages repeat the PID/MRG group; we map the first group only (README: `once`), see the A45-02 Encounter entry.",
  },
  {
    resource: 'Patient', field: 'identifier', kind: 'fewer', verdict: 'ours-right',
    reason: "We take the patient's identifiers from PID-3, the patient identifier list. They add PID-2 and PID-4 (withdrawn since v2.5 in favour of PID-3), US numbers (PID-19 SSN, PID-20 driving licence), the guarantor's (GT1), the insured's (IN1/IN2: Medicare, Medicaid, military) and DB1 disability ids — other people's or other purposes' numbers do not identify this patient.",
  },
  {
    resource: 'Patient', field: 'name', kind: 'differ', verdict: 'ours-right',
    reason: "PID-5 and the PID-9 alias agree. They add the guarantor's (GT1-3) and the insured's (IN2-7 'JACK') names to the patient, and put XPN-15 (v2.7 'called by', 'Addsm') among the legal name's given names: a name someone is called by is not one of their given names (FHIR HumanName.given), and other people's names are not the patient's.",
  },
  {
    resource: 'Patient', field: 'name', kind: 'fewer', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: "Their extra name '123121234A' is IN2-7 (Medicaid case name) holding a number: an identifier put in a name field, and the insured's at that.",
  },
  {
    resource: 'Patient', field: 'address', kind: 'differ', verdict: 'ours-right',
    reason: "The street agrees ('1000&Hospital Lane' → '1000 Hospital Lane', datatypes/XAD.yaml). They add XAD-19 ('Near Highway', v2.7+ addressee: to whom post is addressed) as an address line; FHIR Address.line is the street part of where the patient is, not a name. Their second address (ADT-A01-01) is the guarantor's (GT1-5), not the patient's.",
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'fewer', files: ['ADT-A01-01.hl7'], verdict: 'ours-right',
    reason: "PID-13, PID-14 and PID-40 agree. Their extra numbers (8484, 717171, 021212) are the guarantor's (GT1-6 home, GT1-7 business phone), not the patient's.",
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'more', files: ['ADT-A06-01.hl7', 'ADT-A06-02.hl7', 'ADT-A07-01.hl7', 'ADT-A07-02.hl7', 'ADT-A09-01.hl7', 'ADT-A09-02.hl7', 'ADT-A10-01.hl7', 'ADT-A10-02.hl7'],
    verdict: 'ours-right',
    reason: 'PID-40 agrees. They lose the PID-13 home number (^PRN^PH^^^270^6009800: area code and local number in XTN-6/7, the v2.5 form), which we read.',
  },
  {
    resource: 'Patient', field: 'telecom', kind: 'only-ours', files: ['ADT04-23.hl7'], verdict: 'ours-right',
    reason: "PID-13 '(555)555-0123^HOME^JP:1234567^^1^555^5550123' holds two numbers; they map neither, we read XTN-6/7.",
  },
  {
    resource: 'Patient', field: 'deceased', kind: 'only-theirs', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: "PID-30 'NO' is not a code of HL7 table 0136 (Y / N). Y and N map (deceasedBoolean true / false); an unknown code leaves the element out rather than guess.",
  },
  // ---- Encounter ----------------------------------------------------------------------------------------
  {
    resource: 'Encounter', field: '(resource)', kind: 'only-theirs', files: ['ADT01-28.hl7'], verdict: 'ours-right',
    reason: 'PV1 has neither a visit number (PV1-19) nor an admit time (PV1-44): nothing identifies the visit, so an Encounter made from it would be duplicated by every replay or update. We warn and make none.',
  },
  {
    resource: 'Encounter', field: '(resource)', kind: 'only-theirs', files: ['ADT-A45-02.hl7'], verdict: 'gap',
    reason: 'GAP (messages/ADT_A45.yaml, ADT_A39.yaml, ADT_A30.yaml; needs segment groups in the mapping language): a message with several PID/MRG groups (A45-02 moves two visits, 5001 and 5010; A40-02, A41-02, A47-02 have two patients) is mapped for its first group only, with a warning naming the entry. They map the second visit too.',
  },
  {
    resource: 'Encounter', field: '(resource)', kind: 'only-ours', files: ['ADT-A41-01.hl7', 'ADT-A41-02.hl7'], verdict: 'ours-right',
    reason: "An A41 group may carry the patient's PV1 (v2.5 ADT_A39: PID [PD1] MRG [PV1]): we record that visit (the status the store holds is kept, messages/ADT_A39.yaml); they drop it.",
  },
  {
    resource: 'Encounter', field: 'subject', kind: 'only-ours', files: ['ADT-A45-01.hl7', 'ADT-A45-02.hl7'], verdict: 'ours-right',
    reason: "A45 moves the visit to the patient in PID (v2.5 3.3.45): our Encounter.subject is that Patient. Theirs has no subject (and they send no Patient), so a reader cannot tell whose visit it now is. ('another' only because their side has no Patient to pair with.)",
  },
  {
    resource: 'Encounter', field: 'status', kind: 'differ',
    files: ['ADT-A04-01.hl7', 'ADT-A04-02.hl7', 'ADT04-23.hl7', 'ADT04-251.hl7', 'ADT04-28.hl7', 'ADT-A08-02.hl7', 'ADT-A28-02.hl7', 'ADT-A29-01.hl7', 'ADT-A29-02.hl7', 'ADT-A31-02.hl7'],
    verdict: 'ours-right',
    reason: "A04 registers a patient who is present but not yet seen: arrived (codesystems/event-encounter-status.yaml), not in-progress. A08, A28, A29 and A31 say nothing of the visit's state: with an admit time (PV1-44) and no discharge we say in-progress (and for A08 and A29 the store keeps the status it holds); their 'planned' contradicts an admit time in the past.",
  },
  {
    resource: 'Encounter', field: 'type', kind: 'only-theirs', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: "PV1-4 '3' is not an admission type of table 0007: we warn and leave it out; they send a code with no system, which means nothing to a reader.",
  },
  {
    resource: 'Encounter', field: 'period.start', kind: 'only-theirs', files: ['ADT-A05-01.hl7', 'ADT-A14-01.hl7'], verdict: 'ours-right',
    reason: 'A pre-admit (A05) and a pending admit (A14) have no admit time (PV1-44): they put the expected admit date (PV2-8) in period.start, but a plan is not when the visit began. We send it as the plannedStartDate extension.',
  },
  {
    resource: 'Encounter', field: 'period.start', kind: 'differ', files: ['ADT-A27-01.hl7'], verdict: 'ours-right',
    reason: 'period.start is PV1-44, the admit time (11:34:20+01:10); they take PV2-8, the expected admit date (11:34:19), over it. What happened wins over what was planned.',
  },
  {
    resource: 'Encounter', field: 'period.end', kind: 'only-theirs', files: ['ADT-A04-01.hl7', 'ADT-A05-01.hl7', 'ADT-A11-01.hl7', 'ADT-A14-01.hl7', 'ADT-A16-01.hl7', 'ADT-A16-02.hl7', 'ADT-A27-01.hl7'], verdict: 'ours-right',
    reason: 'No discharge time (PV1-45) was sent: they put the expected discharge date (PV2-9) in period.end — for a pending discharge (A16) too — but an expected date is not when the visit ended. We send it as the plannedEndDate extension.',
  },
  {
    resource: 'Encounter', field: 'participant', kind: 'more',
    files: ['ADT-A01-01.hl7', 'ADT-A02-01.hl7', 'ADT-A03-01.hl7', 'ADT-A04-01.hl7', 'ADT-A05-01.hl7', 'ADT-A06-01.hl7', 'ADT-A07-01.hl7', 'ADT-A08-01.hl7', 'ADT-A13-01.hl7', 'ADT-A14-01.hl7', 'ADT-A15-01.hl7', 'ADT-A16-01.hl7', 'ADT-A28-01.hl7', 'ADT-A31-01.hl7'],
    verdict: 'ours-right',
    reason: "PV1-7/8/9/17/52 and PV2-13 agree. We add the ROL segments (segments/ROL.yaml): the visit group's ROL (after PV2: 12377H87, primary care provider) is a participant of the visit (v2-to-FHIR ROL[Encounter]), which they drop. The ROL after PR1 (121) belongs to the PROCEDURE group and is that Procedure's performer, not the visit's (group: [ROL] in messages/clinical-procedures.yaml).",
  },
  {
    resource: 'Encounter', field: 'location', kind: 'fewer',
    files: ['ADT-A04-02.hl7', 'ADT-A05-01.hl7', 'ADT-A05-02.hl7', 'ADT-A06-01.hl7', 'ADT-A09-01.hl7', 'ADT-A10-01.hl7', 'ADT-A11-01.hl7', 'ADT-A11-02.hl7', 'ADT-A13-02.hl7', 'ADT-A14-01.hl7', 'ADT-A14-02.hl7', 'ADT-A15-01.hl7', 'ADT-A16-01.hl7', 'ADT-A16-02.hl7', 'ADT-A25-01.hl7', 'ADT-A25-02.hl7', 'ADT-A27-01.hl7', 'ADT-A27-02.hl7', 'ADT-A28-01.hl7', 'ADT-A29-01.hl7', 'ADT-A31-01.hl7', 'ADT-A60-01.hl7', 'ADT-A01-01.hl7', 'ADT-A02-01.hl7', 'ADT-A03-01.hl7', 'ADT-A04-01.hl7', 'ADT-A08-01.hl7', 'ADT-A13-01.hl7'],
    verdict: 'ours-right',
    reason: "PV1-3, PV1-6, PV1-11, PV1-42 and PV1-43 agree. They add PV2-1 (prior pending location: v2.5 requires it on A26, cancel pending transfer) as a planned location; it is the destination of a transfer that is no longer pending, where the patient is not going, so we leave it out. (PDA-2, the place of death, agrees: segments/PDA.yaml adds it to the visit.)",
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
    reason: "PV1-36 'Admitted as Inpatient' is not a disposition of table 0112: we warn and leave it out; they make up a local system for it. (On A13 and A25 a disposition is the cancelled discharge's, so we leave it out anyway.)",
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
  // ---- Condition (DG1) -----------------------------------------------------------------------------------
  {
    resource: 'Condition', field: '(resource)', kind: 'only-theirs', pairs: ['Condition'], verdict: 'ours-right',
    reason: "They make a Condition with no code from DG1-22 (parent diagnosis '^^1.3.6.1.4.1.44750.1.2.2^CLIP', an identifier without a value), pointed at by condition-dueTo. It names no diagnosis.",
  },
  {
    resource: 'Condition', field: 'code', kind: 'differ', files: ['ADT01-23.hl7'], verdict: 'ours-right',
    reason: 'ICD-9 (table 0396 I9) has the FHIR system http://hl7.org/fhir/sid/icd-9-cm; http://hl7.org/fhir/sid/icd-9 is not a FHIR-defined system.',
  },
  {
    resource: 'Condition', field: 'category', kind: 'only-ours', verdict: 'ours-right',
    reason: "A DG1 in a visit message is a diagnosis of that visit: category encounter-diagnosis (FHIR condition-category), plus the v2 diagnosis type (DG1-6, table 0052). They give no category, so a reader cannot tell a visit diagnosis from a problem-list entry. A cause of death (PDA-1, I21) is encounter-diagnosis too, plus SNOMED CT 184305005 |Cause of death|, so that it can be told from the visit's other diagnoses.",
  },
  {
    resource: 'Condition', field: 'verificationStatus', kind: 'only-ours', files: PDA_FILES, pairs: ['I21'], verdict: 'ours-right',
    reason: 'PDA-3 Y: the death, and so its cause (PDA-1), is certified; a certified cause of death is confirmed. They drop PDA-3 from the Condition.',
  },
  {
    resource: 'Condition', field: 'asserter', kind: 'only-ours', files: PDA_FILES, pairs: ['I21'], verdict: 'ours-right',
    reason: 'PDA-5 (death certified by, 005454) is who states the cause of death on the certificate: Condition.asserter. They leave the cause of death unattributed.',
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
    resource: 'Procedure', field: '(resource)', kind: 'only-theirs', files: PDA_FILES, pairs: PDA_PROCEDURES, verdict: 'ours-right',
    reason: "PDA death certification (PDA-3 to PDA-5) and autopsy (PDA-6 to PDA-8) are Procedures on both sides, with the same status, times and performers; theirs are coded death-certification and autopsy-performed in a made-up local system, which no reader knows, so the pairs do not meet. See the only-ours entry.",
  },
  {
    resource: 'Procedure', field: '(resource)', kind: 'only-ours', files: PDA_FILES, pairs: OUR_PDA_PROCEDURES, verdict: 'ours-right',
    reason: 'The same two Procedures coded in SNOMED CT: 308646001 |Death certification| (the code the HL7 vital records IGs use) and 29240004 |Autopsy examination| (segments/PDA.yaml).',
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
    resource: 'Procedure', field: 'performer', kind: 'more',
    files: ['ADT-A01-01.hl7', 'ADT-A03-01.hl7', 'ADT-A04-01.hl7', 'ADT-A05-01.hl7', 'ADT-A06-01.hl7', 'ADT-A07-01.hl7', 'ADT-A08-01.hl7', 'ADT-A13-01.hl7', 'ADT-A14-01.hl7', 'ADT-A16-01.hl7', 'ADT-A28-01.hl7', 'ADT-A31-01.hl7'],
    verdict: 'ours-right',
    reason: "The ROL after PR1 (121, ROL-3 PP) is in the v2.5 PROCEDURE group (PR1 {ROL}): a person with a role in that procedure, so we add a performer (function from ROL-3, segments/PR1.yaml ProcedureRolePerformer); they drop the ROL.",
  },
  {
    resource: 'Procedure', field: 'encounter', kind: 'only-ours', verdict: 'ours-right',
    reason: 'A PR1 in a visit message was performed in that visit: Procedure.encounter says so; they leave the Procedure unlinked.',
  },
];
