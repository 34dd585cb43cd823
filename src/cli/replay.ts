/**
 * `junction replay --parked [--stage S]`: resend every parked message (back to the end of its stage,
 * attempt reset), talking to the pipeline's transport directly — RabbitMQ when JUNCTION_AMQP_URL is
 * set, otherwise the journal in PostgreSQL (JUNCTION_DATABASE_URL) or the embedded data directory
 * (stop the engine first: an embedded data directory is open in one process at a time).
 */
import { ConfigError, loadConfig } from '../config/load.js';
import type { JunctionConfig } from '../config/schema.js';
import { openDatabase, openTransport } from '../engine.js';
import type { StageName, Transport } from '../pipeline/transport.js';

class UsageError extends Error {}

export const REPLAY_STAGES: readonly StageName[] = ['inbound', 'records', 'changed'];

export interface ReplayCounts {
  readonly resent: number;
  /** listed but gone when resent (another process resent or took it) */
  readonly missed: number;
  readonly byStage: Readonly<Record<StageName, number>>;
}

const PAGE = 500;

/** Resend every parked message of `stage` (or of all stages) once; messages parked again meanwhile are left. */
export async function replayParked(transport: Pick<Transport, 'listParked' | 'resend'>, stage?: StageName): Promise<ReplayCounts> {
  const seen = new Set<string>();
  const byStage: Record<StageName, number> = { inbound: 0, records: 0, changed: 0 };
  let resent = 0;
  let missed = 0;
  for (;;) {
    const page = (await transport.listParked(stage, PAGE + seen.size)).filter((p) => !seen.has(p.id));
    if (page.length === 0) break;
    for (const parked of page) {
      seen.add(parked.id);
      if (await transport.resend(parked.id)) {
        resent++;
        byStage[parked.stage]++;
      } else {
        missed++;
      }
    }
  }
  return { resent, missed, byStage };
}

/** The pipeline transport this deployment uses, opened for a one-off command; close() closes all it opened. */
export async function openPipelineTransport(config: JunctionConfig): Promise<{ transport: Transport; close(): Promise<void> }> {
  const db = await openDatabase(config);
  const transport = await openTransport(config, db, undefined, 'junction replay');
  return {
    transport,
    async close() {
      await transport.close();
      await db.close();
    },
  };
}

export async function runReplay(options: { parked?: boolean; stage?: string }): Promise<void> {
  try {
    if (!options.parked) throw new UsageError('say what to replay: junction replay --parked [--stage inbound|records|changed]');
    const stage = options.stage;
    if (stage !== undefined && !(REPLAY_STAGES as readonly string[]).includes(stage)) {
      throw new UsageError(`--stage must be one of ${REPLAY_STAGES.join(', ')}, not "${stage}"`);
    }
    const config = loadConfig(process.env);
    const opened = await openPipelineTransport(config);
    try {
      const counts = await replayParked(opened.transport, stage as StageName | undefined);
      const detail = REPLAY_STAGES.map((s) => `${s} ${counts.byStage[s]}`).join(', ');
      process.stdout.write(`resent ${counts.resent} parked message(s) (${detail})${counts.missed ? `; ${counts.missed} were no longer parked` : ''}\n`);
    } finally {
      await opened.close();
    }
  } catch (err) {
    process.stderr.write(`junction replay: ${(err as Error).message}\n`);
    process.exitCode = err instanceof ConfigError || err instanceof UsageError ? 2 : 1;
  }
}
