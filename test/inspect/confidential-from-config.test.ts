// confidential from the configuration: only when the argv is silent, only for confidential_guest = true.
import test from 'ava';
import { confidentialOf } from '../../src/inspect/confidential-from-config.js';
import type { ConfidentialGuest, KataConfigSummary, Sandbox } from '../../src/model/report.js';

const FILE = '/opt/kata/share/defaults/kata-containers/runtimes/qemu-snp/configuration-qemu-snp.toml';
const summary = (settings: Record<string, unknown>): KataConfigSummary => ({
  path: '/opt/kata/share/defaults/kata-containers/configuration-qemu-snp.toml', resolvedPath: FILE, dropIns: [], hypervisor: 'qemu', settings, inUse: true,
});
const sandbox = (confidential: ConfidentialGuest | null, file: string | null = FILE): Pick<Sandbox, 'confidential' | 'configuration' | 'placement'> => ({
  confidential,
  configuration: { handler: 'kata-qemu-snp', candidates: [], handlerFrom: 'runtime-path', file, requested: file, dropIns: [], source: 'handler-option' },
  placement: 'local',
});

test('confidential_guest = true with no TEE in argv: a config-sourced guest that is not running as one', (t) => {
  const guest = confidentialOf(sandbox(null), [summary({ confidential_guest: true, sev_snp_guest: true, snp_guest_policy: 196608 })]);
  t.like(guest, { tee: 'sev-snp', source: 'config', enabled: false, policy: '196608', objectId: null });
  t.like(confidentialOf(sandbox(null), [summary({ confidential_guest: true })]), { tee: null, source: 'config' }, 'TDX or SE: the host picks, so unknown');
});

test('the argv wins; no file, another file, confidential_guest false and peer pods give nothing', (t) => {
  const argv: ConfidentialGuest = { tee: 'tdx', source: 'argv', objectId: 'tdx', enabled: true, debug: false, policy: null, firmware: null, kernelDebug: [] };
  const summaries = [summary({ confidential_guest: true })];
  t.is(confidentialOf(sandbox(argv), summaries), argv);
  t.is(confidentialOf(sandbox(null, null), summaries), null);
  t.is(confidentialOf(sandbox(null, '/etc/kata-containers/configuration.toml'), summaries), null);
  t.is(confidentialOf(sandbox(null), [summary({ confidential_guest: false })]), null);
  t.is(confidentialOf({ ...sandbox(null), placement: 'remote' }, summaries), null);
});
