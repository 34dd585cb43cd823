import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { envSchema } from '../../src/config/schema.js';
import { startEngine, type Engine } from '../../src/engine.js';
import { createLogger } from '../../src/observability/logger.js';
import { createAmqpTransport } from '../../src/pipeline/amqp-transport.js';
import { dropSchema } from './postgres-schema.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface TestEngine {
  readonly engine: Engine;
  readonly mllpPort: number;
  readonly baseUrl: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export function testConfigText(options: { maxFrameBytes?: number; idleTimeoutMs?: number; extraChannels?: string; mappingsDir?: string } = {}): string {
  return `
mappings: ${options.mappingsDir ?? join(REPO_ROOT, 'mappings')}
channels:
  - id: rgt-adt
    name: Cambridge University Hospitals ADT feed
    organisation: { odsCode: RGT, name: Cambridge University Hospitals NHS Foundation Trust }
    source: { type: mllp, port: 2575, maxFrameBytes: ${options.maxFrameBytes ?? 65536}, idleTimeoutMs: ${options.idleTimeoutMs ?? 60000} }
${options.extraChannels ?? ''}
pipeline: { maxAttempts: 3, backoffMs: 20, maxBackoffMs: 200, concurrency: 4 }
`;
}

/** Start a whole engine in this process on ephemeral ports and a temporary data directory. */
export interface TestEngineOptions {
  readonly maxFrameBytes?: number;
  readonly idleTimeoutMs?: number;
  readonly dataDir?: string;
  /** run on a PostgreSQL server in this (fresh) schema instead of embedded PGlite */
  readonly postgres?: { readonly url: string; readonly schema: string };
  /** run the pipeline on RabbitMQ with this (unique) queue prefix instead of the embedded journal */
  readonly amqp?: { readonly url: string; readonly queuePrefix: string };
  /** base mapping folder (default: the repository's mappings/) */
  readonly mappingsDir?: string;
  /** mapping hot reload: watch the folders (default false in tests) and the debounce */
  readonly watchMappings?: { readonly debounceMs: number };
  /** more channels, as YAML list items indented under channels: (GP feeds) */
  readonly extraChannels?: string;
}

export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'junction-test-'));
  const env = envSchema.parse({
    JUNCTION_HTTP_PORT: '0',
    JUNCTION_MLLP_PORT: '0',
    JUNCTION_DATA_DIR: dataDir,
    JUNCTION_LOG_LEVEL: 'silent',
    ...(options.postgres ? { JUNCTION_DATABASE_URL: options.postgres.url, JUNCTION_DATABASE_SCHEMA: options.postgres.schema } : {}),
    ...(options.amqp ? { JUNCTION_AMQP_URL: options.amqp.url, JUNCTION_AMQP_QUEUE_PREFIX: options.amqp.queuePrefix } : {}),
  });
  const config = parseConfigText(testConfigText(options), join(REPO_ROOT, 'junction.test.yaml'), env);
  const engine = await startEngine(config, createLogger({ level: 'silent' }), {
    mappings: options.watchMappings ? { watch: true, debounceMs: options.watchMappings.debounceMs } : { watch: false },
  });
  return {
    engine,
    mllpPort: engine.mllpPorts['rgt-adt'] ?? 0,
    baseUrl: `http://127.0.0.1:${engine.httpPort}`,
    dataDir,
    async stop() {
      await engine.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (options.postgres) await dropSchema(options.postgres.url, options.postgres.schema);
      if (options.amqp) await deleteQueues(options.amqp.url, options.amqp.queuePrefix);
    },
  };
}

/** Poll `probe` until it returns a value that is not undefined, or fail after timeoutMs. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
  return { status: res.status, body: await res.json() };
}

/** Delete a test run's RabbitMQ queues. */
export async function deleteQueues(url: string, queuePrefix: string): Promise<void> {
  const janitor = await createAmqpTransport({ url, queuePrefix });
  try {
    await janitor.deleteQueues();
  } finally {
    await janitor.close();
  }
}

export { dropSchema, freshSchema } from './postgres-schema.js';
