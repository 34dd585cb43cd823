import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/** Chaos tests: broker restarts and killed processes. One file at a time, nothing else running. */
const reportDir = process.env['JUNCTION_TEST_REPORT_DIR'];

export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    passWithNoTests: true,
    reporters: reportDir ? ['default', 'json'] : ['default'],
    ...(reportDir ? { outputFile: { json: join(reportDir, 'chaos.json') } } : {}),
  },
});
