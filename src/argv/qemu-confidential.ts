// What a QEMU command line says about a confidential guest, and the -add-fd fd sets block devices read from.
// Both Kata runtimes write the TEE object themselves (reference 4.x §2.3, §8.2-8.4): the Go runtime and
// runtime-rs use QEMU's JSON syntax for tdx-guest, QemuOpts for sev-snp-guest / sev-guest / s390-pv-guest, and
// name the object in `-machine …,confidential-guest-support=<id>`. Everything here is read from argv the
// process chose, so it is a claim about the guest, never proof; parsing is bounded (see parseQemuOptionValue).
import type { ConfidentialGuest, TeeKind } from '../model/report.js';
import type { QemuArgs } from './qemu-args.js';
import { parseQemuOptionValue, qemuBool, type QemuOptionValue } from './qemu-option-value.js';

/** QOM types of the TEE objects QEMU knows (rme-guest: Arm CCA, Go runtime 3.22 to 3.x only). */
const TEE_OBJECTS: Readonly<Record<string, TeeKind>> = {
  'tdx-guest': 'tdx',
  'sev-guest': 'sev',
  'sev-snp-guest': 'sev-snp',
  's390-pv-guest': 'se',
  'rme-guest': 'cca',
};

/** SEV-SNP guest policy bit 19 = DEBUG (AMD SEV-SNP firmware ABI, guest policy; Linux KVM `SNP_POLICY_DBG`). */
export const SNP_POLICY_DEBUG_BIT = 19n;
/** Legacy SEV guest policy bit 0 = NODBG (AMD SEV API, guest policy): clear means debugging is allowed. */
export const SEV_POLICY_NODBG_BIT = 0n;
/** TDX TD ATTRIBUTES bit 0 = DEBUG (Intel TDX module ABI): QEMU's tdx-guest `attributes` carries it raw. */
export const TDX_ATTRIBUTES_DEBUG_BIT = 0n;
/** QEMU's sev-guest default policy (0x1: NODBG set), used when argv gives none. */
const SEV_DEFAULT_POLICY = 1n;

export interface QemuObject {
  qomType: string;
  id: string | null;
  props: ReadonlyMap<string, string>;
}

/** Every -object, in QemuOpts (`tdx-guest,id=tdx`) or JSON (`{"qom-type":"tdx-guest","id":"tdx"}`) syntax. */
export function qemuObjects(args: QemuArgs): QemuObject[] {
  const objects: QemuObject[] = [];
  for (const option of args.options) {
    if (option.name !== 'object' || option.value === null) continue;
    const parsed = parseQemuOptionValue(option.value);
    const qomType = parsed.props.get('qom-type') ?? parsed.implied;
    if (qomType === null || qomType === undefined) continue;
    objects.push({ qomType, id: parsed.props.get('id') ?? null, props: parsed.props });
  }
  return objects;
}

/**
 * An unsigned integer the way QEMU's uint32/uint64 visitors read it (qemu_strtou64, base 0): decimal,
 * 0x hex or 0-prefixed octal. Undefined for anything else, or longer than a 64-bit value can be written.
 */
export function parseQemuUnsigned(value: string | undefined): bigint | undefined {
  if (value === undefined || value.length > 24) return undefined;
  let parsed: bigint | undefined;
  if (/^0x[0-9a-f]+$/i.test(value)) parsed = BigInt(value);
  else if (/^0[0-7]*$/.test(value)) parsed = BigInt(`0o${value.slice(1) || '0'}`);
  else if (/^[1-9]\d*$/.test(value)) parsed = BigInt(value);
  return parsed !== undefined && parsed < 2n ** 64n ? parsed : undefined;
}

function bitSet(value: bigint, bit: bigint): boolean {
  return ((value >> bit) & 1n) === 1n;
}

/** Whether the TEE object lets the host debug the guest; null when the TEE has no such knob on argv. */
function debugOf(tee: TeeKind, props: ReadonlyMap<string, string>): boolean | null {
  if (tee === 'tdx') {
    const attributes = parseQemuUnsigned(props.get('attributes'));
    return qemuBool(props.get('debug')) === true || (attributes !== undefined && bitSet(attributes, TDX_ATTRIBUTES_DEBUG_BIT));
  }
  if (tee === 'sev-snp') {
    const policy = parseQemuUnsigned(props.get('policy'));
    // QEMU's SNP default policy (0x30000) has DEBUG clear; a policy we cannot read is not known either way.
    if (!props.has('policy')) return false;
    return policy === undefined ? null : bitSet(policy, SNP_POLICY_DEBUG_BIT);
  }
  if (tee === 'sev') {
    const policy = props.has('policy') ? parseQemuUnsigned(props.get('policy')) : SEV_DEFAULT_POLICY;
    return policy === undefined ? null : !bitSet(policy, SEV_POLICY_NODBG_BIT);
  }
  // Secure Execution fixes debug and dump permissions when the image is built (§8.4); CCA has no debug knob.
  return null;
}

