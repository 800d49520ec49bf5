/**
 * Splits /proc/<pid>/cmdline into argv, keeping argument boundaries (which `ps` and ps-list lose). A process
 * that rewrote its argv may leave a buffer without NULs: it then reads as one argument.
 */
export function parseCmdline(buffer: Buffer): string[] {
  if (buffer.length === 0) return [];
  const text = buffer.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
