/**
 * The benchmarks measure the code production runs: the tsc output (as `npm run build` makes it into dist/),
 * not the TypeScript sources run through tsx, whose on-the-fly transform is slower (it keeps function
 * names, among other things). This compiles the entry points a benchmark needs, fresh, with the build's
 * compiler options (tsconfig.build.json) but no type check, into node_modules/.cache/junction-bench/
 * (inside the project, so that the compiled modules find their dependencies), and returns that folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Compile `entries` (paths under src/, e.g. `mapping/index.ts`) and what they import; the output folder. */
export function compileSources(name: string, entries: readonly string[]): string {
  const out = join(root, 'node_modules', '.cache', 'junction-bench', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const config = {
    extends: join(root, 'tsconfig.build.json'),
    compilerOptions: { rootDir: join(root, 'src'), outDir: out, sourceMap: false, noCheck: true },
    include: [],
    files: entries.map((e) => join(root, 'src', e)),
  };
  const configPath = join(out, 'tsconfig.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', configPath], { cwd: root, stdio: 'inherit' });
  return out;
}

/** Import a module of the compiled output: `load(out, 'mapping/index.js')`. */
export async function load<T>(out: string, path: string): Promise<T> {
  return (await import(pathToFileURL(join(out, path)).href)) as T;
}
