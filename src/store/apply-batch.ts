/**
 * Applying messages in order inside one transaction, as set-based SQL: the messages applied before (the
 * idempotency key (sender, MSH-10)) found in one statement, then runs of messages applied in memory and written
 * together (batch-segment.ts, batch-flush.ts). A message that merges records, or names a resource twice, ends
 * the run and is applied alone (apply-message.ts) before the next run starts. Event-time moves of unchanged
 * resources are written last, just before COMMIT.
 *
 * Each message's outcome is what applying the messages one at a time, in this order, would give: a repeat of
 * a key (earlier in the batch or applied before) applies nothing and names the applied message.
 */
import { randomUUID } from 'node:crypto';
import { applyMessage } from './apply-message.js';
import { BatchSegment } from './batch-segment.js';
import { StoreError } from './errors.js';
import { claimMessage, findAppliedMessageId, recordVersions } from './message-log.js';
import type { SqlExecutor } from './sql.js';
import type { ApplyInput, ApplyResult, MessageSource } from './types.js';
import { flushEventTimes, type PendingEventTime, type WriteScope } from './write-resource.js';

export async function applyBatch(tx: SqlExecutor, now: () => Date, inputs: readonly ApplyInput[]): Promise<ApplyResult[]> {
  const results = new Array<ApplyResult | undefined>(inputs.length);
  const applied = await appliedBefore(tx, inputs.map((i) => i.source));
  const firstOfKey = new Map<string, number>();
  const repeats: [number, number][] = [];
  const todo: number[] = [];
  inputs.forEach((input, i) => {
    const key = messageKey(input.source);
    const earlier = applied.get(key);
    const first = firstOfKey.get(key);
    if (earlier !== undefined) results[i] = { status: 'duplicate', messageId: earlier, versions: [] };
    else if (first !== undefined) repeats.push([i, first]);
    else {
      firstOfKey.set(key, i);
      todo.push(i);
    }
  });

  const pendingEventTimes = new Map<string, PendingEventTime>();
  let segment: BatchSegment | undefined;
  for (let n = 0; n < todo.length; n++) {
    const i = todo[n] as number;
    const input = inputs[i] as ApplyInput;
    segment ??= await BatchSegment.open(tx, now, pendingEventTimes, todo.slice(n).map((j) => inputs[j] as ApplyInput));
    const messageId = randomUUID();
    const result = await segment.apply(input, messageId);
    if (result !== undefined) {
      results[i] = result;
      continue;
    }
    await segment.flush();
    segment = undefined;
    results[i] = await applyAlone({ tx, messageId, now, pendingEventTimes }, input);
  }
  await segment?.flush();
  await flushEventTimes({ tx, messageId: '', now, pendingEventTimes });

  for (const [i, first] of repeats) {
    results[i] = { status: 'duplicate', messageId: (results[first] as ApplyResult).messageId, versions: [] };
  }
  return results as ApplyResult[];
}

/** One message through the one-message path (merges, bundles naming a resource twice). */
async function applyAlone(scope: WriteScope, input: ApplyInput): Promise<ApplyResult> {
  const { tx, messageId } = scope;
  if (!(await claimMessage(tx, messageId, input))) {
    const earlier = await findAppliedMessageId(tx, input.source.sender, input.source.controlId);
    if (earlier === undefined) {
      throw new StoreError(
        `Message ${input.source.controlId} from ${input.source.sender} conflicted with an applied message that cannot be found; retry it.`,
        'write-conflict',
      );
    }
    return { status: 'duplicate', messageId: earlier, versions: [] };
  }
  const { versions, provenance } = await applyMessage(scope, input);
  await recordVersions(tx, messageId, versions);
  return { status: 'applied', messageId, versions, provenance };
}

/** The applied message of each (sender, controlId) already in the log. */
async function appliedBefore(tx: SqlExecutor, sources: readonly MessageSource[]): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ sender: string; control_id: string; id: string }>(
    `SELECT m.sender, m.control_id, m.id::text AS id
       FROM message_log m JOIN unnest($1::text[], $2::text[]) AS q(sender, control_id)
         ON m.sender = q.sender AND m.control_id = q.control_id
      WHERE m.status = 'applied' AND m.sender IS NOT NULL AND m.control_id IS NOT NULL`,
    [sources.map((s) => s.sender), sources.map((s) => s.controlId)],
  );
  return new Map(rows.map((r) => [messageKey({ sender: r.sender, controlId: r.control_id }), r.id]));
}

function messageKey(source: Pick<MessageSource, 'sender' | 'controlId'>): string {
  return `${source.sender}\u0000${source.controlId}`;
}
