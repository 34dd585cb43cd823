/** The unmapped report: every segment no rule reads, and every non-empty field no rule reads, with counts. */
import type { Hl7Message } from '../hl7v2/types.js';
import type { UnmappedItem } from './types.js';

/** Labels made once (`PID-13`) are kept up to this field number; later ones are made when found. */
const LABELLED_FIELDS = 100;

/** What the report needs of one segment name the rules read, worked out once per read set. */
interface SegmentReads {
  /** per field number, whether a rule reads it (packed: reading past a hole is not slow) */
  readonly read: readonly boolean[];
  /** per field number, its label, made when first needed */
  readonly labels: string[];
}

const readTables = new WeakMap<ReadonlyMap<string, ReadonlySet<number>>, Map<string, SegmentReads>>();

function readTable(reads: ReadonlyMap<string, ReadonlySet<number>>): Map<string, SegmentReads> {
  let table = readTables.get(reads);
  if (table === undefined) {
    table = new Map();
    for (const [segment, fields] of reads) {
      const read: boolean[] = [];
      for (const f of fields) read[f] = true;
      for (let i = 0; i < read.length; i++) read[i] ??= false;
      table.set(segment, { read, labels: [] });
    }
    readTables.set(reads, table);
  }
  return table;
}

function label(segment: string, reads: SegmentReads, field: number): string {
  if (field > LABELLED_FIELDS) return `${segment}-${field}`;
  return (reads.labels[field] ??= `${segment}-${field}`);
}

function count(counts: Map<string, number>, path: string): void {
  counts.set(path, (counts.get(path) ?? 0) + 1);
}

export function unmappedItems(message: Hl7Message, reads: ReadonlyMap<string, ReadonlySet<number>>): UnmappedItem[] {
  const counts = new Map<string, number>();
  const table = readTable(reads);
  for (const seg of message.segments) {
    const known = table.get(seg.name);
    if (known === undefined) {
      count(counts, seg.name);
      continue;
    }
    // the segment's field positions are usually known already (its fields were read): no second scan
    const read = known.read;
    const fields = seg.fieldCount;
    for (let f = 1; f <= fields; f++) {
      if (read[f] !== true && !seg.isFieldEmpty(f)) count(counts, label(seg.name, known, f));
    }
  }
  const items: UnmappedItem[] = [];
  for (const [path, n] of counts) items.push({ path, count: n });
  return items;
}
