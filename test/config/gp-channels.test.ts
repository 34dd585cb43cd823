/** GP channel sources in junction.yaml: http (a bearer token, from the file or the environment) and file-drop. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { envSchema } from '../../src/config/schema.js';

const config = (source: string) => `
channels:
  - id: rgt-adt
    name: ADT
    organisation: { odsCode: RGT }
    source: { type: mllp, port: 2575 }
  - id: gp
    name: GP
    organisation: { odsCode: D81025 }
    source: ${source}
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfigText(text, '/x/junction.yaml', envSchema.parse({}), env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('GP channel configuration', () => {
  it('takes an http channel token from the environment variable tokenEnv names', () => {
    const c = parseConfigText(config('{ type: http, tokenEnv: JUNCTION_GP_TOKEN }'), '/x/junction.yaml', envSchema.parse({}), { JUNCTION_GP_TOKEN: 'a-token-of-enough-length' });
    const source = c.channels[1]?.source;
    expect(source).toMatchObject({ type: 'http', format: 'gp-connect', token: 'a-token-of-enough-length', maxBodyBytes: 10 * 1024 * 1024 });
  });

  it('says which variable is missing, and that an http channel needs a token', () => {
    expect(problems(config('{ type: http, tokenEnv: JUNCTION_GP_TOKEN }'))).toMatch(/channel "gp" takes its token from JUNCTION_GP_TOKEN, which is not set/);
    expect(problems(config('{ type: http }'))).toMatch(/junction\.yaml:\d+:\d+ at channels\.1\.source: give the channel token/);
  });

  it('resolves a drop folder against the config file and checks the format', () => {
    const c = parseConfigText(config('{ type: file-drop, path: drop/gp, format: csv }'), '/x/junction.yaml');
    expect(c.channels[1]?.source).toEqual({ type: 'file-drop', path: '/x/drop/gp', format: 'csv', pollMs: 2000, progressEvery: 1000, publishWindow: 64 });
    expect(problems(config('{ type: file-drop, path: drop, format: xml }'))).toMatch(/channels\.1\.source\.format/);
    expect(problems(config('{ type: file-drop, path: drop, format: csv, publishWindow: 0 }'))).toMatch(/channels\.1\.source\.publishWindow/);
  });
});
