import { StoreError } from './errors.js';
import { sameContent } from './resource-content.js';
import type { SqlExecutor } from './sql.js';
import type { ResourceVersionRef } from './types.js';
import { writeRows, type RowWrite, type StoredResource } from './write-rows.js';

export type { StoredResource };

/** What every write of one transaction shares. */
export interface WriteScope {
  readonly tx: SqlExecutor;
  readonly messageId: string;
  readonly now: () => Date;
  /**
   * Event-time moves of resources whose content did not change, kept until the transaction ends
   * ({@link flushEventTimes}), so rows many messages re-send unchanged (a hospital's Organization) are locked
   * only for the last statement before COMMIT. Shared by every message of one transaction.
   */
  readonly pendingEventTimes: Map<string, PendingEventTime>;
}

export interface PendingEventTime {
  readonly resourceType: string;
  readonly id: string;
  /** the version the move was decided on; another version means someone changed it since: retry */
  readonly versionId: number;
  /** epoch milliseconds */
  readonly eventTime: number;
}

/**
 * The content of the next version, from the held one (undefined when the resource is new). `heldIsNewer`:
 * the held version was set by a message with a later event time than this write's.
 */
export type NextContent = (held: StoredResource | undefined, heldIsNewer: boolean) => StoredResource;

export interface WriteRequest {
  readonly resourceType: string;
  readonly id: string;
  /** ISO, or null when unknown or when this write must not move the resource's event time */
  readonly eventTime: string | null;
  readonly next: NextContent;
}

export interface WrittenVersion extends ResourceVersionRef {
  /** the current content after the write */
  readonly content: StoredResource;
}

/** A resource's current row as read. */
export interface HeldRow {
  readonly versionId: number;
  readonly content: StoredResource;
  /** epoch milliseconds, null when unknown */
  readonly eventTime: number | null;
}

/** A concurrent transaction changed a row this one read, or created one it meant to create: retry. */
export const WRITE_RACE = 'write-race';

export function rowKey(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}

/** The current rows of these resources, read without locking; absent keys are not stored. */
export async function readHeld(
  tx: SqlExecutor,
  keys: readonly { resourceType: string; id: string }[],
  lock = false,
): Promise<Map<string, HeldRow>> {
  const held = new Map<string, HeldRow>();
  if (keys.length === 0) return held;
  const { rows } = await tx.query<{ resource_type: string; id: string; version_id: number; content: StoredResource; event_ms: number | null }>(
    `SELECT r.resource_type, r.id, r.version_id, r.content,
            (extract(epoch FROM r.event_time) * 1000)::float8 AS event_ms
       FROM resources r JOIN unnest($1::text[], $2::text[]) AS k(resource_type, id)
         ON r.resource_type = k.resource_type AND r.id = k.id
      ${lock ? 'ORDER BY r.resource_type, r.id FOR UPDATE OF r' : ''}`,
    [keys.map((k) => k.resourceType), keys.map((k) => k.id)],
  );
  for (const row of rows) {
    held.set(rowKey(row.resource_type, row.id), {
      versionId: Number(row.version_id),
      content: row.content,
      eventTime: row.event_ms === null ? null : Number(row.event_ms),
    });
  }
  return held;
}

/** What staging decided for one request; `row` is set when a version must be written. */
export interface Staged {
  readonly version: WrittenVersion;
  readonly row?: RowWrite;
}

/**
 * Compute the next version of each resource (distinct keys) from rows read beforehand without locks; rows whose
 * content changes are then locked (in (type, id) order) and recomputed from what they hold now. Unchanged
 * resources are not locked or written; an event-time move is kept in the scope until the transaction ends.
 * Returns the versions in request order and the rows to write with {@link writeStaged}.
 */
export async function stageWrites(
  scope: WriteScope,
  requests: readonly WriteRequest[],
  read: ReadonlyMap<string, HeldRow>,
): Promise<{ versions: WrittenVersion[]; rows: RowWrite[] }> {
  let staged = requests.map((request) => decide(scope, request, read.get(rowKey(request.resourceType, request.id))));
  const toLock = requests.filter((r, i) => staged[i]?.row !== undefined && staged[i]?.row?.versionId !== 1);
  if (toLock.length > 0) {
    const locked = await readHeld(scope.tx, toLock, true);
    staged = requests.map((request, i) => {
      const key = rowKey(request.resourceType, request.id);
      const before = staged[i] as Staged;
      if (before.row === undefined || before.row.versionId === 1) return before;
      const now = locked.get(key);
      if (now === undefined) throw race(request.resourceType, request.id);
      const seen = read.get(key);
      // unchanged since read: what was decided stands (and keeps its lastUpdated)
      if (seen && seen.versionId === now.versionId && seen.eventTime === now.eventTime) return before;
      return decide(scope, request, now);
    });
  }
  const rows: RowWrite[] = [];
  for (const s of staged) {
    if (s.row === undefined) continue;
    rows.push(s.row);
    scope.pendingEventTimes.delete(rowKey(s.row.resourceType, s.row.id));
  }
  return { versions: staged.map((s) => s.version), rows };
}

