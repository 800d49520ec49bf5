import path from 'node:path';
import type { HostView } from '../host/host-view.js';
import type { CgroupEntry } from '../host/proc/cgroup.js';
import type { Sandbox } from '../model/report.js';
import type { DiscoveredSandbox } from '../discover/discover.js';
import { readCgroups } from '../discover/process-facts.js';
import { messageOf } from '../errors.js';

type Pod = Sandbox['pod'];

const UID_IN_CGROUP = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Kubernetes object names: DNS-1123 subdomain (names) and label (namespaces). Anything else never becomes a label.
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const ANNOTATIONS = {
  name: ['io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name'],
  namespace: ['io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace'],
  uid: ['io.kubernetes.cri.sandbox-uid', 'io.kubernetes.pod.uid'],
  // containerd's CRI plugin records the runtime handler (the RuntimeClass's handler) of the sandbox.
  runtimeClass: ['io.kubernetes.cri.runtime-handler'],
} as const;
// A RuntimeClass handler is a DNS-1123 label, like a namespace.
const RUNTIME_HANDLER = NAMESPACE;

/**
 * Who the sandbox belongs to. First the OCI bundle's config.json (the anchored bundle: the shim's working
 * directory, proven to be the runtime's directory for this id), whose CRI annotations name the pod; then the pod UID from the
 * cgroup path of any process or thread of the sandbox. With the Go runtime's default sandbox_cgroup_only=false
 * only the vCPU threads sit in the pod cgroup, so threads are read when the processes do not tell.
 */
export function readPodIdentity(view: HostView, sandbox: DiscoveredSandbox): Pod {
  // A shim serves one pod for its whole life: once the pod is known, it is not read again.
  const remembered = sandbox.trusted ? sandbox.shim?.facts.stable.pod : undefined;
  if (remembered) return { ...remembered };
  const pod: Pod = { uid: null, name: null, namespace: null };
  if (sandbox.trusted && sandbox.shim) Object.assign(pod, fromBundle(view, sandbox));
  if (pod.uid === null) pod.uid = fromCgroups(view, sandbox);
  if (pod.uid !== null && sandbox.trusted && sandbox.shim) sandbox.shim.facts.stable.pod = { ...pod };
  return pod;
}

function fromBundle(view: HostView, sandbox: DiscoveredSandbox): Partial<Pod> {
  // Only the bundle the shim was anchored in: a path a process chose (its cwd string, an argv flag) is never
  // opened. The bundle is root-owned, so only the runtime wrote its config.json.
  const candidates = sandbox.bundle === null ? [] : [path.posix.join(sandbox.bundle, 'config.json')];
  for (const file of candidates) {
    const text = view.readText('root', file, { stage: 'pod', optional: true, maxBytes: 1024 * 1024 });
    if (text === undefined) continue;
    let annotations: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as { annotations?: unknown };
      annotations = typeof parsed.annotations === 'object' && parsed.annotations !== null ? (parsed.annotations as Record<string, unknown>) : {};
    } catch (error) {
      // Position and reason only: the message of JSON.parse quotes the file's bytes.
      view.errors.add('pod', file, 'E_MALFORMED', `bundle config.json does not parse (${jsonErrorPosition(error, text)})`);
      continue;
    }
    return {
      name: valid(view, file, pick(annotations, ANNOTATIONS.name), POD_NAME, 'pod name'),
      namespace: valid(view, file, pick(annotations, ANNOTATIONS.namespace), NAMESPACE, 'pod namespace'),
      uid: valid(view, file, pick(annotations, ANNOTATIONS.uid), POD_UID, 'pod uid'),
      ...runtimeClassOf(view, file, annotations),
    };
  }
  return {};
}

/** Only when the bundle names a handler: reports of runtimes that do not record one stay as they were. */
function runtimeClassOf(view: HostView, file: string, annotations: Record<string, unknown>): Partial<Pod> {
  const handler = pick(annotations, ANNOTATIONS.runtimeClass);
  if (handler === null) return {};
  return { runtimeClass: valid(view, file, handler, RUNTIME_HANDLER, 'runtime handler') };
}

function fromCgroups(view: HostView, sandbox: DiscoveredSandbox): string | null {
  for (const member of sandbox.members) {
    const uid = uidInCgroups(readCgroups(view, `${member.facts.pid}/cgroup`));
    if (uid) return uid;
  }
  // Thread-level: the Go runtime moves only vCPU threads into the pod cgroup.
  for (const member of sandbox.members) {
    if (member.role !== 'vmm' && member.role !== 'shim') continue;
    for (const thread of member.facts.threads) {
      if (thread.tid === member.facts.pid) continue;
      const uid = uidInCgroups(readCgroups(view, `${member.facts.pid}/task/${thread.tid}/cgroup`));
      if (uid) return uid;
    }
  }
  return null;
}

export function uidInCgroups(entries: readonly CgroupEntry[]): string | null {
  for (const entry of entries) {
    const match = UID_IN_CGROUP.exec(entry.path);
    if (match) return match[1]!.replaceAll('_', '-');
  }
  return null;
}

function pick(annotations: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = annotations[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

function valid(view: HostView, file: string, value: string | null, pattern: RegExp, what: string): string | null {
  if (value === null) return null;
  if (pattern.test(value)) return value;
  view.errors.add('pod', file, 'E_MALFORMED', `${what} annotation is not a valid Kubernetes value; ignored`);
  return null;
}

/** "line L column C" of a JSON.parse failure, without any of the input's content. */
export function jsonErrorPosition(error: unknown, text: string): string {
  const message = messageOf(error);
  const at = /position (\d+)/.exec(message);
  if (!at) return /end of JSON input/i.test(message) ? 'unexpected end of input' : /Unexpected token/.test(message) ? 'invalid JSON: unexpected token' : 'invalid JSON';
  const offset = Math.min(Number(at[1]), text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `invalid JSON at line ${line} column ${column}`;
}
