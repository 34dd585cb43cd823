#!/usr/bin/env node
// The `junction` command. Runs the compiled CLI (npm run build); during development use `npx tsx src/cli/main.ts`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('junction: the compiled CLI is missing (dist/cli/main.js). Run `npm run build` first.\n');
  process.exit(1);
}
await import(compiled.href);
