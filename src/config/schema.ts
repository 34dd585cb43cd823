import { z } from 'zod';

const odsCode = z
  .string()
  .regex(/^[A-Z0-9]{3,10}$/, 'an ODS code is 3 to 10 upper-case letters or digits, for example RGT01 or Y01234');

export const mllpSourceSchema = z.strictObject({
  type: z.literal('mllp'),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  /** largest frame accepted, in bytes */
  maxFrameBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** close a connection with no traffic for this long */
  idleTimeoutMs: z.number().int().min(1000).default(300_000),
});

/** GP Connect bundles POSTed to /channels/<id>/bundle (docs: mappings/README.md, GP feeds). */
export const httpSourceSchema = z
  .strictObject({
    type: z.literal('http'),
    format: z.literal('gp-connect').default('gp-connect'),
    /** the bearer token senders must present; or tokenEnv: the environment variable holding it */
    token: z.string().min(16, 'a channel token must be at least 16 characters').optional(),
    tokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tokenEnv names an environment variable, for example JUNCTION_GP_TOKEN').optional(),
    /** largest body accepted, in bytes */
    maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(10 * 1024 * 1024),
  })
  .refine((s) => (s.token === undefined) !== (s.tokenEnv === undefined), 'give the channel token: either token or tokenEnv (not both)');

/** A watched folder of GP Connect bundles (.json) or CSV extracts (.csv); finished files move to done/ or error/. */
export const fileDropSourceSchema = z.strictObject({
  type: z.literal('file-drop'),
  /** the folder watched, relative to the config file */
  path: z.string().min(1),
  format: z.enum(['gp-connect', 'csv']),
  /** how often the folder is looked at */
  pollMs: z.number().int().min(50).max(600_000).default(2000),
  /** log progress every this many rows of a CSV file */
  progressEvery: z.number().int().min(1).default(1000),
  /** CSV rows being made durable at once (rows about one patient still go one after another, in file order) */
  publishWindow: z.number().int().min(1).max(10_000).default(64),
});

export const channelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a channel id is lower-case letters, digits and dashes, for example rgt-adt'),
  name: z.string().min(1),
  organisation: z.strictObject({ odsCode, name: z.string().min(1).optional() }),
  source: z.discriminatedUnion('type', [mllpSourceSchema, httpSourceSchema, fileDropSourceSchema]),
  /** mapping overlay directories applied on top of the base mappings, relative to the config file */
  mappings: z.array(z.string().min(1)).default([]),
});

export const configSchema = z.strictObject({
  /** base mapping directory, relative to the config file */
  mappings: z.string().min(1).default('mappings'),
  channels: z.array(channelSchema).min(1, 'at least one channel is needed'),
  pipeline: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).default(5),
      backoffMs: z.number().int().min(1).default(200),
      maxBackoffMs: z.number().int().min(1).default(30_000),
      concurrency: z.number().int().min(1).max(256).default(8),
      /** records stage: most messages (of different patients) applied in one store transaction; 1 turns batching off */
      recordsBatch: z.number().int().min(1).max(1000).default(100),
    })
    .prefault({}),
});

export type ChannelConfig = z.infer<typeof channelSchema>;
export type FileConfig = z.infer<typeof configSchema>;

/** Environment overrides, read once. */
export const envSchema = z.object({
  JUNCTION_HOST: z.string().min(1).default('127.0.0.1'),
  JUNCTION_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  JUNCTION_MLLP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  JUNCTION_DATA_DIR: z.string().min(1).default('./data'),
  JUNCTION_CONFIG: z.string().min(1).default('junction.yaml'),
  JUNCTION_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL server for the record store (and, without RabbitMQ, the pipeline journal); unset: embedded PGlite */
  JUNCTION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'JUNCTION_DATABASE_URL must be a postgres:// URL, for example postgres://junction@db:5432/junction')
    .optional(),
  /** schema for Junction's tables in that database (created if missing); default: the connection's search_path */
  JUNCTION_DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'JUNCTION_DATABASE_SCHEMA is a lower-case SQL identifier, for example junction').optional(),
  /** RabbitMQ for the pipeline; unset: the embedded journal */
  JUNCTION_AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\//, 'JUNCTION_AMQP_URL must be an amqp:// URL, for example amqp://guest:guest@rabbitmq:5672')
    .optional(),
  /** prefix of every RabbitMQ queue name, so several deployments can share one broker */
  JUNCTION_AMQP_QUEUE_PREFIX: z.string().regex(/^[a-z][a-z0-9_.-]{0,40}$/, 'JUNCTION_AMQP_QUEUE_PREFIX is lower-case letters, digits, dots, dashes').default('junction'),
  /** bearer token required by /admin and /metrics; unset: they are open (bind JUNCTION_HOST to a private address) */
  JUNCTION_ADMIN_TOKEN: z.string().min(16, 'JUNCTION_ADMIN_TOKEN must be at least 16 characters').optional(),
  /** which parts this process runs: all (default), ingest (channels + API), worker (stage workers) */
  JUNCTION_ROLE: z.enum(['all', 'ingest', 'worker']).default('all'),
  /** partition queues per stage on RabbitMQ; every process of one deployment must agree */
  JUNCTION_PARTITIONS: z.coerce.number().int().min(1).max(256).default(8),
});
export type EnvConfig = z.infer<typeof envSchema>;

export interface JunctionConfig {
  /** absolute path of the config file */
  readonly configPath: string;
  /** absolute path of the base mapping directory */
  readonly mappingsDir: string;
  readonly host: string;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly logLevel: EnvConfig['JUNCTION_LOG_LEVEL'];
  readonly databaseUrl?: string;
  readonly databaseSchema?: string;
  readonly amqpUrl?: string;
  readonly role: EnvConfig['JUNCTION_ROLE'];
  readonly queuePrefix: string;
  readonly adminToken?: string;
  readonly partitions: number;
  readonly channels: readonly (ChannelConfig & { readonly overlayDirs: readonly string[] })[];
  readonly pipeline: FileConfig['pipeline'];
}
