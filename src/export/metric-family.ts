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
  private readonly byKey = new Map<string, Series>();

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
    const series = [...this.byKey.values()].sort((a, b) => compareLabels(this.labelNames, a, b));
    return { name: this.name, help: this.help, type: this.type, labelNames: this.labelNames, series };
  }

  private series(values: readonly string[]): Series {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: ${values.length} label values for ${this.labelNames.length} label names`);
    }
    const key = JSON.stringify(values);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i]!;
      });
      entry = { labels, value: 0 };
      this.byKey.set(key, entry);
    }
    return entry;
  }
}

/** Code-unit order, not locale order: the golden files must not depend on the machine's locale. */
function compareLabels(names: readonly string[], a: Series, b: Series): number {
  for (const name of names) {
    const x = a.labels[name]!;
    const y = b.labels[name]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function sortFamilies(families: Family[]): Family[] {
  return families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
