import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { envSchema } from '../../src/config/schema.js';

const good = `
channels:
  - id: rgt-adt
    name: Test feed
    organisation: { odsCode: RGT }
    source: { type: mllp, port: 2575 }
`;

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('applies defaults and resolves paths against the config file', () => {
    const c = parseConfigText(good, '/etc/junction/junction.yaml');
    expect(c.mappingsDir).toBe('/etc/junction/mappings');
    expect(c.httpPort).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.channels[0]?.source).toMatchObject({ port: 2575, maxFrameBytes: 1048576, idleTimeoutMs: 300000 });
    expect(c.pipeline).toEqual({ maxAttempts: 5, backoffMs: 200, maxBackoffMs: 30000, concurrency: 8, recordsBatch: 100 });
  });

  it('lets JUNCTION_MLLP_PORT override the first channel only', () => {
    const env = envSchema.parse({ JUNCTION_MLLP_PORT: '3000', JUNCTION_HTTP_PORT: '9090' });
    const two = `${good}  - id: other\n    name: Other\n    organisation: { odsCode: RXX }\n    source: { type: mllp, port: 2576 }\n`;
    const c = parseConfigText(two, '/x/junction.yaml', env);
    expect(c.channels.map((ch) => (ch.source.type === 'mllp' ? ch.source.port : undefined))).toEqual([3000, 2576]);
    expect(c.httpPort).toBe(9090);
  });

  it('reports file:line:column and the path of a bad value', () => {
    const bad = good.replace('odsCode: RGT', 'odsCode: rgt');
    const err = errorOf(() => parseConfigText(bad, '/x/junction.yaml'));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^\/x\/junction\.yaml:5:\d+ at channels\.0\.organisation\.odsCode: an ODS code is/);
  });

  it('rejects unknown keys instead of ignoring them', () => {
    const err = errorOf(() => parseConfigText(good.replace('name: Test feed', 'name: Test feed\n    nmae: typo'), '/x/j.yaml'));
    expect(err.message).toMatch(/nmae/);
  });

  it('reports YAML syntax errors with their line', () => {
    const err = errorOf(() => parseConfigText('channels:\n  - id: [unclosed\n', '/x/j.yaml'));
    expect(err.issues[0]).toMatch(/^\/x\/j\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('refuses two channels on one port and duplicate ids', () => {
    const dup = `${good}  - id: rgt-adt\n    name: Again\n    organisation: { odsCode: RGT }\n    source: { type: mllp, port: 2575 }\n`;
    const err = errorOf(() => parseConfigText(dup, '/x/j.yaml'));
    expect(err.issues.join('\n')).toMatch(/used twice/);
    expect(err.issues.join('\n')).toMatch(/both listen on port 2575/);
  });

  it('rejects a bad environment value with its name', () => {
    const result = envSchema.safeParse({ JUNCTION_HTTP_PORT: 'eighty' });
    expect(result.success).toBe(false);
  });
});

describe('config: deployment roles', () => {
  it('refuses a partial role without RabbitMQ and PostgreSQL, saying what to set', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    expect(() => loadConfig({ JUNCTION_ROLE: 'worker' })).toThrow(/JUNCTION_AMQP_URL and JUNCTION_DATABASE_URL/);
  });

  it('reads the server URLs and checks their form', () => {
    const env = envSchema.parse({ JUNCTION_DATABASE_URL: 'postgres://u@db/j', JUNCTION_AMQP_URL: 'amqp://g:g@mq:5672', JUNCTION_ROLE: 'worker', JUNCTION_PARTITIONS: '16' });
    const c = parseConfigText(good, '/x/j.yaml', env);
    expect(c).toMatchObject({ databaseUrl: 'postgres://u@db/j', amqpUrl: 'amqp://g:g@mq:5672', role: 'worker', partitions: 16 });
    expect(envSchema.safeParse({ JUNCTION_DATABASE_URL: 'mysql://x' }).success).toBe(false);
  });
});
