/** One line of /proc/<pid>/mountinfo (see proc(5)). Paths are unescaped. */
export interface MountinfoEntry {
  mountId: number;
  parentId: number;
  /** "major:minor" of the filesystem's device. */
  device: string;
  /** The directory of the filesystem that forms this mount's root (a bind mount shows its subtree). */
  root: string;
  mountPoint: string;
  /** Per-mount options (rw, nosuid, ...). */
  options: string;
  /** Propagation tags before the " - " separator: "shared:1", "master:2", "propagate_from:3", "unbindable". */
  optionalFields: string[];
  fsType: string;
  source: string;
  /** Per-superblock options. */
  superOptions: string;
}

const ID = /^\d{1,10}$/;

/** Parses mountinfo; lines that do not have the kernel's shape are skipped. */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseMountinfoLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

export function parseMountinfoLine(line: string): MountinfoEntry | undefined {
  // The kernel escapes space, tab, newline and backslash inside fields, so a single space always separates
  // fields; splitting on exactly one keeps an empty field (an empty source) in its place.
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  if (separator < 0 || fields.length < separator + 4) return undefined;
  const [mountId, parentId, device, root, mountPoint, options] = fields as [string, string, string, string, string, string];
  if (!ID.test(mountId) || !ID.test(parentId) || !/^\d+:\d+$/.test(device)) return undefined;
  return {
    mountId: Number(mountId),
    parentId: Number(parentId),
    device,
    root: unescapeOctal(root),
    mountPoint: unescapeOctal(mountPoint),
    options: unescapeOctal(options),
    optionalFields: fields.slice(6, separator).filter((field) => field !== ''),
    fsType: unescapeOctal(fields[separator + 1]!),
    source: unescapeOctal(fields[separator + 2]!),
    // Some filesystems print superblock options unescaped (raw paths with spaces): the rest of the line is theirs.
    superOptions: unescapeOctal(fields.slice(separator + 3).join(' ')),
  };
}

/** Undoes the kernel's "\ooo" escaping (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeOctal(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-3][0-7]{2})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
