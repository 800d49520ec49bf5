// The `--opt value` / `--opt=value` walk that Cloud Hypervisor, Firecracker (and its jailer), virtiofsd and
// nydusd share. Each parser keeps its own policy (which options take a value, what a value may look like, how
// repeats combine); these are the steps they all take the same way. argv is the workload's word: nothing here
// throws, and a value is only ever taken from the argument that follows when the caller's predicate accepts it.

/** A long option as written: `--name=value` (inline is the text after the first `=`) or `--name` (inline null). */
export interface LongOption {
  name: string;
  inline: string | null;
}

/**
 * Splits `--name[=value]`; null for anything that does not start with `--`. A bare `--` is the option with
 * the empty name: the parsers that treat it as "end of options" check for it before calling this.
 */
export function splitLongOption(arg: string): LongOption | null {
  if (!arg.startsWith('--')) return null;
  const eq = arg.indexOf('=');
  return eq === -1 ? { name: arg.slice(2), inline: null } : { name: arg.slice(2, eq), inline: arg.slice(eq + 1) };
}

/** The argument after argv[index] when there is one and `accepts` takes it as a value; otherwise undefined. */
export function followingValue(argv: readonly string[], index: number, accepts: (next: string) => boolean): string | undefined {
  const next = argv[index + 1];
  return next !== undefined && accepts(next) ? next : undefined;
}

/** A value that does not look like any option (`-x` or `--x`): the clap-style reading. */
export const notAnOption = (next: string): boolean => !next.startsWith('-');

/** A value that does not look like a long option: a negative number or `-` still counts as a value. */
export const notALongOption = (next: string): boolean => !next.startsWith('--');

/** Any next argument is the value (an option the parser knows always takes one). */
export const anyValue = (): boolean => true;

/** Every value an option was given, in argv order (repeats kept: the parser decides whether the last wins). */
export function appendValue(values: Map<string, string[]>, name: string, value: string): void {
  const list = values.get(name);
  if (list) list.push(value);
  else values.set(name, [value]);
}
