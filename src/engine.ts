import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { createApiApp } from './api/app.js';
import { startMllpChannel, type MllpChannel } from './channels/mllp.js';
import type { JunctionConfig } from './config/schema.js';
import { createMapper, loadMappingSet } from './mapping/index.js';
import type { ChannelContext, Mapper } from './mapping/types.js';
import type { Hl7Message } from './hl7v2/types.js';
import { createIntake } from './pipeline/intake.js';
import { createLocalTransport } from './pipeline/local-transport.js';
import type { Transport } from './pipeline/transport.js';
import { startWorkers, type Workers } from './pipeline/workers.js';
import { createRecordStore, openEmbeddedDatabase, searchParametersFor } from './store/index.js';
import type { SqlDatabase } from './store/sql.js';
import type { RecordStore } from './store/types.js';

export interface Engine {
  readonly httpPort: number;
  /** bound MLLP port per channel id */
  readonly mllpPorts: Readonly<Record<string, number>>;
  readonly store: RecordStore;
  readonly transport: Transport;
  stop(): Promise<void>;
}

interface ChannelRuntime {
  readonly mapper: Mapper;
  readonly context: ChannelContext;
  readonly unsupported: (message: Hl7Message) => string | undefined;
}

/** Build every channel's mapper once (base mappings + that channel's overlays). Throws MappingLoadError. */
function buildChannels(config: JunctionConfig): Map<string, ChannelRuntime> {
  const byOverlay = new Map<string, ReturnType<typeof loadMappingSet>>();
  const channels = new Map<string, ChannelRuntime>();
  for (const c of config.channels) {
    const key = c.overlayDirs.join('\n');
    let set = byOverlay.get(key);
    if (!set) {
      set = loadMappingSet(config.mappingsDir, c.overlayDirs);
      byOverlay.set(key, set);
    }
    const mappingSet = set;
    channels.set(c.id, {
      mapper: createMapper(mappingSet),
      context: { id: c.id, organisation: { odsCode: c.organisation.odsCode, ...(c.organisation.name ? { name: c.organisation.name } : {}) } },
      unsupported: (message) => mappingSet.unsupported(message),
    });
  }
  return channels;
}

/**
 * Start the whole engine on its embedded defaults: PGlite in the data directory holds both the
 * pipeline journal and the record store; MLLP listeners per channel; the HTTP API.
 * Parts are started from the store outwards and stopped from the listeners inwards, so nothing is
 * accepted that cannot be made durable, and nothing in flight is cut off.
 */
export async function startEngine(config: JunctionConfig, logger: Logger): Promise<Engine> {
  const channels = buildChannels(config);
  const db: SqlDatabase = await openEmbeddedDatabase(config.dataDir);
  const started: { close(): Promise<void> }[] = [{ close: () => db.close() }];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.close().catch((err: Error) => logger.error({ err: err.message }, 'stopping a part failed'));
  };
  try {
    const store = await createRecordStore(db);
    const transport = await createLocalTransport(db);
    started.push({ close: () => transport.close() });

    const workers: Workers = startWorkers({
      transport,
      store,
      channel: (id) => channels.get(id),
      logger,
      consume: {
        concurrency: config.pipeline.concurrency,
        maxAttempts: config.pipeline.maxAttempts,
        backoffMs: config.pipeline.backoffMs,
        maxBackoffMs: config.pipeline.maxBackoffMs,
      },
    });
    started.push({ close: () => workers.stop() });

    const app = createApiApp({
      store,
      searchParameters: { params: (resourceType) => searchParametersFor(resourceType) },
      logger,
      health: async () => {
        const checks: Record<string, string> = {};
        let ok = true;
        try {
          await db.query('SELECT 1');
          checks.store = 'ok';
        } catch (err) {
          ok = false;
          checks.store = `unavailable: ${(err as Error).message}`;
        }
        return { ok, checks };
      },
    });
    const http: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      http.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `HTTP port ${config.httpPort} on ${config.host} is already in use; stop the other process or set JUNCTION_HTTP_PORT`
              : `cannot listen for HTTP on ${config.host}:${config.httpPort}: ${err.message}`,
          ),
        ),
      );
      http.listen(config.httpPort, config.host, () => resolve());
    });
    started.push({ close: () => new Promise<void>((resolve) => http.close(() => resolve())) });
    const httpAddress = http.address();
    const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : config.httpPort;

    const intake = createIntake({
      transport,
      rejects: store,
      logger,
      supports: (message, channelId) => {
        const runtime = channels.get(channelId);
        return runtime ? runtime.unsupported(message) : `channel ${channelId} is not configured`;
      },
    });
    const mllpPorts: Record<string, number> = {};
    const listeners: MllpChannel[] = [];
    for (const c of config.channels) {
      const listener = await startMllpChannel({
        channel: c,
        host: c.source.host ?? config.host,
        port: c.source.port,
        maxFrameBytes: c.source.maxFrameBytes,
        idleTimeoutMs: c.source.idleTimeoutMs,
        intake,
        logger,
      });
      listeners.push(listener);
      started.push(listener);
      mllpPorts[c.id] = listener.port;
    }
    logger.info({ httpPort, mllpPorts, dataDir: config.dataDir }, 'Junction started');
    return { httpPort, mllpPorts, store, transport, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
