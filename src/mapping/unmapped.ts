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

export function unmappedItems(message: Hl7Message, reads: ReadonlyMap<string, ReadonlySet<number>>): UnmappedItem[] {
  const counts = new Map<string, number>();
  const separator = message.delimiters.field;
  for (const seg of message.segments) {
    const fields = reads.get(seg.name);
    if (fields === undefined) {
      count(counts, seg.name);
      continue;
    }
    // one pass over the segment text: piece k after the name is field k (MSH-k+1: MSH-1 is the separator itself)
    const shift = seg.name === 'MSH' ? 1 : 0;
    if (shift === 1 && !fields.has(1)) count(counts, fieldLabel(seg.name, 1));
    const raw = seg.raw;
    let field = shift;
    for (let open = raw.indexOf(separator); open !== -1; ) {
      const next = raw.indexOf(separator, open + 1);
      field++;
      const end = next === -1 ? raw.length : next;
      if (end > open + 1 && !fields.has(field)) count(counts, fieldLabel(seg.name, field));
      open = next;
    }
  }
  const items: UnmappedItem[] = [];
  for (const [path, n] of counts) items.push({ path, count: n });
  return items;
}
