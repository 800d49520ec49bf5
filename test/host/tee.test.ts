import test from 'ava';
import { parseFacilities, protVirtEnabled, readTeeCapability } from '../../src/host/tee.js';
import { fixtureView } from './fixture-view.js';

test('a TDX host: kvm_intel tdx=Y, firmware and QGS socket present; kvm_amd absent reads null', (t) => {
  const { view } = fixtureView(t, {
    files: {
      'sys/module/kvm_intel/parameters/tdx': 'Y\n',
      'root/opt/kata/share/ovmf/OVMF.inteltdx.fd': 'fw',
      'root/var/run/tdx-qgs/qgs.socket': '',
    },
  });
  t.deepEqual(readTeeCapability(view), {
    tdx: true, sev: null, sevEs: null, sevSnp: null, se: null,
    files: ['/opt/kata/share/ovmf/OVMF.inteltdx.fd', '/var/run/tdx-qgs/qgs.socket'],
  });
  t.deepEqual(view.errors.entries, []);
});

test('an SEV-SNP host with int-typed parameters, and a malformed one recorded', (t) => {
  const { view } = fixtureView(t, {
    files: {
      'sys/module/kvm_amd/parameters/sev': '1\n',
      'sys/module/kvm_amd/parameters/sev_es': '0\n',
      'sys/module/kvm_amd/parameters/sev_snp': 'maybe\n',
    },
  });
  t.like(readTeeCapability(view), { tdx: null, sev: true, sevEs: false, sevSnp: null });
  t.is(view.errors.entries.length, 1);
  t.is(view.errors.entries[0]?.code, 'E_MALFORMED');
});

test('Secure Execution needs facility 158 and prot_virt on the command line', (t) => {
  t.deepEqual(parseFacilities('vendor_id : IBM/S390\nfacilities      : 0 1 2 158 169\n'), new Set(['0', '1', '2', '158', '169']));
  t.is(parseFacilities('flags : fpu vme\n'), undefined);
  t.true(protVirtEnabled('root=/dev/sda prot_virt=1\n'));
  t.false(protVirtEnabled('prot_virt=1 prot_virt=0'));
  t.false(protVirtEnabled('prot_virtx=1'));
});
