/** Watches folders (recursively) and calls back once per burst of changes, after `debounceMs` of quiet. */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface FolderWatcher {
  close(): void;
}

export function watchFolders(
  dirs: readonly string[],
  onChange: (paths: readonly string[]) => void,
  options: { readonly debounceMs: number; readonly onError?: (dir: string, err: Error) => void },
): FolderWatcher {
  const watchers: FSWatcher[] = [];
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = (): void => {
    timer = undefined;
    if (closed) return;
    const paths = [...pending].sort();
    pending = new Set();
    onChange(paths);
  };
  for (const dir of new Set(dirs)) {
    if (!existsSync(dir)) continue;
    try {
      const w = watch(dir, { recursive: true, persistent: false }, (_event, name) => {
        pending.add(name === null ? dir : join(dir, name.toString()));
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(fire, options.debounceMs);
      });
      w.on('error', (err) => options.onError?.(dir, err));
      watchers.push(w);
    } catch (err) {
      options.onError?.(dir, err as Error);
    }
  }
  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
