/** The unmapped report: every segment no rule reads, and every non-empty field no rule reads, with counts. */
import type { Hl7Message } from '../hl7v2/types.js';
import type { UnmappedItem } from './types.js';

/**
 * `PID-13`, `PV1-3` …: the labels of fields of segments the mapping files read, made once and kept
 * (bounded by what the mapping files name, whatever the messages hold).
 */
const fieldLabels = new Map<string, string[]>();

function fieldLabel(segment: string, field: number): string {
  let labels = fieldLabels.get(segment);
  if (labels === undefined) fieldLabels.set(segment, (labels = []));
  return (labels[field] ??= `${segment}-${field}`);
}

function count(counts: Map<string, number>, path: string): void {
  counts.set(path, (counts.get(path) ?? 0) + 1);
}

/** Per segment name, whether each field number is read: an array indexed by field number, made once per read set. */
const readTables = new WeakMap<ReadonlyMap<string, ReadonlySet<number>>, Map<string, readonly boolean[]>>();

function readTable(reads: ReadonlyMap<string, ReadonlySet<number>>): Map<string, readonly boolean[]> {
  let table = readTables.get(reads);
  if (table === undefined) {
    table = new Map();
    for (const [segment, fields] of reads) {
      const read: boolean[] = [];
      for (const f of fields) read[f] = true;
      for (let i = 0; i < read.length; i++) read[i] ??= false; // packed, so that reading past a hole is not slow
      table.set(segment, read);
    }
    readTables.set(reads, table);
  }
  return table;
}

export function unmappedItems(message: Hl7Message, reads: ReadonlyMap<string, ReadonlySet<number>>): UnmappedItem[] {
  const counts = new Map<string, number>();
  const separator = message.delimiters.field;
  const table = readTable(reads);
  for (const seg of message.segments) {
    const read = table.get(seg.name);
    if (read === undefined) {
      count(counts, seg.name);
      continue;
    }
    // one pass over the segment text: piece k after the name is field k (MSH-k+1: MSH-1 is the separator itself)
    const shift = seg.name === 'MSH' ? 1 : 0;
    if (shift === 1 && read[1] !== true) count(counts, fieldLabel(seg.name, 1));
    const raw = seg.raw;
    let field = shift;
    for (let open = raw.indexOf(separator); open !== -1; ) {
      const next = raw.indexOf(separator, open + 1);
      field++;
      const end = next === -1 ? raw.length : next;
      if (end > open + 1 && read[field] !== true) count(counts, fieldLabel(seg.name, field));
      open = next;
    }
  }
  const items: UnmappedItem[] = [];
  for (const [path, n] of counts) items.push({ path, count: n });
  return items;
}
