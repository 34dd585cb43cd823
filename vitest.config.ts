import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The main suite. Files run in parallel; the chaos suite (test/chaos, which restarts RabbitMQ and
 * kills processes) runs afterwards on its own, from vitest.chaos.config.ts.
 * With JUNCTION_TEST_REPORT_DIR set (CI), a JSON report is written there too.
 */
const reportDir = process.env['JUNCTION_TEST_REPORT_DIR'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/chaos/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: reportDir ? ['default', 'json'] : ['default'],
    ...(reportDir ? { outputFile: { json: join(reportDir, 'main.json') } } : {}),
  },
});
