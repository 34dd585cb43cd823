/**
 * A mapping set that can be reloaded while the engine runs: each reload reads and compiles the whole set
 * again; a valid result replaces the current version in one assignment (a message being mapped keeps the
 * version it started with), an invalid one is kept as the last error and the current version stays.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingSet } from './loader.js';
import { createMapper, type MapperOptions } from './mapper.js';
import type { CompiledMappingSet } from './mapping-set.js';
import { MappingLoadError, type LoadProblem } from './problems.js';
import { createRecordMapper, type RecordMapper } from './record-mapper.js';
import type { Mapper } from './types.js';
import { displayPath } from './yaml-source.js';

export interface MappingVersion {
  readonly set: CompiledMappingSet;
  readonly mapper: Mapper;
  /** the GP feeds' mapper (mappings/gp/) over the same set */
  readonly records: RecordMapper;
  /** sha-256 (first 16 hex digits) of every mapping file's path and content */
  readonly version: string;
  /** file (as shown) → hash of its content */
  readonly files: ReadonlyMap<string, string>;
  readonly loadedAt: Date;
}

export interface FileChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface ReloadError {
  readonly at: Date;
  /** the version of the files that failed to load */
  readonly version: string;
  readonly problems: readonly LoadProblem[];
}

export type ReloadOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'reloaded'; readonly previous: string; readonly version: string; readonly changes: FileChanges }
  | { readonly kind: 'failed'; readonly error: ReloadError; readonly kept: string }
  /** the files are back to the loaded version after a failed reload */
  | { readonly kind: 'recovered'; readonly version: string };

/** Every YAML file under the folders, recursively, sorted, with a hash of its content. */
function fingerprint(dirs: readonly string[]): { version: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue; // removed while listing
      }
      if (stat.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) {
        try {
          files.set(displayPath(path), createHash('sha256').update(readFileSync(path)).digest('hex'));
        } catch {
          // removed while listing: the next change event reloads again
        }
      }
    }
  };
  for (const dir of dirs) walk(dir);
  const all = createHash('sha256');
  for (const [path, hash] of files) all.update(`${path}\0${hash}\n`);
  return { version: all.digest('hex').slice(0, 16), files };
}

function compare(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): FileChanges {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [path, hash] of after) {
    const old = before.get(path);
    if (old === undefined) added.push(path);
    else if (old !== hash) changed.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) removed.push(path);
  return { added, removed, changed };
}

export class LiveMappingSet {
  private version: MappingVersion;
  private error: ReloadError | undefined;

  /** Loads the set; throws MappingLoadError when the files are invalid (the engine does not start then). */
  constructor(
    readonly baseDir: string,
    readonly overlayDirs: readonly string[] = [],
    private readonly options: MapperOptions = {},
  ) {
    this.version = this.load(fingerprint(this.dirs));
  }

  /** the folders this set is read from: the base, then the overlays */
  get dirs(): readonly string[] {
    return [this.baseDir, ...this.overlayDirs];
  }

  get current(): MappingVersion {
    return this.version;
  }

  get lastError(): ReloadError | undefined {
    return this.error;
  }

  private load(print: { version: string; files: Map<string, string> }): MappingVersion {
    const set = loadMappingSet(this.baseDir, this.overlayDirs);
    return { set, mapper: createMapper(set, this.options), records: createRecordMapper(set), version: print.version, files: print.files, loadedAt: new Date() };
  }

  /** Read and compile the files again; swap them in when valid and different. Never throws for invalid files. */
  reload(): ReloadOutcome {
    const print = fingerprint(this.dirs);
    const previous = this.version;
    if (print.version === previous.version) {
      if (this.error === undefined) return { kind: 'unchanged' };
      this.error = undefined;
      return { kind: 'recovered', version: previous.version };
    }
    if (this.error !== undefined && this.error.version === print.version) return { kind: 'failed', error: this.error, kept: previous.version };
    try {
      this.version = this.load(print);
    } catch (err) {
      if (!(err instanceof MappingLoadError)) throw err;
      this.error = { at: new Date(), version: print.version, problems: err.problems };
      return { kind: 'failed', error: this.error, kept: previous.version };
    }
    this.error = undefined;
    return { kind: 'reloaded', previous: previous.version, version: print.version, changes: compare(previous.files, print.files) };
  }
}
