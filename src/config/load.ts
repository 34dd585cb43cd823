import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { configSchema, envSchema, type JunctionConfig } from './schema.js';

/** A configuration problem a user can fix: every issue says where (file:line:col) and what. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

/** Find the YAML node at a zod issue path, to report its line and column. */
function locate(doc: ReturnType<typeof parseDocument>, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === part);
      node = pair?.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else {
      break;
    }
    if (node && typeof node === 'object' && 'range' in node) last = node as Node;
    else break;
  }
  return last;
}

function formatIssues(file: string, text: string, doc: ReturnType<typeof parseDocument>, lc: LineCounter, error: z.ZodError): string[] {
  void text;
  return error.issues.map((issue) => {
    const node = locate(doc, issue.path);
    const pos = node?.range ? lc.linePos(node.range[0]) : undefined;
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const at = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return `${where}${at}: ${issue.message}`;
  });
}

/**
 * Read junction.yaml and the environment once; fail fast with every problem listed.
 * Relative paths in the file are resolved against the file's directory.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): JunctionConfig {
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) {
    throw new ConfigError(envResult.error.issues.map((i) => `environment variable ${i.path.join('.')}: ${i.message}`));
  }
  const e = envResult.data;
  if (e.JUNCTION_ROLE !== 'all' && (!e.JUNCTION_AMQP_URL || !e.JUNCTION_DATABASE_URL)) {
    throw new ConfigError([
      `JUNCTION_ROLE=${e.JUNCTION_ROLE} runs only part of the engine, so the processes need RabbitMQ between them and a shared PostgreSQL: set JUNCTION_AMQP_URL and JUNCTION_DATABASE_URL, or use JUNCTION_ROLE=all`,
    ]);
  }
  const configPath = resolve(e.JUNCTION_CONFIG);
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `${configPath}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? String(err)}). ` +
        'Run junction from the folder holding junction.yaml, or set JUNCTION_CONFIG to its path.',
    ]);
  }
  return parseConfigText(text, configPath, e);
}

export function parseConfigText(
  text: string,
  configPath: string,
  e: z.infer<typeof envSchema> = envSchema.parse({}),
  /** the environment, for channel secrets named by tokenEnv */
  rawEnv: NodeJS.ProcessEnv = process.env,
): JunctionConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((err) => {
        const pos = lc.linePos(err.pos[0]);
        return `${configPath}:${pos.line}:${pos.col}: YAML syntax error: ${err.message.split('\n')[0]}`;
      }),
    );
  }
  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new ConfigError(formatIssues(configPath, text, doc, lc, parsed.error));
  const file = parsed.data;
  const base = dirname(configPath);

  const problems: string[] = [];
  const firstMllp = file.channels.findIndex((c) => c.source.type === 'mllp');
  const channels = file.channels.map((c, i) => {
    let source = c.source;
    if (source.type === 'mllp' && i === firstMllp && e.JUNCTION_MLLP_PORT !== undefined) source = { ...source, port: e.JUNCTION_MLLP_PORT };
    if (source.type === 'file-drop') source = { ...source, path: resolve(base, source.path) };
    if (source.type === 'http' && source.tokenEnv !== undefined) {
      const token = rawEnv[source.tokenEnv];
      if (token === undefined || token.length < 16) problems.push(`${configPath}: channel "${c.id}" takes its token from ${source.tokenEnv}, which is ${token === undefined ? 'not set' : 'shorter than 16 characters'}; set it`);
      else source = { ...source, token };
    }
    return { ...c, source, overlayDirs: c.mappings.map((m) => resolve(base, m)) };
  });
  const ids = new Set<string>();
  const ports = new Map<number, string>();
  for (const c of channels) {
    if (ids.has(c.id)) problems.push(`${configPath}: channel id "${c.id}" is used twice; give each channel its own id`);
    ids.add(c.id);
    if (c.source.type !== 'mllp') continue;
    const other = ports.get(c.source.port);
    if (other !== undefined && c.source.port !== 0) {
      problems.push(`${configPath}: channels "${other}" and "${c.id}" both listen on port ${c.source.port}; give each its own port`);
    }
    ports.set(c.source.port, c.id);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    configPath,
    mappingsDir: resolve(base, file.mappings),
    host: e.JUNCTION_HOST,
    httpPort: e.JUNCTION_HTTP_PORT,
    dataDir: resolve(e.JUNCTION_DATA_DIR),
    logLevel: e.JUNCTION_LOG_LEVEL,
    ...(e.JUNCTION_DATABASE_URL ? { databaseUrl: e.JUNCTION_DATABASE_URL } : {}),
    ...(e.JUNCTION_DATABASE_SCHEMA ? { databaseSchema: e.JUNCTION_DATABASE_SCHEMA } : {}),
    ...(e.JUNCTION_AMQP_URL ? { amqpUrl: e.JUNCTION_AMQP_URL } : {}),
    role: e.JUNCTION_ROLE,
    queuePrefix: e.JUNCTION_AMQP_QUEUE_PREFIX,
    ...(e.JUNCTION_ADMIN_TOKEN ? { adminToken: e.JUNCTION_ADMIN_TOKEN } : {}),
    partitions: e.JUNCTION_PARTITIONS,
    channels,
    pipeline: file.pipeline,
  };
}
