import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/load.js';
import { Hl7ParseError, parseMessage } from '../hl7v2/index.js';
import { createMapper, loadMappingSet, MappingLoadError } from '../mapping/index.js';
import { MappingError } from '../mapping/types.js';
import { explainTable } from './explain-format.js';

export interface MapOptions {
  readonly channel?: string;
  readonly unmapped?: boolean;
  /** which mapping file:line, template and rule made each output element (compiles the explaining variant) */
  readonly explain?: boolean;
  /** with --explain: JSON instead of a table */
  readonly json?: boolean;
}

export async function runMap(file: string, options: MapOptions): Promise<void> {
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
    const set = loadMappingSet(config.mappingsDir, channel.overlayDirs, { explain: options.explain === true });
    const mapper = createMapper(set);
    const result = mapper.map(message, {
      id: channel.id,
      organisation: { odsCode: channel.organisation.odsCode, ...(channel.organisation.name ? { name: channel.organisation.name } : {}) },
    });
    if (options.explain && set.explainer) {
      const elements = set.explainer.explain(result.bundle);
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ elements, unmapped: result.unmapped, warnings: result.warnings }, null, 2)}\n`
          : explainTable(elements, result.unmapped, result.warnings),
      );
      return;
    }
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
