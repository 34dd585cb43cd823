/**
 * A run of messages applied together in memory: every resource they touch read at once (more only when the
 * MPI moves a Patient to a record not read yet), each message resolved and decided in order against what the
 * earlier ones left (so per-patient order and the event-order rule hold exactly as one at a time), then all
 * written by {@link flushBatch}. A message that merges records, or whose bundle names a resource twice, is left
 * to the one-message path: `apply` returns undefined and records nothing for it.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { bundleWrites } from './apply-bundle.js';
import { inBundleOrder, isoOrNull, toCanonical } from './apply-message.js';
import { flushBatch, type ChangedResource, type LoggedMessage } from './batch-flush.js';
import { IdentityView, type BatchPatient } from './mpi-batch.js';
import { buildProvenance, provenanceId } from './provenance.js';
import type { SqlExecutor } from './sql.js';
import type { ApplyInput, ApplyResult } from './types.js';
import {
  decide,
  maxTime,
  readHeld,
  rowKey,
  versionRef,
  type HeldRow,
  type PendingEventTime,
  type Staged,
  type WriteRequest,
  type WriteScope,
} from './write-resource.js';
import type { RowWrite } from './write-rows.js';

interface KeyState {
  /** as read; undefined: not stored */
  readonly read: HeldRow | undefined;
  /** as the batch has it now */
  current: HeldRow | undefined;
  versions: { row: RowWrite; messageId: string }[];
  eventTime: number | null;
}

export class BatchSegment {
  private readonly keys = new Map<string, KeyState>();
  private readonly messages: LoggedMessage[] = [];

  private constructor(
    private readonly tx: SqlExecutor,
    private readonly now: () => Date,
    private readonly pendingEventTimes: Map<string, PendingEventTime>,
    private readonly identity: IdentityView,
  ) {}

  /** Read the MPI and the current rows for these messages (the rest of the batch), two statements. */
  static async open(
    tx: SqlExecutor,
    now: () => Date,
    pendingEventTimes: Map<string, PendingEventTime>,
    inputs: readonly ApplyInput[],
  ): Promise<BatchSegment> {
    const identity = await IdentityView.load(tx, inputs.flatMap((i) => patientsOf(i.bundle)));
    const segment = new BatchSegment(tx, now, pendingEventTimes, identity);
    const keys: { resourceType: string; id: string }[] = [];
    for (const input of inputs) {
      for (const entry of input.bundle.entry ?? []) {
        const r = entry.resource;
        if (r?.resourceType && r.id) keys.push({ resourceType: r.resourceType, id: r.id });
      }
      keys.push({ resourceType: 'Provenance', id: provenanceId(input.source.sender, input.source.controlId) });
    }
    await segment.ensureRead(keys);
    return segment;
  }

  /** Apply one message in memory; undefined when it must take the one-message path (nothing recorded then). */
  async apply(input: ApplyInput, messageId: string): Promise<ApplyResult | undefined> {
    const resolutions = this.identity.resolve(patientsOf(input.bundle));
    if (resolutions === undefined) return undefined;
    const eventTime = isoOrNull(input.source.eventTime);
    const resolved = toCanonical(input, resolutions);
    const survivors = new Map(resolutions.map((r) => [r.canonicalId, r.extras]));
    const writes = bundleWrites(resolved, eventTime, survivors);
    const provenanceKey = { resourceType: 'Provenance', id: provenanceId(input.source.sender, input.source.controlId) };
    const requests = [...writes.map((w) => w.request), provenanceKey];
    if (new Set(requests.map((r) => rowKey(r.resourceType, r.id))).size !== requests.length) return undefined;
    await this.ensureRead(requests);

    const scope: WriteScope = { tx: this.tx, messageId, now: this.now, pendingEventTimes: this.pendingEventTimes };
    const staged = writes.map((w) => decide(scope, w.request, this.held(w.request)));
    staged.forEach((s) => this.record(s, messageId));
    const written = inBundleOrder(writes, staged.map((s) => s.version));
    const versions = written.map(versionRef);

    const occurred = eventTime === null ? null : (input.source.eventTime ?? null);
    const provenance = buildProvenance(input.source, resolved.bundle, versions, this.now().toISOString(), occurred);
    const request: WriteRequest = { ...provenanceKey, eventTime, next: () => provenance };
    const provenanceStaged = decide(scope, request, this.held(request));
    this.record(provenanceStaged, messageId);

    for (const version of written) if (version.resourceType === 'Patient') this.identity.index(version.content as BatchPatient);
    this.messages.push({ id: messageId, input, versions });
    return { status: 'applied', messageId, versions, provenance: versionRef(provenanceStaged.version) };
  }

  /** Write what the segment decided (see batch-flush.ts). */
  async flush(): Promise<void> {
    const changed: ChangedResource[] = [];
    for (const state of this.keys.values()) {
      if (state.versions.length > 0) changed.push({ read: state.read, versions: state.versions, eventTime: state.eventTime });
    }
    // (type, id) order, so concurrent batches lock and insert in one order
    changed.sort((a, b) => compareKey(a.versions[0]?.row as RowWrite, b.versions[0]?.row as RowWrite));
    await flushBatch(this.tx, { changed, identifiers: this.identity.takeIndexed(), messages: this.messages.splice(0) });
  }

  private held(key: { resourceType: string; id: string }): HeldRow | undefined {
    return this.keys.get(rowKey(key.resourceType, key.id))?.current;
  }

  private record(staged: Staged, messageId: string): void {
    const { row } = staged;
    if (row === undefined) return;
    const key = rowKey(row.resourceType, row.id);
    const state = this.keys.get(key) as KeyState;
    const eventTime = maxTime(row.eventTime === null ? null : Date.parse(row.eventTime), state.current?.eventTime ?? null);
    state.current = { versionId: row.versionId, content: row.content, eventTime };
    state.versions.push({ row, messageId });
    state.eventTime = maxTime(state.eventTime, eventTime);
    // the written row carries the pending move (decide folded it in)
    this.pendingEventTimes.delete(key);
  }

  private async ensureRead(keys: readonly { resourceType: string; id: string }[]): Promise<void> {
    const missing = new Map<string, { resourceType: string; id: string }>();
    for (const k of keys) {
      const key = rowKey(k.resourceType, k.id);
      if (!this.keys.has(key)) missing.set(key, { resourceType: k.resourceType, id: k.id });
    }
    if (missing.size === 0) return;
    const read = await readHeld(this.tx, [...missing.values()]);
    for (const key of missing.keys()) {
      const row = read.get(key);
      this.keys.set(key, { read: row, current: row, versions: [], eventTime: row?.eventTime ?? null });
    }
  }
}

function patientsOf(bundle: Bundle): BatchPatient[] {
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((r): r is BatchPatient => r?.resourceType === 'Patient' && typeof r.id === 'string');
}

function compareKey(a: { resourceType: string; id: string }, b: { resourceType: string; id: string }): number {
  if (a.resourceType !== b.resourceType) return a.resourceType < b.resourceType ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
