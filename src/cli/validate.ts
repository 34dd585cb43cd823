import { ConfigError, loadConfig } from '../config/load.js';
import { loadMappingSet, MappingLoadError } from '../mapping/index.js';

/** Check the configuration and every channel's mappings; exit 1 with every problem listed. */
export async function runValidate(): Promise<void> {
  try {
    const config = loadConfig(process.env);
    process.stdout.write(`config ${config.configPath}: ok (${config.channels.length} channel(s))\n`);
    const seen = new Set<string>();
    let problems = 0;
    for (const channel of config.channels) {
      const key = channel.overlayDirs.join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        const set = loadMappingSet(config.mappingsDir, channel.overlayDirs);
        process.stdout.write(`mappings for ${channel.id}: ok (${set.files.length} files, structures ${set.structures().join(', ')})\n`);
      } catch (err) {
        if (!(err instanceof MappingLoadError)) throw err;
        problems++;
        process.stdout.write(`mappings for ${channel.id}: ${err.message}\n`);
      }
    }
    if (problems > 0) process.exitCode = 1;
  } catch (err) {
    process.stderr.write(`junction validate: ${(err as Error).message}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  }
}
