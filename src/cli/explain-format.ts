/**
 * `junction map --explain` in a terminal: per bundle entry a heading (resource, template, file:line), then
 * one line per element of the resource in aligned columns: path, value, mapping file:line, rule, message
 * place read. The JSON form (--json) has every element, including those the engine writes (fullUrl, request).
 */
import type { ExplainedElement } from '../mapping/index.js';
import type { UnmappedItem } from '../mapping/types.js';

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const ENTRY = /^entry\[(\d+)\]\.(.*)$/;

export function explainTable(rows: readonly ExplainedElement[], unmapped: readonly UnmappedItem[], warnings: readonly string[]): string {
  const out: string[] = [];
  const envelope = rows.filter((r) => !ENTRY.test(r.path));
  out.push(`Bundle ${envelope.map((r) => `${r.path} ${JSON.stringify(r.value)}`).join(', ')}`);
  const entries = new Map<number, ExplainedElement[]>();
  for (const r of rows) {
    const m = ENTRY.exec(r.path);
    if (m === null || !(m[2] as string).startsWith('resource.')) continue;
    const i = Number(m[1]);
    if (!entries.has(i)) entries.set(i, []);
    entries.get(i)?.push({ ...r, path: (m[2] as string).slice('resource.'.length) });
  }
  const all = [...entries.values()].flat().filter((r) => r.path !== 'resourceType' && r.path !== 'id');
  const widths = [
    Math.min(48, Math.max(0, ...all.map((r) => r.path.length))),
    Math.min(32, Math.max(0, ...all.map((r) => JSON.stringify(r.value).length))),
    Math.max(0, ...all.map((r) => (r.where ?? '?').length)),
    Math.min(40, Math.max(0, ...all.map((r) => (r.rule ?? '?').length))),
  ];
  for (const [i, elements] of entries) {
    const type = elements.find((r) => r.path === 'resourceType');
    const id = elements.find((r) => r.path === 'id');
    out.push('', `entry[${i}] ${String(type?.value)}/${String(id?.value)}  template ${type?.rule?.replace(/ \(resourceType\)$/, '') ?? '?'}  ${type?.where ?? ''}`);
    for (const r of elements) {
      if (r.path === 'resourceType' || r.path === 'id') continue;
      const cells = [cut(r.path, widths[0] as number), cut(JSON.stringify(r.value), widths[1] as number), r.where ?? '?', cut(r.rule ?? '?', widths[3] as number)];
      out.push(`  ${cells.map((c, k) => c.padEnd(widths[k] as number)).join('  ')}  ${r.input ?? ''}`.trimEnd());
    }
  }
  out.push('', unmapped.length === 0 ? 'unmapped: nothing' : `unmapped: ${unmapped.map((u) => (u.count > 1 ? `${u.path} (${u.count})` : u.path)).join(', ')}`);
  for (const w of warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
