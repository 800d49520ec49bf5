// The E_ACCESS message of a report and the startup log are both derived from the agent's own CapEff, so a report
// cannot say "the agent needs CAP_SYS_PTRACE" while the startup log says it has it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { deniedReadCause, missingCapabilities, readAgentPrivileges } from '../../src/host/agent-privileges.js';

// CapEff masks: bit 19 SYS_PTRACE, bit 2 DAC_READ_SEARCH (linux/capability.h).
const PTRACE = (1n << 19n).toString(16).padStart(16, '0');
const BOTH = ((1n << 19n) | (1n << 2n)).toString(16).padStart(16, '0');
const ALL = '000001ffffffffff';
const NONE = '0000000000000000';

test('with both capabilities the cause names what else refuses, never a missing capability', (t) => {
  for (const mask of [BOTH, ALL]) {
    const cause = deniedReadCause(mask);
    t.deepEqual(missingCapabilities(mask), []);
    t.true(cause.startsWith('the agent has CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, so something else refuses'), cause);
    t.regex(cause, /LSM \(AppArmor, SELinux\)/);
    t.regex(cause, /user namespace/);
    t.notRegex(cause, /needs|lacks/);
  }
});

test('without them the cause names exactly the missing ones', (t) => {
  t.is(deniedReadCause(NONE), 'the agent lacks CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH');
  t.is(deniedReadCause(PTRACE), 'the agent lacks CAP_DAC_READ_SEARCH');
  t.regex(deniedReadCause(null), /could not be read; it needs CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH/);
});

test('readAgentPrivileges reads CapEff and the effective uid from a status file, and degrades to unknown', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-status-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'status');
  writeFileSync(file, `Name:\tnode\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t${BOTH}\n`);
  const privileges = readAgentPrivileges(file);
  t.is(privileges.uid, 0);
  t.is(privileges.capEff, BOTH);
  t.deepEqual(privileges.capabilities, ['DAC_READ_SEARCH', 'SYS_PTRACE']);
  t.deepEqual(readAgentPrivileges(path.join(dir, 'missing')), { uid: null, capEff: null, capabilities: [] });
});
