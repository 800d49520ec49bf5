// /proc/<pid>/exe and the fd links read "<path> (deleted)" once the file was replaced or removed on disk (a
// package upgrade under a running VMM). The process still runs that binary: the suffix is not part of its name.

const DELETED_SUFFIX = ' (deleted)';

export function stripDeleted(link: string): string {
  return link.endsWith(DELETED_SUFFIX) ? link.slice(0, -DELETED_SUFFIX.length) : link;
}
