/**
 * `npm run bench`: runs every benchmark in turn, each in its own process, and prints its figures.
 * Figures only; nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const benches = ['hl7v2-parse.ts', 'mapping.ts', 'local-transport.ts', 'gp-csv.ts', 'mllp-roundtrip.ts', 'pipeline-amqp.ts', 'store-postgres.ts'];
// `npm run bench -- mapping store` runs those; options after the names (`--workers 0`) go to each bench run
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const only = firstOption < 0 ? args : args.slice(0, firstOption);
const passOn = firstOption < 0 ? [] : args.slice(firstOption);
let failed = 0;
for (const file of benches) {
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  const path = join(import.meta.dirname, file);
  if (!existsSync(path)) continue;
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path, ...passOn], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (failed > 0) process.exitCode = 1;
