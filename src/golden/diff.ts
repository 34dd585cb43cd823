/** Differences between two JSON values, as paths (`bundle.entry[0].resource.name[0].family`): expected vs actual. */

export interface Difference {
  readonly path: string;
  /** undefined: the element is not in the expected output */
  readonly expected: unknown;
  /** undefined: the element is not in the actual output */
  readonly actual: unknown;
}

export interface Differences {
  /** the first differences found, in document order (at most the limit asked for) */
  readonly first: readonly Difference[];
  readonly total: number;
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? safe : `${path}.${safe}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Compare two JSON values (as read from JSON: no undefined members, no cycles). */
export function jsonDifferences(expected: unknown, actual: unknown, limit = 10): Differences {
  const first: Difference[] = [];
  let total = 0;
  const note = (path: string, e: unknown, a: unknown): void => {
    total++;
    if (first.length < limit) first.push({ path: path === '' ? '(root)' : path, expected: e, actual: a });
  };
  const walk = (path: string, e: unknown, a: unknown): void => {
    if (Array.isArray(e) && Array.isArray(a)) {
      const n = Math.max(e.length, a.length);
      for (let i = 0; i < n; i++) {
        if (i >= e.length) note(child(path, i), undefined, a[i]);
        else if (i >= a.length) note(child(path, i), e[i], undefined);
        else walk(child(path, i), e[i], a[i]);
      }
      return;
    }
    if (isObject(e) && isObject(a)) {
      for (const key of Object.keys(e)) {
        if (!(key in a)) note(child(path, key), e[key], undefined);
        else walk(child(path, key), e[key], a[key]);
      }
      for (const key of Object.keys(a)) if (!(key in e)) note(child(path, key), undefined, a[key]);
      return;
    }
    if (e !== a) note(path, e, a);
  };
  walk('', expected, actual);
  return { first, total };
}

/** A value shown on one line: JSON, cut to `max` characters; `(absent)` for a missing element. */
export function showValue(v: unknown, max = 160): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
