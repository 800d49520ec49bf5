// Where a container runtime keeps a sandbox's bundle: the root-owned directory a shim is started in. A shim
// cannot choose its working directory's inode, only its path (and only inside its own mount namespace), so
// "the shim runs in the host's bundle directory for the id it claims" ties it to what the runtime created.
//
// Sources (see ../../README.md#design-trust):
// - containerd v2 shims are started with cmd.Dir = the bundle, <state>/io.containerd.runtime.v2.task/<ns>/<id>,
//   where the shim library writes shim.pid and address (kata-on-the-host.md §2.2);
// - CRI-O starts the shim with the container's bundle as its working directory,
//   /run/containers/storage/overlay-containers/<id>/userdata (kata-4x-on-the-host.md §7.7);
// - k3s/rke2 run containerd with its state under /run/k3s/containerd.

/** Templates with {namespace} and {id}; --trust.bundle-dirs replaces the list. */
export const DEFAULT_BUNDLE_DIRS: readonly string[] = [
  '/run/containerd/io.containerd.runtime.v2.task/{namespace}/{id}',
  '/run/k3s/containerd/io.containerd.runtime.v2.task/{namespace}/{id}',
  '/run/containers/storage/overlay-containers/{id}/userdata',
];

const NAMESPACE = '[A-Za-z0-9][A-Za-z0-9._-]{0,75}';

export class BundleDirs {
  private readonly templates: ReadonlyArray<{ prefix: string; pattern: RegExp }>;

  constructor(templates: readonly string[]) {
    this.templates = templates.map((template) => ({ prefix: template.slice(0, template.indexOf('{')), pattern: compile(template) }));
  }

  /** Whether `dir` (a path as /proc/<pid>/cwd reads) is a bundle directory of sandbox `id`. */
  isBundleOf(dir: string, id: string): boolean {
    return this.templates.some(({ pattern }) => {
      const match = pattern.exec(dir);
      return match !== null && match.groups?.['id'] === id;
    });
  }
}

/** A template problem, for the flag parser: undefined when it is usable. */
export function bundleTemplateProblem(template: string): string | undefined {
  if (!template.startsWith('/')) return 'must be an absolute path';
  if (!template.includes('{id}')) return 'must contain {id}';
  const unknown = /\{(?!id\}|namespace\})[^}]*\}/.exec(template);
  if (unknown) return `unknown placeholder ${unknown[0]} (only {id} and {namespace})`;
  return undefined;
}

function compile(template: string): RegExp {
  let source = '';
  for (const part of template.split(/(\{id\}|\{namespace\})/)) {
    if (part === '{id}') source += '(?<id>[A-Za-z0-9][A-Za-z0-9_.-]{0,254})';
    else if (part === '{namespace}') source += NAMESPACE;
    else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}/?$`);
}
