/**
 * A strict reader of Prometheus's text exposition format 0.0.4: every line is a `# HELP`, a
 * `# TYPE` or a sample `name{label="value",...} value [timestamp]`; names and labels are valid,
 * label values escape only `\\`, `"` and `\n`; a family's TYPE comes before its samples and once;
 * every sample belongs to a declared family (histogram samples as _bucket/_sum/_count); a
 * histogram's buckets are cumulative and end in `le="+Inf"` equal to its `_count`. Any deviation
 * throws naming the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(raw: string, where: string): number {
  // Prometheus reads values with Go's strconv.ParseFloat, which takes Inf and NaN in any case
  // (prom-client writes an empty event-loop histogram's mean as `Nan`).
  if (/^\+?inf(inity)?$/i.test(raw)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(raw)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(raw)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`${where}: bad value '${raw}'`);
  return Number(raw);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 0;
  while (true) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name '${name}'`);
    if (name in labels) throw new Error(`${where}: label '${name}' twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape '\\${next}'`);
      } else value += text[j];
    }
    if (text[j] !== '"') throw new Error(`${where}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected ',' or '}' after a label`);
  }
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('the document does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const familyOf = (sample: string) => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      if (!sample.endsWith(suffix)) continue;
      const base = sample.slice(0, sample.length - suffix.length);
      const family = families.get(base);
      if (family && (suffix === '' || family.type === 'histogram' || family.type === 'summary')) return family;
    }
    return undefined;
  };
  lines.forEach((line, index) => {
    const where = `line ${index + 1} '${line.slice(0, 80)}'`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`${where}: a comment that is neither HELP nor TYPE`);
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name`);
      const family = families.get(name!) ?? { name: name!, type: '', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest!)) throw new Error(`${where}: unknown type '${rest}'`);
        if (family.type) throw new Error(`${where}: TYPE given twice`);
        if (family.samples.length) throw new Error(`${where}: TYPE after samples`);
        family.type = rest!;
      } else family.help = rest!;
      families.set(name!, family);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: not a sample`);
    const [, name, open, after] = m;
    let labels: Record<string, string> = {};
    let rest = after!;
    if (open === '{') ({ labels, rest } = parseLabels(after!, where));
    const parts = rest.trim().split(' ');
    if (open === '{' && !rest.startsWith(' ')) throw new Error(`${where}: no space before the value`);
    if (parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected a value and an optional timestamp`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    const family = familyOf(name!);
    if (!family?.type) throw new Error(`${where}: sample of an undeclared family`);
    family.samples.push({ name: name!, labels, value: parseValue(parts[0]!, where) });
  });
  for (const family of families.values()) {
    if (!family.type) throw new Error(`${family.name}: HELP without TYPE`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  const key = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const sample of family.samples) {
    const k = key(sample.labels);
    series.set(k, [...(series.get(k) ?? []), sample]);
  }
  for (const [k, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    if (!count || !samples.some((s) => s.name === `${family.name}_sum`))
      throw new Error(`${family.name}${k}: a histogram needs _sum and _count`);
    let previous = -1;
    let bound = Number.NEGATIVE_INFINITY;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le ?? '', `${family.name}${k}`);
      if (!(le > bound)) throw new Error(`${family.name}${k}: bucket bounds not increasing`);
      if (bucket.value < previous) throw new Error(`${family.name}${k}: buckets not cumulative`);
      bound = le;
      previous = bucket.value;
    }
    if (bound !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${k}: no le="+Inf" bucket`);
    if (previous !== count.value)
      throw new Error(`${family.name}${k}: +Inf bucket ${previous} ≠ _count ${count.value}`);
  }
}
