import test from 'ava';
import { fdNumbers, parseQemuOptionValue, parseQemuSize, qemuBool } from '../../src/argv/qemu-option-value.js';

test('splits driver, keys and flags', (t) => {
  const parsed = parseQemuOptionValue('socket,id=char0,path=/run/vc/vm/x/qmp.sock,server,nowait');
  t.is(parsed.implied, 'socket');
  t.is(parsed.props.get('id'), 'char0');
  t.is(parsed.props.get('path'), '/run/vc/vm/x/qmp.sock');
  t.is(parsed.props.get('server'), 'on');
  t.is(parsed.props.get('nowait'), 'on');
});

test(',, is a literal comma in a value, in the implied value and at the end', (t) => {
  t.is(parseQemuOptionValue('socket,path=/run/a,,b').props.get('path'), '/run/a,b');
  t.is(parseQemuOptionValue('socket,path=/run/a,,b,id=c').props.get('id'), 'c');
  t.is(parseQemuOptionValue('a,,b,k=v').implied, 'a,b');
  t.is(parseQemuOptionValue('k=x,,').props.get('k'), 'x,');
  t.is(parseQemuOptionValue('k=x,,,,y').props.get('k'), 'x,,y');
});

test('a first element with = is a key, not the implied value', (t) => {
  const parsed = parseQemuOptionValue('driver=virtio-net-pci,netdev=network-0');
  t.is(parsed.implied, null);
  t.is(parsed.props.get('driver'), 'virtio-net-pci');
});

test('kernel_irqchip without a value reads on; last duplicate wins; empty elements are ignored', (t) => {
  const parsed = parseQemuOptionValue('q35,accel=kvm,kernel_irqchip,,accel=tcg,');
  // `kernel_irqchip,,accel=tcg` is one element: ",," escapes, so the flag swallows the rest.
  t.is(parsed.props.get('kernel_irqchip,accel'), 'tcg');
  const plain = parseQemuOptionValue('q35,accel=kvm,kernel_irqchip,accel=tcg,');
  t.is(plain.props.get('kernel_irqchip'), 'on');
  t.is(plain.props.get('accel'), 'tcg');
});

test('JSON -device syntax is flattened', (t) => {
  const parsed = parseQemuOptionValue('{"driver":"vfio-pci","host":"0000:3b:00.0","id":"hostdev0","multifunction":true,"addr":5,"x":{"y":1}}');
  t.is(parsed.props.get('driver'), 'vfio-pci');
  t.is(parsed.props.get('multifunction'), 'on');
  t.is(parsed.props.get('addr'), '5');
  t.false(parsed.props.has('x'));
  // Not JSON after all: read as QemuOpts.
  t.is(parseQemuOptionValue('{broken').implied, '{broken');
});

test('sizes', (t) => {
  t.is(parseQemuSize('2048M'), 2048 * 2 ** 20);
  t.is(parseQemuSize('2G'), 2 * 2 ** 30);
  t.is(parseQemuSize('2048', 'm'), 2048 * 2 ** 20);
  t.is(parseQemuSize('2048'), 2048);
  t.is(parseQemuSize('1.5k'), 1536);
  t.is(parseQemuSize('lots'), null);
  t.is(parseQemuSize(undefined), null);
});

test('bools and fd lists', (t) => {
  t.true(qemuBool('on'));
  t.false(qemuBool('OFF'));
  t.is(qemuBool('maybe'), undefined);
  t.deepEqual(fdNumbers('5:7:9'), [5, 7, 9]);
  t.deepEqual(fdNumbers('myfd'), []);
  t.deepEqual(fdNumbers(undefined), []);
});
