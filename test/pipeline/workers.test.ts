import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RecordStore } from '../../src/store/types.js';
import { RECORDS_BATCH_CONCURRENCY, startWorkers } from '../../src/pipeline/workers.js';
import type { ConsumeOptions, StageName, Transport } from '../../src/pipeline/transport.js';

/** A transport that only records the options each stage is consumed with. */
function recordingTransport(): { transport: Transport; options: Map<StageName, ConsumeOptions<unknown> | undefined> } {
  const options = new Map<StageName, ConsumeOptions<unknown> | undefined>();
  const transport: Transport = {
    kind: 'local',
    publish: () => Promise.resolve(),
    consume: (stage, _handler, o) => {
      options.set(stage, o as ConsumeOptions<unknown> | undefined);
      return { stop: () => Promise.resolve() };
    },
    listParked: () => Promise.resolve([]),
    resend: () => Promise.resolve(false),
    stats: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
  return { transport, options };
}

const batchingStore = {
  apply: () => Promise.reject(new Error('not used')),
  applyMany: () => Promise.reject(new Error('not used')),
} as unknown as RecordStore;

function start(store: RecordStore, extra: { recordsBatch?: number; recordsBatchConcurrency?: number; concurrency: number }) {
  const { transport, options } = recordingTransport();
  startWorkers({
    transport,
    store,
    channel: () => undefined,
    logger: pino({ level: 'silent' }),
    consume: { concurrency: extra.concurrency, maxAttempts: 3 },
    ...(extra.recordsBatch !== undefined ? { recordsBatch: extra.recordsBatch } : {}),
    ...(extra.recordsBatchConcurrency !== undefined ? { recordsBatchConcurrency: extra.recordsBatchConcurrency } : {}),
  });
  return options;
}

describe('startWorkers consume options', () => {
  it('applies few records batches at once, so batches grow under load, while inbound keeps the configured concurrency', () => {
    const options = start(batchingStore, { recordsBatch: 100, concurrency: 64 });
    expect(options.get('inbound')?.concurrency).toBe(64);
    expect(options.get('records')?.concurrency).toBe(RECORDS_BATCH_CONCURRENCY);
    expect(RECORDS_BATCH_CONCURRENCY).toBeLessThan(64);
    expect(options.get('records')?.batch?.maxMessages).toBe(100);
    expect(options.get('records')?.maxAttempts).toBe(3);
  });

  it('never raises the records concurrency above the configured one, and takes an explicit limit', () => {
    expect(start(batchingStore, { recordsBatch: 100, concurrency: 2 }).get('records')?.concurrency).toBe(2);
    expect(start(batchingStore, { recordsBatch: 100, concurrency: 64, recordsBatchConcurrency: 7 }).get('records')?.concurrency).toBe(7);
  });

  it('keeps the configured concurrency for records when messages are applied one at a time', () => {
    expect(start(batchingStore, { recordsBatch: 1, concurrency: 64 }).get('records')?.concurrency).toBe(64);
    const { applyMany: _omit, ...single } = batchingStore as unknown as Record<string, unknown>;
    const options = start(single as unknown as RecordStore, { recordsBatch: 100, concurrency: 64 });
    expect(options.get('records')?.concurrency).toBe(64);
    expect(options.get('records')?.batch).toBeUndefined();
  });
});
