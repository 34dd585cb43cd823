/**
 * The master patient index as a batch of messages sees it: what `person_identifier` held when the batch read it
 * (one statement for every Patient of the batch), plus what the batch's earlier messages indexed since. Each
 * message resolves against this view exactly as {@link resolvePatients} would against the table after the
 * earlier messages had committed (rules in mpi.ts); the identifiers the batch indexes are written at its flush.
 *
 * A resolution that merges records (A40, or two records joined by one message) is not made here: the batch
 * hands that message to the one-message path, which reads the table itself.
 */
import type { Patient } from '@medplum/fhirtypes';
import { keyedIdentifiers, NHS_NUMBER_SYSTEM, replacedIdentifiers } from './patient-content.js';
import { key, ownersOf, resolveOne, type KeyedIdentifier, type PatientResolution } from './mpi.js';
import type { SqlExecutor } from './sql.js';

export type BatchPatient = Patient & { id: string };

export class IdentityView {
  /** identifiers the batch indexed that the view knew nobody held: each must be inserted (else a race) */
  private readonly claimed: IndexedIdentifier[] = [];
  /** identifiers of written Patients the view was not asked about (held ones, mostly indexed already) */
  private readonly unasked: IndexedIdentifier[] = [];
  private readonly pushed = new Set<string>();

  private constructor(
    /** `system|value` of every identifier the view was asked about: only these are known held or free */
    private readonly asked: ReadonlySet<string>,
    private readonly owners: Map<string, string>,
    private readonly nhsOf: Map<string, Set<string>>,
  ) {}

  /** Read the index for these Patients: the owners of their identifiers, and the NHS numbers of every candidate. */
  static async load(tx: SqlExecutor, patients: readonly BatchPatient[]): Promise<IdentityView> {
    const asked = new Map<string, KeyedIdentifier>();
    for (const p of patients) {
      for (const i of [...keyedIdentifiers(p.identifier), ...keyedIdentifiers(replacedIdentifiers(p.extension))]) asked.set(key(i), i);
    }
    const mappedIds = [...new Set(patients.map((p) => p.id))];
    const { owners, nhsOf } = await ownersOf(tx, [...asked.values()], mappedIds);
    return new IdentityView(new Set(asked.keys()), owners, nhsOf);
  }

  /**
   * The canonical record of each Patient of one message (bundle order), or undefined when one of them merges
   * records: that message must take the one-message path.
   */
  resolve(patients: readonly BatchPatient[]): PatientResolution[] | undefined {
    const resolutions: PatientResolution[] = [];
    for (const patient of patients) {
      const { canonicalId, retire, unresolved } = resolveOne(patient, this.owners, this.nhsOf);
      if (retire.length > 0) return undefined;
      resolutions.push({
        mappedId: patient.id,
        canonicalId,
        retire: [],
        extras: { identifiers: unresolved.map((i) => ({ use: 'old' as const, system: i.system, value: i.value })), links: [] },
      });
    }
    return resolutions;
  }

  /**
   * A canonical Patient as now written: its identifiers nobody holds yet resolve to it from now on. As in
   * {@link indexPatient}, an identifier held by another record keeps resolving there.
   */
  index(patient: BatchPatient): void {
    for (const identifier of keyedIdentifiers(patient.identifier)) {
      const k = key(identifier);
      if (this.owners.has(k) || this.pushed.has(k)) continue;
      this.pushed.add(k);
      if (!this.asked.has(k)) {
        this.unasked.push({ ...identifier, patientId: patient.id });
        continue;
      }
      this.owners.set(k, patient.id);
      if (identifier.system === NHS_NUMBER_SYSTEM) {
        const set = this.nhsOf.get(patient.id) ?? new Set<string>();
        set.add(identifier.value);
        this.nhsOf.set(patient.id, set);
      }
      this.claimed.push({ ...identifier, patientId: patient.id });
    }
  }

  /** the identifiers to insert, and forget them (they are being written) */
  takeIndexed(): { claimed: IndexedIdentifier[]; unasked: IndexedIdentifier[] } {
    return { claimed: this.claimed.splice(0), unasked: this.unasked.splice(0) };
  }
}

export type IndexedIdentifier = KeyedIdentifier & { readonly patientId: string };
