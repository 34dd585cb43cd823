/**
 * The engine's mapping sets, one per distinct overlay list, each shared by the channels that use it;
 * watched and reloaded while the engine runs. A valid change swaps the channel runtimes in one step
 * (a message being mapped finishes on the version it started with, the next one uses the new version);
 * an invalid change is logged with file:line and kept as the set's last error, and the previous version
 * stays in use. GET /admin/mappings shows each set's version, when it loaded and the last reload error.
 */
import type { Logger } from 'pino';
import type { JunctionConfig } from './config/schema.js';
import type { Hl7Message } from './hl7v2/types.js';
import { LiveMappingSet, type ReloadOutcome } from './mapping/live.js';
import type { RecordMapper } from './mapping/record-mapper.js';
import type { ChannelContext, Mapper } from './mapping/types.js';
import { watchFolders, type FolderWatcher } from './mapping/watch.js';

export interface ChannelRuntime {
  readonly mapper: Mapper;
  readonly context: ChannelContext;
  readonly unsupported: (message: Hl7Message) => string | undefined;
  /** GP feeds (GP Connect bundles, CSV rows): mappings/gp/ */
  readonly records: RecordMapper;
}

export interface EngineMappingsOptions {
  /** watch the mapping folders and reload on change (default true) */
  readonly watch?: boolean;
  /** quiet time after the last change before reloading (default 300 ms) */
  readonly debounceMs?: number;
}

interface SetEntry {
  readonly live: LiveMappingSet;
  readonly channels: readonly JunctionConfig['channels'][number][];
  lastReload: { at: Date; outcome: ReloadOutcome['kind'] } | undefined;
}

export interface EngineMappings {
  /** the current runtime of a channel (looked up per message) */
  channel(id: string): ChannelRuntime | undefined;
  /** reload every set now (what a change event does); returns what happened to each */
  reloadAll(): ReloadOutcome[];
  /** for GET /admin/mappings */
  status(): unknown;
  close(): void;
}

function contextOf(c: JunctionConfig['channels'][number]): ChannelContext {
  return { id: c.id, organisation: { odsCode: c.organisation.odsCode, ...(c.organisation.name ? { name: c.organisation.name } : {}) } };
}

/** Load every channel's mappings (throws MappingLoadError: the engine does not start on invalid files) and watch them. */
export function startEngineMappings(config: JunctionConfig, logger: Logger, options: EngineMappingsOptions = {}): EngineMappings {
  const sets = new Map<string, SetEntry>();
  for (const c of config.channels) {
    const key = c.overlayDirs.join('\n');
    const known = sets.get(key);
    if (known) (known.channels as JunctionConfig['channels'][number][]).push(c);
    else sets.set(key, { live: new LiveMappingSet(config.mappingsDir, c.overlayDirs), channels: [c], lastReload: undefined });
  }
  let runtimes = new Map<string, ChannelRuntime>();
  const publish = (): void => {
    const next = new Map<string, ChannelRuntime>();
    for (const entry of sets.values()) {
      const { set, mapper, records } = entry.live.current;
      for (const c of entry.channels) next.set(c.id, { mapper, records, context: contextOf(c), unsupported: (m) => set.unsupported(m) });
    }
    runtimes = next; // one assignment: the next lookup sees every channel's new version
  };
  publish();

  const reloadAll = (): ReloadOutcome[] => {
    const outcomes: ReloadOutcome[] = [];
    for (const entry of sets.values()) {
      const channels = entry.channels.map((c) => c.id);
      let outcome: ReloadOutcome;
      try {
        outcome = entry.live.reload();
      } catch (err) {
        logger.error({ channels, err: (err as Error).message }, 'mappings reload failed unexpectedly; keeping the loaded version');
        continue;
      }
      outcomes.push(outcome);
      if (outcome.kind === 'unchanged') continue;
      entry.lastReload = { at: new Date(), outcome: outcome.kind };
      if (outcome.kind === 'reloaded') {
        logger.info({ channels, version: outcome.version, previous: outcome.previous, ...outcome.changes }, 'mappings reloaded');
      } else if (outcome.kind === 'recovered') {
        logger.info({ channels, version: outcome.version }, 'mapping files are back to the loaded version; reload error cleared');
      } else {
        logger.error(
          { channels, kept: outcome.kept, problems: outcome.error.problems.map((p) => `${p.where} — ${p.what} — ${p.fix}`) },
          'mappings reload failed; keeping the previous version',
        );
      }
    }
    if (outcomes.some((o) => o.kind === 'reloaded')) publish();
    return outcomes;
  };

  let watcher: FolderWatcher | undefined;
  if (options.watch !== false) {
    const dirs = new Set<string>();
    for (const entry of sets.values()) for (const d of entry.live.dirs) dirs.add(d);
    watcher = watchFolders([...dirs], () => reloadAll(), {
      debounceMs: options.debounceMs ?? 300,
      onError: (dir, err) => logger.warn({ dir, err: err.message }, 'cannot watch a mapping folder; changes there need a restart'),
    });
  }

  return {
    channel: (id) => runtimes.get(id),
    reloadAll,
    status: () => ({
      watching: watcher !== undefined,
      sets: [...sets.values()].map((entry) => {
        const v = entry.live.current;
        const error = entry.live.lastError;
        return {
          channels: entry.channels.map((c) => c.id),
          folders: entry.live.dirs,
          version: v.version,
          loadedAt: v.loadedAt.toISOString(),
          files: v.files.size,
          structures: v.set.structures(),
          lastReload: entry.lastReload ? { at: entry.lastReload.at.toISOString(), outcome: entry.lastReload.outcome } : null,
          lastError: error ? { at: error.at.toISOString(), version: error.version, problems: error.problems } : null,
        };
      }),
    }),
    close: () => watcher?.close(),
  };
}
