/**
 * `junction map FILE [--channel ID] [--unmapped] [--explain [--json]]`: map one input file (any input kind
 * fixtures know: `.hl7` message, `.json` GP Connect record, `.csv` GP extract) with the mapping files, and
 * print the result, only what was not mapped, or where each output element came from. No engine needed.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { FIXTURE_KINDS, kindFor } from '../golden/index.js';
import { Hl7ParseError } from '../hl7v2/index.js';
import { MappingLoadError, type MapResult } from '../mapping/index.js';
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

/** The fields `junction map` prints of a result, in this order. */
function shown(r: MapResult, unmappedOnly: boolean): unknown {
  return unmappedOnly
    ? { unmapped: r.unmapped, warnings: r.warnings }
    : { bundle: r.bundle, unmapped: r.unmapped, warnings: r.warnings, preserve: r.preserve, labels: r.labels };
}

export async function runMap(file: string, options: MapOptions): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const channel = options.channel ? config.channels.find((c) => c.id === options.channel) : config.channels[0];
    if (!channel) {
      throw new Error(`no channel "${options.channel}" in ${config.configPath}; channels are: ${config.channels.map((c) => c.id).join(', ')}`);
    }
    if (!existsSync(file)) throw new Error(`cannot read ${file}: ENOENT`);
    const found = kindFor(basename(file));
    if (found === undefined) {
      const endings = FIXTURE_KINDS.flatMap((k) => k.extensions.map((e) => `${e} (${k.name})`)).join(', ');
      throw new Error(`cannot tell what ${file} holds from its name: junction map reads ${endings}`);
    }
    const mapFile = found.kind.prepare({
      mappingsDir: config.mappingsDir,
      overlayDirs: channel.overlayDirs,
      channel: { id: channel.id, organisation: { odsCode: channel.organisation.odsCode, ...(channel.organisation.name ? { name: channel.organisation.name } : {}) } },
      explain: options.explain === true,
    });
    const produced = mapFile(file);
    // one result (a message, a record) or one per CSV row
    const results = (Array.isArray(produced.output) ? produced.output : [produced.output]) as MapResult[];
    const many = Array.isArray(produced.output);
    if (options.explain) {
      const explained = produced.explained ?? [];
      if (options.json) {
        const per = results.map((r, i) => ({ elements: explained[i] ?? [], unmapped: r.unmapped, warnings: r.warnings }));
        process.stdout.write(`${JSON.stringify(many ? per : per[0], null, 2)}\n`);
      } else {
        const tables = results.map((r, i) => `${many ? `— result ${i + 1} of ${results.length}\n` : ''}${explainTable(explained[i] ?? [], r.unmapped, r.warnings)}`);
        process.stdout.write(tables.join('\n'));
      }
      return;
    }
    const out = results.map((r) => shown(r, options.unmapped === true));
    process.stdout.write(`${JSON.stringify(many ? out : out[0], null, 2)}\n`);
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof Hl7ParseError || err instanceof MappingLoadError || err instanceof MappingError;
    const where = err instanceof MappingError && err.where ? ` (at ${err.where})` : '';
    process.stderr.write(`junction map: ${(err as Error).message}${where}\n`);
    if (!known && !(err instanceof Error)) process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  }
}