/**
 * The next version of one resource from the held row (undefined: not stored), event order and the scope's
 * pending event-time moves respected. An unchanged resource gets no row; its event-time move is kept in the scope.
 */
export function decide(scope: WriteScope, request: WriteRequest, held: HeldRow | undefined): Staged {
  const { resourceType, id } = request;
  const key = rowKey(resourceType, id);
  const ours = request.eventTime === null ? null : Date.parse(request.eventTime);
  const pending = scope.pendingEventTimes.get(key);
  const heldTime = held === undefined ? null : maxTime(held.eventTime, pending?.eventTime ?? null);
  const heldIsNewer = heldTime !== null && ours !== null && heldTime > ours;
  const content = request.next(held?.content, held !== undefined && heldIsNewer);
  if (held && sameContent(content, held.content)) {
    const movesTime = ours !== null && (heldTime === null || heldTime < ours);
    if (movesTime && ours !== null) {
      scope.pendingEventTimes.set(key, { resourceType, id, versionId: held.versionId, eventTime: ours });
    }
    return { version: { resourceType, id, versionId: String(held.versionId), changed: false, content: held.content } };
  }
  const versionId = held ? held.versionId + 1 : 1;
  const lastUpdated = scope.now().toISOString();
  const { versionId: _held, lastUpdated: _written, ...meta } = content.meta ?? {};
  const stored = { ...content, meta: { versionId: String(versionId), lastUpdated, ...meta } } as StoredResource;
  const eventTime = maxTime(ours, pending?.eventTime ?? null);
  return {
    version: { resourceType, id, versionId: String(versionId), changed: true, content: stored },
    row: {
      resourceType,
      id,
      versionId,
      lastUpdated,
      content: stored,
      eventTime: eventTime === null ? null : new Date(eventTime).toISOString(),
    },
  };
}

/** Write staged rows (one statement); a resource another transaction created meanwhile makes it retry. */
export async function writeStaged(scope: WriteScope, rows: readonly RowWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const inserted = await writeRows(scope.tx, scope.messageId, rows);
  const expected = rows.filter((r) => r.versionId === 1).length;
  if (inserted !== expected) {
    throw new StoreError('A resource this message creates was created by a message applied at the same time; retry the message.', WRITE_RACE);
  }
}

/**
 * Write the next version of several distinct resources inside the caller's transaction: read them (one
 * statement), lock and write only those whose content changes (one statement each), in request order.
 */
export async function writeResources(scope: WriteScope, requests: readonly WriteRequest[]): Promise<WrittenVersion[]> {
  const read = await readHeld(scope.tx, requests);
  const { versions, rows } = await stageWrites(scope, requests, read);
  await writeStaged(scope, rows);
  return versions;
}

/** Write the next version of one resource inside the caller's transaction (see {@link writeResources}). */
export async function writeResource(
  scope: WriteScope,
  resourceType: string,
  id: string,
  eventTime: string | null,
  next: NextContent,
): Promise<WrittenVersion> {
  const [version] = await writeResources(scope, [{ resourceType, id, eventTime, next }]);
  return version as WrittenVersion;
}

/**
 * The event-time moves kept in the scope, written as the transaction's last statements: the rows are locked
 * in (type, id) order, and a row another transaction changed since it was read makes the apply retry.
 */
export async function flushEventTimes(scope: WriteScope): Promise<void> {
  const pending = [...scope.pendingEventTimes.values()];
  if (pending.length === 0) return;
  const locked = await readHeld(scope.tx, pending, true);
  for (const p of pending) {
    if (locked.get(rowKey(p.resourceType, p.id))?.versionId !== p.versionId) throw race(p.resourceType, p.id);
  }
  await scope.tx.query(
    `UPDATE resources r SET event_time = GREATEST(r.event_time, k.event_time)
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(resource_type, id, event_time)
      WHERE r.resource_type = k.resource_type AND r.id = k.id`,
    [pending.map((p) => p.resourceType), pending.map((p) => p.id), pending.map((p) => new Date(p.eventTime).toISOString())],
  );
  scope.pendingEventTimes.clear();
}

export function race(resourceType: string, id: string): StoreError {
  return new StoreError(`${resourceType}/${id} was changed by a message applied at the same time; retry the message.`, WRITE_RACE);
}

export function maxTime(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** Drop meta.versionId/lastUpdated from a ref for reporting. */
export function versionRef(written: WrittenVersion): ResourceVersionRef {
  return { resourceType: written.resourceType, id: written.id, versionId: written.versionId, changed: written.changed };
}
