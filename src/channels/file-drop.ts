/**
 * A watched folder of GP files: GP Connect bundles (`*.json`) or CSV extracts (`*.csv`). Each file is read once
 * it has stopped changing, every record in it is handed to intake (durable before it counts as accepted), and
 * the file moves to `done/` (every record accepted) or `error/` (something rejected) with a report beside it,
 * `<file>.report.csv`: one line per record — its line in the file, accepted or rejected, and why. When the
 * pipeline is unavailable the file stays where it is and is tried again (records already accepted are
 * duplicates then, applied nothing). Large files log their progress. Nothing in a file can crash the engine.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { JunctionMetrics } from '../observability/metrics.js';
import type { RecordIntake, RecordOutcome } from '../pipeline/record-intake.js';
import { parseCsv } from './csv.js';

export interface FileDropOptions {
  readonly channelId: string;
  readonly path: string;
  readonly format: 'gp-connect' | 'csv';
  readonly pollMs: number;
  readonly progressEvery: number;
  /** CSV rows being made durable at once (one patient's rows still one after another); default 64 */
  readonly publishWindow?: number;
  /** counts CSV rows accepted / rejected (junction_gp_csv_rows_total) */
  readonly metrics?: JunctionMetrics;
  readonly intake: RecordIntake;
  /** the CSV layout whose columns a header has */
  readonly layoutFor: (header: readonly string[]) => string | undefined;
  /** the CSV layouts known, with their columns, for the report of a file no layout fits */
  readonly layouts: () => readonly { readonly name: string; readonly columns: readonly string[] }[];
  readonly logger: Logger;
}

export interface FileDrop {
  /** look at the folder now (tests); resolves when every file found is finished */
  scan(): Promise<void>;
  close(): Promise<void>;
}

interface ReportLine {
  readonly line: number;
  readonly status: 'accepted' | 'rejected';
  readonly detail: string;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function reportText(lines: readonly ReportLine[]): string {
  return ['line,status,detail', ...lines.map((l) => [String(l.line), l.status, csvField(l.detail)].join(','))].join('\r\n') + '\r\n';
}

class Unavailable extends Error {}

function lineFor(line: number, result: RecordOutcome): ReportLine {
  if (result.outcome === 'unavailable') throw new Unavailable(result.reason);
  if (result.outcome === 'rejected') return { line, status: 'rejected', detail: result.reason };
  return { line, status: 'accepted', detail: [`message ${result.messageId}`, ...result.warnings].join('; ') };
}

export async function startFileDrop(options: FileDropOptions): Promise<FileDrop> {
  const log = options.logger.child({ channel: options.channelId, transport: 'file-drop' });
  const done = join(options.path, 'done');
  const failed = join(options.path, 'error');
  await mkdir(done, { recursive: true });
  await mkdir(failed, { recursive: true });
  const extension = options.format === 'csv' ? '.csv' : '.json';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const countRows = (outcome: 'accepted' | 'rejected', n: number): void => {
    if (n > 0) options.metrics?.csvRows.inc({ channel: options.channelId, outcome }, n);
  };

  async function finish(file: string, lines: readonly ReportLine[]): Promise<void> {
    const ok = lines.every((l) => l.status === 'accepted');
    const dir = ok ? done : failed;
    let name = basename(file);
    if (existsSync(join(dir, name))) name = `${name.slice(0, -extension.length)}.${Date.now()}${extension}`;
    // the report first (written whole, then renamed), the file last: a file in done/ or error/ has its report
    const report = join(dir, `${name}.report.csv`);
    await writeFile(`${report}.partial`, reportText(lines));
    await rename(`${report}.partial`, report);
    await rename(file, join(dir, name));
    const rejected = lines.filter((l) => l.status === 'rejected').length;
    log.info({ file: name, records: lines.length, rejected, to: ok ? 'done' : 'error' }, 'GP file finished');
  }

  async function csvLines(file: string, text: string): Promise<ReportLine[]> {
    const csv = parseCsv(text);
    const layout = options.layoutFor(csv.header);
    if (layout === undefined) {
      const known = options.layouts().map((l) => `${l.name} (${l.columns.join(', ')})`).join('; ');
      countRows('rejected', 1);
      return [{ line: 1, status: 'rejected', detail: `no CSV layout has the columns of this header (${csv.header.join(', ')}); the layouts are: ${known}` }];
    }
    const lines: ReportLine[] = csv.errors.map((e) => ({ line: e.line, status: 'rejected', detail: e.error }));
    countRows('rejected', lines.length);
    const name = basename(file);
    const started = performance.now();
    let n = 0;
    const outcomes = await options.intake.submitRows(
      options.channelId,
      csv.rows.map((row) => ({ layout, file: name, row: row.line, values: row.values })),
      {
        window: options.publishWindow ?? 64,
        onOutcome: (_i, outcome) => {
          if (outcome.outcome !== 'unavailable') countRows(outcome.outcome, 1);
          if (++n % options.progressEvery === 0) {
            const seconds = (performance.now() - started) / 1000;
            log.info({ file: name, rows: n, of: csv.rows.length, rowsPerSecond: Math.round(n / Math.max(seconds, 0.001)) }, 'GP file in progress');
          }
        },
      },
    );
    outcomes.forEach((outcome, i) => lines.push(lineFor((csv.rows[i] as { line: number }).line, outcome)));
    return lines.sort((a, b) => a.line - b.line);
  }

  async function bundleLines(text: string): Promise<ReportLine[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return [{ line: 1, status: 'rejected', detail: `not JSON: ${(err as Error).message}` }];
    }
    return [lineFor(1, await options.intake.submitBundle(options.channelId, text, parsed))];
  }

  async function processFile(file: string): Promise<void> {
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    try {
      const lines = options.format === 'csv' ? await csvLines(file, text) : await bundleLines(text);
      await finish(file, lines);
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      log.warn({ file: basename(file), reason: err.message }, 'GP file left for later: the pipeline is unavailable');
    }
  }

  async function scanOnce(): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(options.path)).filter((n) => !n.startsWith('.') && extname(n).toLowerCase() === extension).sort();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cannot read the drop folder');
      return;
    }
    for (const n of names) {
      if (closed) return;
      const file = join(options.path, n);
      try {
        const s = await stat(file);
        if (!s.isFile() || Date.now() - s.mtimeMs < Math.min(options.pollMs, 1000)) continue; // still being written
        await processFile(file);
      } catch (err) {
        log.error({ file: n, err: (err as Error).message }, 'a GP file could not be processed');
      }
    }
  }

  const scan = (): Promise<void> => {
    running = running.then(scanOnce);
    return running;
  };
  const tick = (): void => {
    timer = setTimeout(() => {
      void scan().finally(() => {
        if (!closed) tick();
      });
    }, options.pollMs);
    timer.unref();
  };
  tick();
  log.info({ format: options.format }, 'watching a GP drop folder');
  return {
    scan,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
