// nydusd's command line as Kata starts it for `shared_fs = "virtio-fs-nydus"` (kata-4x-on-the-host.md §6):
//   Go:  nydusd virtiofs --log-level <l> --apisock /run/vc/vm/<SID>/nydusd-api.sock --sock /run/vc/vm/<SID>/vhost-fs.sock [extra…]
//   RS:  nydusd virtiofs --hybrid-mode --log-level <l> --apisock <R>/run/kata/<SID>/root/nydusd-api.sock
//        --sock <R>/run/kata/<SID>/root/virtiofsd.sock [extra…]   (paths relative to its cwd when rootless)
// nydusd has no sandbox, seccomp or capability option at all, so nothing here can say it confines itself: the
// parser reads what identifies it (the subcommand, its sockets, the sandbox id they name) and what it tunes.
import { sandboxIdFromPath } from '../model/sandbox-id.js';
import { anyValue, followingValue, splitLongOption } from './long-options.js';

export interface NydusdArgs {
  /** `virtiofs` for Kata's vhost-user-fs backend; `fuse`/`singleton` or null (no subcommand) otherwise. */
  subcommand: string | null;
  hybridMode: boolean;
  logLevel: string | null;
  apiSocket: string | null;
  /** The vhost-user socket it creates itself (unlike Go virtiofsd, which is handed fd 3). */
  socket: string | null;
  config: string | null;
  /** `--rlimit-nofile`: nydusd raises RLIMIT_NOFILE to 1,000,000 unless told otherwise. */
  rlimitNofile: number | null;
  /** From the API or vhost-user socket path (/run/vc/vm/<id>/…, /run/kata/<id>/root/…); null when relative. */
  sandboxId: string | null;
  /** Options this parser does not know (bounded), for evidence. */
  unknownOptions: string[];
}

const SUBCOMMANDS: ReadonlySet<string> = new Set(['virtiofs', 'fuse', 'singleton']);

/** Options that take a value, global and `virtiofs` ones (dragonflyoss/nydus src/bin/nydusd/main.rs). */
const WITH_VALUE: ReadonlySet<string> = new Set([
  'apisock', 'config', 'id', 'log-level', 'log-file', 'log-rotation-size', 'rlimit-nofile', 'supervisor', 'sock',
  'bootstrap', 'mountpoint', 'shared-dir', 'thread-num', 'prefetch-files', 'failover-policy', 'virtual-mountpoint',
]);
const FLAGS: ReadonlySet<string> = new Set(['hybrid-mode', 'upgrade', 'writable', 'version', 'help']);
const MAX_UNKNOWN = 32;

/** Reads nydusd's argv in both spellings (`--opt value`, `--opt=value`); the last occurrence wins. Never throws. */
export function parseNydusdArgs(argv: readonly string[]): NydusdArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const unknown: string[] = [];
  let subcommand: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (subcommand === null && SUBCOMMANDS.has(arg)) {
      subcommand = arg;
      continue;
    }
    const option = splitLongOption(arg);
    if (option === null) {
      if (arg.startsWith('-') && unknown.length < MAX_UNKNOWN && !unknown.includes(arg)) unknown.push(arg);
      continue;
    }
    const name = option.name;
    if (WITH_VALUE.has(name)) {
      // A known option always takes the next argument, whatever it looks like (nydusd's clap spelling).
      const value = option.inline ?? followingValue(argv, i++, anyValue);
      if (value !== undefined) values.set(name, value);
    } else if (FLAGS.has(name)) {
      flags.add(name);
    } else if (unknown.length < MAX_UNKNOWN && !unknown.includes(`--${name}`)) {
      unknown.push(`--${name}`);
    }
  }
  const apiSocket = nonEmpty(values.get('apisock'));
  const socket = nonEmpty(values.get('sock'));
  const rlimit = values.get('rlimit-nofile');
  return {
    subcommand,
    hybridMode: flags.has('hybrid-mode'),
    logLevel: nonEmpty(values.get('log-level')),
    apiSocket,
    socket,
    config: nonEmpty(values.get('config')),
    rlimitNofile: rlimit !== undefined && /^\d{1,9}$/.test(rlimit) ? Number(rlimit) : null,
    sandboxId: (socket ? sandboxIdFromPath(socket) : null) ?? (apiSocket ? sandboxIdFromPath(apiSocket) : null),
    unknownOptions: unknown,
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
