/**
 * Prometheus metrics, written here (text exposition format 0.0.4, no dependency): counters, gauges
 * and histograms with labels, a registry that renders them, and the metric set Junction records.
 * Label values must never carry patient data: channels, stages and states only.
 */
export type Labels<L extends string> = Readonly<Record<L, string>>;

interface Metric {
  readonly name: string;
  render(): string;
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`).join(',')}}`;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class LabelledMetric<L extends string, V> implements Metric {
  protected readonly series = new Map<string, { values: string[]; value: V }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new RangeError(`invalid metric name "${name}"`);
    for (const label of labelNames) if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new RangeError(`invalid label name "${label}" on ${name}`);
  }

  protected abstract readonly type: string;
  protected abstract initial(): V;
  protected abstract lines(labels: string[], value: V): string[];

  protected entry(labels: Labels<L> | undefined): { values: string[]; value: V } {
    const values = this.labelNames.map((n) => {
      const v = labels?.[n];
      if (v === undefined) throw new RangeError(`metric ${this.name} needs label "${n}"`);
      return v;
    });
    const id = JSON.stringify(values);
    let found = this.series.get(id);
    if (!found) {
      found = { values, value: this.initial() };
      this.series.set(id, found);
    }
    return found;
  }

  render(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, value } of this.series.values()) out.push(...this.lines(values, value));
    return out.join('\n');
  }
}

export class Counter<L extends string = never> extends LabelledMetric<L, { n: number }> {
  protected readonly type = 'counter';
  protected initial() {
    return { n: 0 };
  }
  inc(labels?: Labels<L>, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`counter ${this.name} can only go up (got ${by})`);
    this.entry(labels).value.n += by;
  }
  get(labels?: Labels<L>): number {
    return this.entry(labels).value.n;
  }
  protected lines(values: string[], value: { n: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(value.n)}`];
  }
}

export class Gauge<L extends string = never> extends LabelledMetric<L, { n: number }> {
  protected readonly type = 'gauge';
  protected initial() {
    return { n: 0 };
  }
  set(labels: Labels<L> | undefined, value: number): void {
    this.entry(labels).value.n = value;
  }
  get(labels?: Labels<L>): number {
    return this.entry(labels).value.n;
  }
  protected lines(values: string[], value: { n: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(value.n)}`];
  }
}

interface HistogramValue {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** seconds: 1 ms … 10 s */
export const DEFAULT_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram<L extends string = never> extends LabelledMetric<L, HistogramValue> {
  protected readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help, labelNames);
    if (labelNames.includes('le' as L)) throw new RangeError(`histogram ${name} cannot have a label named "le"`);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected initial(): HistogramValue {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels<L> | undefined, value: number): void {
    const entry = this.entry(labels).value;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) entry.counts[i]!++;
    });
    entry.sum += value;
    entry.count++;
  }
  protected lines(values: string[], value: HistogramValue): string[] {
    const names = [...this.labelNames, 'le'];
    const out = this.buckets.map((bound, i) => `${this.name}_bucket${labelText(names, [...values, formatNumber(bound)])} ${value.counts[i]}`);
    out.push(`${this.name}_bucket${labelText(names, [...values, '+Inf'])} ${value.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(value.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${value.count}`);
    return out;
  }
}

export type Collector = () => Promise<void> | void;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: Collector[] = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter<L>(name, help, labelNames));
  }
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge<L>(name, help, labelNames));
  }
  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], buckets?: readonly number[]): Histogram<L> {
    return this.add(new Histogram<L>(name, help, labelNames, buckets));
  }

  /** run before every render (e.g. read queue depths into a gauge) */
  addCollector(collector: Collector): void {
    this.collectors.push(collector);
  }

  /** The text exposition; a failing collector leaves its metrics at their last values. */
  async render(): Promise<string> {
    await Promise.all(
      this.collectors.map(async (collect) => {
        try {
          await collect();
        } catch {
          // keep the last values; the scrape still succeeds
        }
      }),
    );
    return `${[...this.metrics.values()].map((m) => m.render()).join('\n')}\n`;
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Counts per second over a sliding window (one-second buckets). */
export class RateMeter {
  private readonly buckets: number[];
  private readonly startedAt: number;
  private lastSecond: number;

  constructor(
    private readonly windowSeconds = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = Array.from({ length: windowSeconds }, () => 0);
    this.startedAt = now();
    this.lastSecond = Math.floor(this.startedAt / 1000);
  }

  mark(n = 1): void {
    this.advance();
    this.buckets[this.lastSecond % this.windowSeconds]! += n;
  }

  /** events per second over the window, or over the time since start when that is shorter */
  perSecond(): number {
    this.advance();
    const total = this.buckets.reduce((a, b) => a + b, 0);
    const elapsed = Math.min(this.windowSeconds, Math.max(1, (this.now() - this.startedAt) / 1000));
    return total / elapsed;
  }

  private advance(): void {
    const second = Math.floor(this.now() / 1000);
    const steps = Math.min(this.windowSeconds, second - this.lastSecond);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastSecond + i) % this.windowSeconds] = 0;
    if (second > this.lastSecond) this.lastSecond = second;
  }
}

