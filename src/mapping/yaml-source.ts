import { readFileSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import type { Problems } from './problems.js';

export type YamlPath = readonly (string | number)[];

/** A YAML file as read: its data plus what is needed to turn a data path back into file:line:column. */
export interface SourceFile {
  /** path as given to the loader */
  readonly path: string;
  /** path shown in messages (relative to the working directory when inside it) */
  readonly display: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly data: unknown;
}

/** A place in a mapping file: the file and the data path inside it. */
export interface Loc {
  readonly file: SourceFile;
  readonly path: YamlPath;
}

/** The place `steps` further into the file than `loc`. */
export function at(loc: Loc, ...steps: (string | number)[]): Loc {
  return { file: loc.file, path: [...loc.path, ...steps] };
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Read and parse a YAML file. Syntax errors are added to `problems`; the result is undefined then. */
export function readYamlFile(path: string, problems: Problems): SourceFile | undefined {
  const display = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.add(display, `cannot read the file (${(error as Error).message})`, 'check that it exists and is readable');
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      const where = pos === undefined ? display : `${display}:${pos.line}:${pos.col}`;
      const what = error.message.split('\n')[0] ?? error.message;
      problems.add(where, `YAML syntax error: ${what}`, 'fix the YAML (indentation, quotes, a missing colon or a duplicate key)');
    }
    return undefined;
  }
  keepNumbersAsWritten(doc);
  return { path, display, doc, lines, data: doc.toJS() as unknown };
}

/**
 * A plain number that YAML would change is kept as the text written: `.5` is the relative path `.5`, not
 * 0.5; `.10` is not `.1`; code `01` keeps its zero. Numbers that read back the same (`1`, `42`) stay numbers.
 */
function keepNumbersAsWritten(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.type === 'PLAIN' && node.source !== undefined && node.source !== String(node.value)) {
        node.value = node.source;
      }
    },
  });
}

function keyMatches(key: unknown, step: string | number): boolean {
  return isScalar(key) ? String(key.value) === String(step) : String(key) === String(step);
}

/** `file:line:column` of the data at `path` (or of the deepest part of it that exists). */
export function where(loc: Loc, extra: YamlPath = [], atKey = false): string {
  const { file } = loc;
  const path = [...loc.path, ...extra];
  let node: unknown = file.doc.contents;
  let best: YamlNode | undefined = node as YamlNode | undefined;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as string | number;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyMatches(p.key, step));
      if (pair === undefined) break;
      if (last && atKey && pair.key !== null && typeof pair.key === 'object') {
        best = pair.key as YamlNode;
        break;
      }
      node = pair.value;
      best = (pair.value ?? pair.key) as YamlNode;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) break;
      node = item;
      best = item as YamlNode;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return file.display;
  const pos = file.lines.linePos(offset);
  return `${file.display}:${pos.line}:${pos.col}`;
}

/**
 * The rule at a place, named by its template and field: `XPN.family`, `Encounter.period.start`,
 * `ADT_A01.resources[0]` (outside templates, by the file name).
 */
export function ruleName(loc: Loc): string {
  const path = loc.path;
  let name: string;
  let rest: YamlPath;
  if (path[0] === 'templates' && typeof path[1] === 'string') {
    name = path[1];
    rest = path.slice(2);
  } else {
    name = loc.file.display.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
    rest = path;
  }
  for (const step of rest) {
    if (step === 'fields') continue;
    name += typeof step === 'number' ? `[${step}]` : `.${step}`;
  }
  return name;
}

/** `Patient.birthDate at mappings/hl7v2/segments/PID.yaml:31:9`: a rule for messages about it. */
export function ruleAt(loc: Loc): string {
  return `${ruleName(loc)} at ${where(loc)}`;
}

function pathText(path: YamlPath): string {
  if (path.length === 0) return 'the file';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Validate a file's data with a zod schema; every issue becomes a problem at its line. */
export function validate<T>(file: SourceFile, schema: z.ZodType<T>, problems: Problems): T | undefined {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const loc: Loc = { file, path };
    const at = unknownKey === undefined ? where(loc) : where(loc, [unknownKey], true);
    const [what, fix] = splitMessage(issue.message);
    problems.add(at, `${pathText(path)}: ${what}`, fix ?? defaultFix(issue.code));
  }
  return undefined;
}

/** Custom schema messages are written `what — how to fix`. */
export function splitMessage(message: string): [string, string | undefined] {
  const at = message.indexOf(' — ');
  return at === -1 ? [message, undefined] : [message.slice(0, at), message.slice(at + 3)];
}

function defaultFix(code: string): string {
  switch (code) {
    case 'invalid_type':
      return 'give a value of the expected type';
    case 'too_small':
      return 'give at least one value';
    case 'invalid_value':
      return 'use one of the allowed values';
    default:
      return 'see mappings/README.md for the shape of this file';
  }
}
