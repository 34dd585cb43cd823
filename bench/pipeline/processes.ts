/**
 * The engine processes of the pipeline bench, started as production starts them: the compiled CLI
 * (`junction start`, tsc output as `npm run build` makes it), one process per role, configured by
 * environment variables only, on ephemeral ports. Each is preloaded with loop-probe.mjs, which the
 * bench asks over IPC for event-loop delay, GC pauses and CPU use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ProbeReport {
  /** event-loop delay, ms */
  readonly loop: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gc: {
    readonly count: number;
    readonly totalMs: number;
    readonly maxMs: number;
    /** full mark-compact collections */
    readonly major: number;
    readonly majorMaxMs: number;
    /** count per PerformanceGC kind: 1 minor (scavenge), 2 major, 4 incremental marking, 8 weak callbacks */
    readonly kinds: Readonly<Record<string, number>>;
  };
  readonly heapMb: number;
  /** CPU time over wall time since the last reset (1 = one core busy) */
  readonly cpuShare: number;
  readonly elapsedMs: number;
}

export interface EngineProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly httpPort: number;
  /** 0 for a worker */
  readonly mllpPort: number;
  output(): string;
  reset(): Promise<void>;
  report(): Promise<ProbeReport>;
  /** SIGTERM (clean stop), SIGKILL after 15 s */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  /** the compiled sources (bench/compiled-src.ts) */
  readonly compiled: string;
  readonly configPath: string;
  readonly dataDir: string;
  /** JUNCTION_ROLE, JUNCTION_DATABASE_URL, … */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** start at this niceness (through `nice`, so every thread of the process has it) */
  readonly nice?: number;
  /** extra node options, e.g. --cpu-prof */
  readonly nodeArgs?: readonly string[];
}

/** The configuration file every process of one run reads: one MLLP channel, the repository's mappings. */
export function writeBenchConfig(path: string, mappingsDir: string, concurrency: number): void {
  writeFileSync(
    path,
    `mappings: ${mappingsDir}
channels:
  - id: rgt-adt
    name: Cambridge University Hospitals ADT feed
    organisation: { odsCode: RGT, name: Cambridge University Hospitals NHS Foundation Trust }
    source: { type: mllp, port: 2575 }
pipeline: { concurrency: ${concurrency} }
`,
  );
}

export async function startEngineProcess(options: StartOptions): Promise<EngineProcess> {
  const probe = pathToFileURL(join(import.meta.dirname, 'loop-probe.mjs')).href;
  const node = [process.execPath, ...(options.nodeArgs ?? []), '--import', probe, join(options.compiled, 'cli', 'main.js'), 'start'];
  const command = options.nice ? ['nice', '-n', String(options.nice), ...node] : node;
  const child = spawn(command[0] ?? process.execPath, command.slice(1), {
    env: {
      PATH: process.env['PATH'] ?? '',
      JUNCTION_CONFIG: options.configPath,
      JUNCTION_DATA_DIR: options.dataDir,
      JUNCTION_HTTP_PORT: '0',
      JUNCTION_MLLP_PORT: '0',
      JUNCTION_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let nextId = 0;
  const ask = <T>(probe: 'reset' | 'report'): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`${options.name}: no answer from the probe`)), 10_000);
      const onMessage = (m: { probe?: string; id?: number }) => {
        if (m?.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.send({ probe, id });
    });

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const http = /FHIR API: http:\/\/[^:]+:(\d+)\/fhir/.exec(out);
    const mllp = /MLLP channel rgt-adt: [^:]+:(\d+)/.exec(out);
    if (http && out.includes('Press Ctrl+C to stop.')) {
      return {
        name: options.name,
        child,
        httpPort: Number(http[1]),
        mllpPort: mllp ? Number(mllp[1]) : 0,
        output: () => out,
        reset: async () => {
          await ask('reset');
        },
        report: () => ask<ProbeReport>('report'),
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
