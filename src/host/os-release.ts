/**
 * Parses os-release(5): KEY=value lines, values optionally quoted shell-style. Comments, blank lines and
 * lines that are not assignments are skipped.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) fields.set(match[1]!, unquote(match[2]!));
  }
  return fields;
}

/** The name to show for the OS: PRETTY_NAME, else NAME and VERSION; null when the file names nothing. */
export function osNameOf(fields: Map<string, string>): string | null {
  const pretty = fields.get('PRETTY_NAME');
  if (pretty) return pretty;
  const name = fields.get('NAME');
  if (!name) return null;
  const version = fields.get('VERSION');
  return version ? `${name} ${version}` : name;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
    const inner = value.slice(1, -1);
    // Single quotes are literal in shell; double quotes allow \" \\ \$ \` escapes.
    return quote === "'" ? inner : inner.replace(/\\(["\\$`])/g, '$1');
  }
  return value;
}
