export interface CgroupEntry {
  /** Hierarchy id: 0 for the cgroup v2 unified hierarchy. */
  hierarchy: number;
  controllers: string[];
  path: string;
}

/** Parses /proc/<pid>/cgroup ("hierarchy-ID:controller-list:cgroup-path" per line); malformed lines are skipped. */
export function parseCgroup(text: string): CgroupEntry[] {
  const entries: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0) continue;
    // Number() alone would take "-1", "0x1" or " 1" as a hierarchy id.
    if (!/^\d+$/.test(line.slice(0, first))) continue;
    const hierarchy = Number(line.slice(0, first));
    if (!Number.isSafeInteger(hierarchy)) continue;
    const controllers = line.slice(first + 1, second);
    entries.push({ hierarchy, controllers: controllers ? controllers.split(',') : [], path: line.slice(second + 1) });
  }
  return entries;
}
