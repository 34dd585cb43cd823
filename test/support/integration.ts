/**
 * Integration suites need a real PostgreSQL or RabbitMQ. They run when their URL variable is set
 * (CI sets both) and otherwise say they were skipped and how to run them. With
 * JUNCTION_REQUIRE_INTEGRATION=1 (set by .ci/run) a missing URL is an error, so CI can never pass
 * by skipping them.
 */
const HOW: Record<string, string> = {
  JUNCTION_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  JUNCTION_TEST_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
};

export function integrationUrl(variable: 'JUNCTION_TEST_DATABASE_URL' | 'JUNCTION_TEST_AMQP_URL', suite: string): string | undefined {
  const url = process.env[variable];
  if (url) return url;
  const how = `set ${variable}=${HOW[variable]} to run`;
  if (process.env['JUNCTION_REQUIRE_INTEGRATION'] === '1') {
    throw new Error(`${suite}: ${variable} is not set, but JUNCTION_REQUIRE_INTEGRATION=1 requires the integration tests to run (${how})`);
  }
  console.warn(`${suite} skipped: ${variable} is not set (${how}).`);
  return undefined;
}

export function skippedTitle(variable: string, suite: string): string {
  return `${suite} — skipped: set ${variable} to run`;
}
