import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/load.js';
import { Hl7ParseError, parseMessage } from '../hl7v2/index.js';
import { createMapper, loadMappingSet, MappingLoadError } from '../mapping/index.js';
import { MappingError } from '../mapping/types.js';

export async function runMap(file: string, options: { channel?: string; unmapped?: boolean }): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const channel = options.channel ? config.channels.find((c) => c.id === options.channel) : config.channels[0];
    if (!channel) {
      throw new Error(`no channel "${options.channel}" in ${config.configPath}; channels are: ${config.channels.map((c) => c.id).join(', ')}`);
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const message = parseMessage(text);
    const mapper = createMapper(loadMappingSet(config.mappingsDir, channel.overlayDirs));
    const result = mapper.map(message, {
      id: channel.id,
      organisation: { odsCode: channel.organisation.odsCode, ...(channel.organisation.name ? { name: channel.organisation.name } : {}) },
    });
    const output = options.unmapped
      ? { unmapped: result.unmapped, warnings: result.warnings }
      : { bundle: result.bundle, unmapped: result.unmapped, warnings: result.warnings, preserve: result.preserve, labels: result.labels };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof Hl7ParseError || err instanceof MappingLoadError || err instanceof MappingError;
    const where = err instanceof MappingError && err.where ? ` (at ${err.where})` : '';
    process.stderr.write(`junction map: ${(err as Error).message}${where}\n`);
    if (!known && !(err instanceof Error)) process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  }
}
