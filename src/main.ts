import { ConfigError } from './config/load.js';
import { loadConfig } from './config/load.js';
import { startEngine } from './engine.js';
import { createLogger } from './observability/logger.js';

/**
 * Composition root: read the configuration once, build the parts, start, and stop cleanly on
 * SIGINT/SIGTERM. Exits non-zero with a message a person can act on when it cannot start.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`junction: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  let engine;
  try {
    engine = await startEngine(config, logger);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'Junction could not start');
    process.stderr.write(`junction: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    `Junction is running.\n  FHIR API: http://${config.host}:${engine.httpPort}/fhir\n` +
      Object.entries(engine.mllpPorts)
        .map(([id, port]) => `  MLLP channel ${id}: ${config.host}:${port}\n`)
        .join('') +
      `  store: ${config.databaseUrl ? 'PostgreSQL server' : `embedded, in ${config.dataDir}`}\nPress Ctrl+C to stop.\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    engine
      .stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