/** seconds: 0.5 ms … 5 s, fine below 10 ms where ACK latency targets sit */
export const INTAKE_BUCKETS: readonly number[] = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5];

export type StageLabel = 'inbound' | 'records' | 'changed';
export type QueueState = 'ready' | 'in_flight' | 'parked';

/** The metrics Junction records. Pass one object to intake, workers and the API. */
export interface JunctionMetrics {
  readonly registry: MetricsRegistry;
  readonly received: Counter<'channel'>;
  readonly acknowledged: Counter<'channel'>;
  /** where: `intake` (answered AE/AR) or the stage whose handler failed */
  readonly failed: Counter<'channel' | 'where'>;
  readonly parked: Counter<'channel' | 'stage'>;
  /** deliveries of a stage message that were not its first (retries, and redeliveries after a crash or a lost connection) */
  readonly redelivered: Counter<'stage'>;
  /** messages the store had already applied (same sender and MSH-10), so applied nothing */
  readonly duplicates: Counter<'channel'>;
  readonly stageDuration: Histogram<'stage'>;
  /** accepted messages: arrival at intake → ACK ready (durable), seconds */
  readonly intakeDuration: Histogram<'channel'>;
  readonly queueDepth: Gauge<'stage' | 'state'>;
  /** rows of CSV extracts dropped in a GP folder, by outcome (accepted, or rejected: by intake or as unreadable CSV) */
  readonly csvRows: Counter<'channel' | 'outcome'>;
  /** messages entering and leaving each stage, per second over the last minute */
  readonly rates: Readonly<Record<StageLabel, { readonly in: RateMeter; readonly out: RateMeter }>>;
}

export function createJunctionMetrics(now: () => number = Date.now): JunctionMetrics {
  const registry = new MetricsRegistry();
  const meters = () => ({ in: new RateMeter(60, now), out: new RateMeter(60, now) });
  return {
    registry,
    received: registry.counter('junction_messages_received_total', 'Messages received from channels', ['channel']),
    acknowledged: registry.counter('junction_messages_acknowledged_total', 'Messages made durable and acknowledged (AA/CA)', ['channel']),
    failed: registry.counter(
      'junction_messages_failed_total',
      'Messages answered AE/AR at intake (where="intake"), or failed deliveries of a stage handler',
      ['channel', 'where'],
    ),
    parked: registry.counter('junction_messages_parked_total', 'Messages parked after the retry limit or an unrecoverable error', ['channel', 'stage']),
    redelivered: registry.counter('junction_stage_redeliveries_total', 'Deliveries of a stage message after its first (retries and redeliveries)', ['stage']),
    duplicates: registry.counter('junction_messages_duplicate_total', 'Messages already applied before (same sender and MSH-10): acknowledged, nothing written', ['channel']),
    stageDuration: registry.histogram('junction_stage_duration_seconds', 'Time a stage handler took for a message that it acknowledged', ['stage']),
    intakeDuration: registry.histogram(
      'junction_intake_duration_seconds',
      'Accepted messages: time from arrival at intake to the ACK being ready, the durable publish included (the engine\'s share of ACK latency)',
      ['channel'],
      INTAKE_BUCKETS,
    ),
    csvRows: registry.counter(
      'junction_gp_csv_rows_total',
      'Rows of GP CSV extracts, by outcome: accepted (durable), or rejected (unreadable CSV, or intake refused the row); a file tried again counts its rows again',
      ['channel', 'outcome'],
    ),
    queueDepth: registry.gauge('junction_queue_depth', 'Messages per stage and state, read at scrape time', ['stage', 'state']),
    rates: { inbound: meters(), records: meters(), changed: meters() },
  };
}
