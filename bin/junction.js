#!/usr/bin/env node
// The `junction` command. Runs the compiled CLI (dist/, made by `npm run build` or `npm start`);
// in a development checkout without a build it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);

if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else if (existsSync(fileURLToPath(source))) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('junction: no build found (dist/) and tsx is not installed. Run `npm install && npm run build` first.\n');
    process.exit(1);
  }
  register();
  await import(source.href);
} else {
  process.stderr.write('junction: the compiled CLI is missing (dist/cli/main.js). Run `npm run build` first.\n');
  process.exit(1);
}