function lastOption(args: QemuArgs, name: string): string | null {
  let value: string | null = null;
  for (const option of args.options) if (option.name === name && option.value !== null) value = option.value;
  return value;
}

/**
 * The confidential guest this argv runs: the TEE object `-machine confidential-guest-support=` names. A TEE
 * object nothing names is reported with `enabled: false` (QEMU then starts an ordinary VM); a machine option
 * naming an object that is not a TEE object gives `tee: null`. Null when argv shows neither.
 */
export function qemuConfidential(args: QemuArgs): ConfidentialGuest | null {
  const supportId = args.machine?.props['confidential-guest-support'] ?? null;
  const tees = qemuObjects(args).filter((object) => TEE_OBJECTS[object.qomType] !== undefined);
  const named = supportId === null ? undefined : tees.find((object) => object.id === supportId);
  const object = named ?? tees[0];
  if (object === undefined && supportId === null) return null;
  const tee = object === undefined ? null : TEE_OBJECTS[object.qomType]!;
  return {
    tee,
    source: 'argv',
    objectId: object?.id ?? supportId,
    enabled: named !== undefined,
    debug: tee === null || object === undefined ? null : debugOf(tee, object.props),
    policy: object?.props.get('policy') ?? null,
    firmware: lastOption(args, 'bios'),
    kernelDebug: kernelDebugParams(lastOption(args, 'append') ?? ''),
  };
}

/** Guest kernel parameters that open a debug path into a confidential guest (reference 4.x §8.7). */
const KERNEL_DEBUG_PARAMS: ReadonlyArray<(word: string) => boolean> = [
  (word) => word === 'agent.debug_console' || (word.startsWith('agent.debug_console=') && !/=(0|false|off|no)$/i.test(word)),
  (word) => word === 'agent.log=debug',
  (word) => word === 'initcall_debug',
];

export function kernelDebugParams(append: string): string[] {
  const found: string[] = [];
  for (const word of append.split(/\s+/)) {
    if (word !== '' && KERNEL_DEBUG_PARAMS.some((matches) => matches(word)) && !found.includes(word)) found.push(word);
  }
  return found;
}

/** One `-add-fd fd=N,set=M[,opaque=…]`: QEMU files fd N in set M, which `/dev/fdset/M` then opens. */
export interface QemuFdSetEntry {
  fd: number;
  set: number;
  opaque: string | null;
}

export interface QemuFdSets {
  entries: QemuFdSetEntry[];
  /** Block nodes whose file is an fd set: node-name (or id) -> set number. */
  blockNodes: Map<string, number>;
}

const FDSET_PATH = /^\/dev\/fdset\/(\d{1,9})$/;

function toNumber(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/** The fd sets of a runtime-rs QEMU (post-4.1 cold-plugged block: the host path lives only in /proc/<pid>/fd). */
export function qemuFdSets(args: QemuArgs): QemuFdSets {
  const entries: QemuFdSetEntry[] = [];
  const blockNodes = new Map<string, number>();
  for (const option of args.options) {
    if (option.value === null) continue;
    if (option.name === 'add-fd') {
      const parsed = parseQemuOptionValue(option.value);
      const fd = toNumber(parsed.props.get('fd'));
      const set = toNumber(parsed.props.get('set'));
      if (fd !== null && set !== null) entries.push({ fd, set, opaque: parsed.props.get('opaque') ?? null });
    } else if (option.name === 'blockdev' || option.name === 'drive') {
      addBlockNode(parseQemuOptionValue(option.value), blockNodes);
    }
  }
  return { entries, blockNodes };
}

function addBlockNode(parsed: QemuOptionValue, blockNodes: Map<string, number>): void {
  const name = parsed.props.get('node-name') ?? parsed.props.get('id');
  const file = parsed.props.get('filename') ?? parsed.props.get('file.filename') ?? parsed.props.get('file');
  const match = file === undefined ? null : FDSET_PATH.exec(file);
  if (name !== undefined && match) blockNodes.set(name, Number(match[1]));
}
