import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, testConfigText } from './engine.js';

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  /** 0 for a process that runs no MLLP channel (JUNCTION_ROLE=worker) */
  readonly mllpPort: number;
  readonly output: () => string;
  /** resolves with the exit code or signal */
  readonly exited: Promise<number | string>;
}

export interface SpawnOptions {
  /** extra environment, e.g. JUNCTION_ROLE, JUNCTION_DATABASE_URL, JUNCTION_AMQP_URL; wins over the defaults */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Run `junction start` as a separate process (through tsx, so no build is needed) on ephemeral ports,
 * and wait until it says it is running. A worker (JUNCTION_ROLE=worker) runs no MLLP channel, so for
 * it the FHIR API line alone means ready.
 */
export async function spawnEngine(dataDir: string, timeoutMs = 60_000, options: SpawnOptions = {}): Promise<EngineProcess> {
  const configPath = join(dataDir, '..', `junction-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(configPath, testConfigText());
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      JUNCTION_CONFIG: configPath,
      JUNCTION_DATA_DIR: dataDir,
      JUNCTION_HTTP_PORT: '0',
      JUNCTION_MLLP_PORT: '0',
      JUNCTION_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const http = /FHIR API: http:\/\/[^:]+:(\d+)\/fhir/.exec(out);
    const mllp = /MLLP channel rgt-adt: [^:]+:(\d+)/.exec(out);
    const needsMllp = options.env?.['JUNCTION_ROLE'] !== 'worker';
    if (http && (mllp || (!needsMllp && out.includes('Press Ctrl+C to stop.')))) {
      return { child, httpPort: Number(http[1]), mllpPort: mllp ? Number(mllp[1]) : 0, output: () => out, exited };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the engine did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
