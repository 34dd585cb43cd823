/**
 * What the mapping rule and corpus tests share: where things are, how a recorded message is read
 * (as bytes, decoded the way a channel decodes them), and one mapper built from the repository's mappings.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToText, parseMessage } from '../../src/hl7v2/index.js';
import type { Hl7Message } from '../../src/hl7v2/index.js';
import { createMapper, loadMappingSet } from '../../src/mapping/index.js';
import type { ChannelContext, Mapper } from '../../src/mapping/types.js';

/** The repository root (this file is test/support/mapping-harness.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const mappingsDir = resolve(repoRoot, 'mappings');
export const hl7FixturesDir = resolve(repoRoot, 'fixtures/hl7v2');

export function readHl7(path: string): Hl7Message {
  return parseMessage(bytesToText(readFileSync(path)));
}

/** A mapper over the base mapping set in mappings/ (no channel overlays). */
export function createRepositoryMapper(): Mapper {
  return createMapper(loadMappingSet(mappingsDir));
}

export function channel(id: string, odsCode: string, name: string): ChannelContext {
  return { id, organisation: { odsCode, name } };
}
