import test from 'ava';
import { parseMountinfo, unescapeOctal } from '../../src/host/mountinfo.js';

test('lines of this machine, with and without propagation tags', (t) => {
  const entries = parseMountinfo([
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
    '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684092k',
    '31 27 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 master:2 - cgroup cgroup rw,memory',
    '',
  ].join('\n'));
  t.deepEqual(entries[0], {
    mountId: 27, parentId: 1, device: '254:0', root: '/', mountPoint: '/', options: 'rw,relatime', optionalFields: [],
    fsType: 'ext4', source: '/dev/vda', superOptions: 'rw,discard,resv_strict,resuid=65534,resgid=65534',
  });
  t.is(entries[1]!.mountPoint, '/dev/shm');
  t.deepEqual(entries[2]!.optionalFields, ['shared:13', 'master:2']);
  t.is(entries[2]!.fsType, 'cgroup');
  t.is(entries[2]!.superOptions, 'rw,memory');
});

test('virtiofsd after pivot_root: one line naming the shared directory, spaces escaped', (t) => {
  const [entry, ...rest] = parseMountinfo(
    '612 611 0:52 /sandboxes/4b1f/shared\\040dir /  rw,nosuid - overlay overlay\\011root rw,lowerdir=/a\\134b\n',
  );
  t.is(rest.length, 0);
  t.is(entry?.root, '/sandboxes/4b1f/shared dir');
  t.is(entry?.mountPoint, '/');
  t.is(entry?.source, 'overlay\troot');
  t.is(entry?.superOptions, 'rw,lowerdir=/a\\b');
});

test('an empty source keeps its place', (t) => {
  const [entry] = parseMountinfo('40 27 0:35 / /mnt rw - tmpfs  rw\n');
  t.is(entry?.fsType, 'tmpfs');
  t.is(entry?.source, '');
  t.is(entry?.superOptions, 'rw');
});

test('malformed lines are skipped, good ones kept', (t) => {
  const entries = parseMountinfo([
    'x 1 0:1 / / rw - ext4 /dev/vda rw', // id not a number
    '22 27 0:21 / /proc rw,relatime proc proc rw', // no separator
    '22 27 0:21 / /proc rw,relatime - proc', // cut after the separator
    '22 27 zero / /proc rw - proc proc rw', // device not major:minor
    '22 27 0:21 / /proc rw,relatime - proc proc rw',
  ].join('\n'));
  t.deepEqual(entries.map((e) => e.mountPoint), ['/proc']);
});

test('unescapeOctal decodes every three-digit escape once, left to right', (t) => {
  t.is(unescapeOctal('a\\040b\\011c\\012d\\134e'), 'a b\tc\nd\\e');
  t.is(unescapeOctal('\\134040'), '\\040');
  t.is(unescapeOctal('no escapes \\9'), 'no escapes \\9');
});
