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

export function unmappedItems(message: Hl7Message, reads: ReadonlyMap<string, ReadonlySet<number>>): UnmappedItem[] {
  const counts = new Map<string, number>();
  for (const seg of message.segments) {
    const fields = reads.get(seg.name);
    let path: string | undefined;
    if (fields === undefined) {
      path = seg.name;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      continue;
    }
    const n = seg.fieldCount;
    for (let f = 1; f <= n; f++) {
      if (fields.has(f)) continue;
      const raw = seg.rawField(f);
      if (raw === undefined || raw === '') continue;
      path = fieldLabel(seg.name, f);
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
  }
  const items: UnmappedItem[] = [];
  for (const [path, count] of counts) items.push({ path, count });
  return items;
}
