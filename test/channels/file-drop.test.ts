/**
 * The GP drop folder with a CSV extract: the per-row report (a bad date is accepted with its warning; an unreadable
 * row is rejected), progress with rows per second, and the rows metric per channel.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startFileDrop } from '../../src/channels/file-drop.js';
import { loadMappingSet } from '../../src/mapping/index.js';
import { createRecordMapper } from '../../src/mapping/record-mapper.js';
import { createJunctionMetrics } from '../../src/observability/metrics.js';
import { createRecordIntake } from '../../src/pipeline/record-intake.js';
import { channel, mappingsDir } from '../support/mapping-harness.js';
import { inMemoryLocalTransport, type LocalUnderTest } from '../pipeline/support/local-factories.js';

const records = createRecordMapper(loadMappingSet(mappingsDir));
const context = channel('gp-csv', 'D81025', 'Histon Road Surgery');

describe('a CSV extract dropped in a GP folder', { timeout: 60_000 }, () => {
  let env: LocalUnderTest | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await env?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports each row (a bad date: accepted with the warning; a broken row: rejected), logs progress with rows/s, counts rows', async () => {
    env = await inMemoryLocalTransport();
    dir = mkdtempSync(join(tmpdir(), 'junction-drop-'));
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (logs.push(JSON.parse(String(chunk))), cb()) }));
    const metrics = createJunctionMetrics();
    const intake = createRecordIntake({ transport: env.transport, logger, channel: () => ({ records, context }), metrics });
    const drop = await startFileDrop({
      channelId: 'gp-csv',
      path: dir,
      format: 'csv',
      pollMs: 60_000,
      progressEvery: 2,
      publishWindow: 3,
      intake,
      metrics,
      layoutFor: (header) => records.layoutFor(header)?.structure,
      layouts: () => records.layouts(),
      logger,
    });
    try {
      writeFileSync(
        join(dir, 'problems.csv'),
        [
          'nhs_number,local_patient_id,problem_id,snomed_code,description,status,onset_date,end_date,recorded_date',
          '9457306147,HRS-1,P-1,38341003,Hypertension,active,10/06/2015,,2015-06-10',
          '9457306147,HRS-1,P-2,195967001,Asthma,resolved,31/02/1972,1990,2009-04-01',
          '9721147834,HRS-2,P-3,44054006,Diabetes,active,2021-03-15,,',
          '9721147834,HRS-2,"P-4,broken',
          '',
        ].join('\r\n'),
      );
      await new Promise((r) => setTimeout(r, 1100)); // a file is read once it has stopped changing
      await drop.scan();
    } finally {
      await drop.close();
    }
    const report = join(dir, 'error', 'problems.csv.report.csv');
    expect(existsSync(report)).toBe(true);
    const lines = readFileSync(report, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('line,status,detail');
    expect(lines[1]).toMatch(/^2,accepted,message problems\.csv:2:[0-9a-f]{16}$/);
    expect(lines[2]).toMatch(/^3,accepted,"message problems\.csv:3:[0-9a-f]{16}; problems\.csv:3\.onset_date \(CsvProblem\.onsetDateTime at mappings\/gp\/csv\/problems\.yaml:\d+:\d+\): not a valid date\/time \(write YYYY-MM-DD, YYYY-MM, YYYY or DD\/MM\/YYYY, /);
    expect(lines[3]).toMatch(/^4,accepted,message /);
    expect(lines[4]).toMatch(/^5,rejected,"a quoted field is not closed/);
    expect(metrics.csvRows.get({ channel: 'gp-csv', outcome: 'accepted' })).toBe(3);
    expect(metrics.csvRows.get({ channel: 'gp-csv', outcome: 'rejected' })).toBe(1);
    expect(metrics.acknowledged.get({ channel: 'gp-csv' })).toBe(3);
    const progress = logs.filter((l) => l['msg'] === 'GP file in progress');
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatchObject({ rows: 2, of: 3, rowsPerSecond: expect.any(Number) });
  });
});
