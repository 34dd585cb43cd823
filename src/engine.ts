import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { createApiApp } from './api/app.js';
import { startFileDrop } from './channels/file-drop.js';
import { createHttpBundleRouter } from './channels/http-bundle.js';
import { startMllpChannel } from './channels/mllp.js';
import type { JunctionConfig } from './config/schema.js';
import { startEngineMappings, type ChannelRuntime, type EngineMappingsOptions } from './engine-mappings.js';
import { createJunctionMetrics, type JunctionMetrics } from './observability/metrics.js';
import { createAmqpTransport } from './pipeline/amqp-transport.js';
import { createIntake } from './pipeline/intake.js';
import { createRecordIntake } from './pipeline/record-intake.js';
import { createLocalTransport } from './pipeline/local-transport.js';
import { collectQueueDepths } from './pipeline/pipeline-metrics.js';
import type { Transport } from './pipeline/transport.js';
import { startWorkers } from './pipeline/workers.js';
import { createRecordStore, openEmbeddedDatabase, openPostgresDatabase, searchParametersFor } from './store/index.js';
import type { SqlDatabase } from './store/sql.js';
import type { RecordStore } from './store/types.js';

export interface Engine {
  readonly httpPort: number;
  /** bound MLLP port per channel id (none in a worker process) */
  readonly mllpPorts: Readonly<Record<string, number>>;
  readonly store: RecordStore;
  readonly transport: Transport;
  readonly metrics: JunctionMetrics;
  /** reload every channel's mapping files now (what a change in the watched folders does) */
  reloadMappings(): void;
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** mapping hot reload: watch (default true) and debounce */
  readonly mappings?: EngineMappingsOptions;
}

/** GP feeds: POST /channels/<id>/bundle for http channels, a watched folder for file-drop channels. */
async function startGpChannels(
  config: JunctionConfig,
  channel: (id: string) => ChannelRuntime | undefined,
  transport: Transport,
  logger: Logger,
  app: ReturnType<typeof createApiApp>,
  parts: Parts,
  metrics: JunctionMetrics,
): Promise<void> {
  const intake = createRecordIntake({ transport, logger, channel, metrics });
  const http = config.channels.flatMap((c) => (c.source.type === 'http' ? [{ id: c.id, token: c.source.token ?? '', maxBodyBytes: c.source.maxBodyBytes }] : []));
  if (http.length > 0) app.use('/channels', createHttpBundleRouter({ channels: http, intake, logger, metrics }));
  for (const c of config.channels) {
    if (c.source.type !== 'file-drop') continue;
    const id = c.id;
    // looked up on each use: a mapping reload gives the channel new layouts
    const records = () => (channel(id) as ChannelRuntime).records;
    const drop = await startFileDrop({
      channelId: c.id,
      path: c.source.path,
      format: c.source.format,
      pollMs: c.source.pollMs,
      progressEvery: c.source.progressEvery,
      publishWindow: c.source.publishWindow,
      metrics,
      intake,
      layoutFor: (header) => records().layoutFor(header)?.structure,
      layouts: () => records().layouts(),
      logger,
    });
    parts.add(`file-drop ${c.id}`, () => drop.close());
  }
}

/** Parts started so far, stopped in reverse order (listeners first, the database last). */
class Parts {
  private readonly parts: { name: string; close(): Promise<void> }[] = [];
  constructor(private readonly logger: Logger) {}
  add(name: string, close: () => Promise<void>): void {
    this.parts.push({ name, close });
  }
  async stopAll(): Promise<void> {
    for (const part of this.parts.splice(0).reverse()) {
      await part.close().catch((err: Error) => this.logger.error({ part: part.name, err: err.message }, 'stopping a part failed'));
    }
  }
}

/** The database the configuration names: a PostgreSQL server, or PGlite in the data directory. */
export async function openDatabase(config: JunctionConfig): Promise<SqlDatabase> {
  if (!config.databaseUrl) return openEmbeddedDatabase(config.dataDir);
  return openPostgresDatabase(config.databaseUrl, config.databaseSchema ? { schema: config.databaseSchema } : {});
}

/** The pipeline the configuration names: RabbitMQ, or the journal in `db`. */
export async function openTransport(config: JunctionConfig, db: SqlDatabase, logger?: Logger, connectionName?: string): Promise<Transport> {
  if (!config.amqpUrl) return createLocalTransport(db);
  return createAmqpTransport({
    url: config.amqpUrl,
    partitions: config.partitions,
    queuePrefix: config.queuePrefix,
    ...(logger ? { logger } : {}),
    ...(connectionName ? { connectionName } : {}),
  });
}

