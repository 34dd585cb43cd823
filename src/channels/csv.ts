/**
 * CSV as RFC 4180 writes it (and as GP systems export it): comma-separated, fields quoted with " when they
 * hold commas, quotes ("" inside) or line breaks; CRLF or LF line ends; an optional UTF-8 byte order mark.
 * The first record is the header; column names are trimmed and lower-cased. A record whose field count
 * differs from the header's is an error of that row; blank lines are skipped.
 */
export interface CsvRow {
  /** the line the record starts on (the header is line 1) */
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

export interface CsvRowError {
  readonly line: number;
  readonly error: string;
}

export interface CsvFile {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
  readonly errors: readonly CsvRowError[];
}

interface RawRecord {
  readonly line: number;
  readonly fields: string[];
  readonly error?: string;
}

function* records(text: string): Generator<RawRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    for (;;) {
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) error = 'a quoted field is not closed (a " is missing)';
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          error ??= 'text after a closing quote (write "" for a quote inside a quoted field)';
          i++;
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field);
      field = '';
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (fields.length === 1 && fields[0]?.trim() === '' && error === undefined) continue; // a blank line
    yield { line: start, fields, ...(error !== undefined ? { error } : {}) };
  }
}

export function parseCsv(text: string): CsvFile {
  const all = records(text);
  const first = all.next();
  if (first.done) return { header: [], rows: [], errors: [{ line: 1, error: 'the file is empty: the first line must name the columns' }] };
  const header = first.value.fields.map((h) => h.trim().toLowerCase());
  const rows: CsvRow[] = [];
  const errors: CsvRowError[] = [];
  if (first.value.error !== undefined) errors.push({ line: first.value.line, error: `header: ${first.value.error}` });
  for (const r of all) {
    if (r.error !== undefined) {
      errors.push({ line: r.line, error: r.error });
      continue;
    }
    if (r.fields.length !== header.length) {
      errors.push({ line: r.line, error: `${r.fields.length} fields, but the header names ${header.length} columns` });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((h, k) => {
      values[h] = (r.fields[k] as string).trim();
    });
    rows.push({ line: r.line, values });
  }
  return { header, rows, errors };
}
