// A metric family as plain data: what the exposition will say, before prom-client formats it. Building
// families from a Report is then a pure function that tests can compare field by field, and series are kept
// in a map keyed by the exact label values, so two hostile values can never collide into one series (as they
// could in a "name:value," string key).

export type MetricType = 'gauge' | 'counter';

export interface Series {
  /** Label values in the family's labelNames order. */
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
  series: Series[];
}

export class FamilyBuilder {
  /** Keyed by an unambiguous encoding of the label values (see keyOf); the values are kept for sorting. */
  private readonly byKey = new Map<string, { values: readonly string[]; series: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    readonly type: MetricType = 'gauge',
  ) {}

  /** Sets the series with these label values (in labelNames order), replacing an earlier value. */
  set(values: readonly string[], value: number): this {
    this.series(values).value = value;
    return this;
  }

  /** Adds to the series with these label values, creating it at 0. */
  inc(values: readonly string[], by = 1): this {
    this.series(values).value += by;
    return this;
  }

  /** Creates the series at 0 unless it exists: pre-initialised label sets. */
  zero(values: readonly string[]): this {
    this.series(values);
    return this;
  }

  build(): Family {
    const entries = [...this.byKey.values()].sort((a, b) => compareValues(a.values, b.values));
    return { name: this.name, help: this.help, type: this.type, labelNames: this.labelNames, series: entries.map((e) => e.series) };
  }

  private series(values: readonly string[]): Series {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: ${values.length} label values for ${this.labelNames.length} label names`);
    }
    const key = keyOf(values);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i]!;
      });
      entry = { values: [...values], series: { labels, value: 0 } };
      this.byKey.set(key, entry);
    }
    return entry.series;
  }
}

/**
 * One label value is its own key; more are length-prefixed ("3:abc1:x"), an encoding no two different tuples
 * share, whatever characters a hostile value holds. Cheaper than JSON.stringify on the ~7,500 series of a
 * 250-sandbox render.
 */
function keyOf(values: readonly string[]): string {
  if (values.length === 1) return values[0]!;
  let key = '';
  for (const value of values) key += `${value.length}:${value}`;
  return key;
}

/** Code-unit order, not locale order, label by label: the golden files must not depend on the machine's locale. */
function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function sortFamilies(families: Family[]): Family[] {
  return families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