async function listenHttp(server: Server, config: JunctionConfig): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `HTTP port ${config.httpPort} on ${config.host} is already in use; stop the other process or set JUNCTION_HTTP_PORT`
            : `cannot listen for HTTP on ${config.host}:${config.httpPort}: ${err.message}`,
        ),
      ),
    );
    server.listen(config.httpPort, config.host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : config.httpPort;
}

/**
 * Start the engine, or the part of it that `config.role` names:
 * - storage: PostgreSQL when JUNCTION_DATABASE_URL is set, else PGlite in the data directory;
 * - pipeline: RabbitMQ when JUNCTION_AMQP_URL is set, else the journal in that same database;
 * - `ingest` runs the MLLP channels, `worker` the stage workers, `all` both; every process serves
 *   the HTTP API (FHIR, /healthz, /admin, /metrics).
 * Parts start from the store outwards and stop from the listeners inwards, so nothing is accepted
 * that cannot be made durable, and nothing in flight is cut off.
 */
export async function startEngine(config: JunctionConfig, logger: Logger, options: EngineOptions = {}): Promise<Engine> {
  const mappings = startEngineMappings(config, logger, options.mappings);
  const parts = new Parts(logger);
  parts.add('mapping watcher', async () => mappings.close());
  try {
    const db = await openDatabase(config);
    parts.add('database', () => db.close());
    const store = await createRecordStore(db);
    const transport = await openTransport(config, db, logger);
    parts.add('transport', () => transport.close());
    const metrics = createJunctionMetrics();
    collectQueueDepths(metrics, transport);

    if (config.role !== 'ingest') {
      const workers = startWorkers({
        transport,
        store,
        channel: (id) => mappings.channel(id),
        logger,
        metrics,
        consume: {
          concurrency: config.pipeline.concurrency,
          maxAttempts: config.pipeline.maxAttempts,
          backoffMs: config.pipeline.backoffMs,
          maxBackoffMs: config.pipeline.maxBackoffMs,
        },
        recordsBatch: config.pipeline.recordsBatch,
      });
      parts.add('workers', () => workers.stop());
    }

    const app = createApiApp({
      store,
      searchParameters: { params: (resourceType) => searchParametersFor(resourceType) },
      logger,
      admin: { transport, metrics, mappings: () => mappings.status(), ...(config.adminToken ? { token: config.adminToken } : {}) },
      health: async () => {
        const checks: Record<string, string> = {};
        try {
          await db.query('SELECT 1');
          checks.store = 'ok';
        } catch (err) {
          checks.store = `unavailable: ${(err as Error).message}`;
        }
        const connected = (transport as { connected?: boolean }).connected;
        checks.transport = connected === false ? 'unavailable: reconnecting to RabbitMQ' : 'ok';
        return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
      },
    });
    const http: Server = createServer(app);
    const httpPort = await listenHttp(http, config);
    parts.add('http', () => new Promise<void>((resolve) => http.close(() => resolve())));

    const mllpPorts: Record<string, number> = {};
    if (config.role !== 'worker') {
      const intake = createIntake({
        transport,
        rejects: store,
        logger,
        metrics,
        supports: (message, channelId) => {
          const runtime = mappings.channel(channelId);
          return runtime ? runtime.unsupported(message) : `channel ${channelId} is not configured`;
        },
      });
      for (const c of config.channels) {
        if (c.source.type !== 'mllp') continue;
        const listener = await startMllpChannel({
          channel: c,
          host: c.source.host ?? config.host,
          port: c.source.port,
          maxFrameBytes: c.source.maxFrameBytes,
          idleTimeoutMs: c.source.idleTimeoutMs,
          intake,
          logger,
        });
        parts.add(`mllp ${c.id}`, () => listener.close());
        mllpPorts[c.id] = listener.port;
      }
      await startGpChannels(config, (id) => mappings.channel(id), transport, logger, app, parts, metrics);
    }
    logger.info({ role: config.role, httpPort, mllpPorts, store: db.kind, transport: transport.kind }, 'Junction started');
    return { httpPort, mllpPorts, store, transport, metrics, reloadMappings: () => void mappings.reloadAll(), stop: () => parts.stopAll() };
  } catch (err) {
    await parts.stopAll();
    throw err;
  }
}
