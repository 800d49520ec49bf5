import test from 'ava';
import { anyValue, appendValue, followingValue, notALongOption, notAnOption, splitLongOption } from '../../src/argv/long-options.js';

test('splitLongOption: --name, --name=value (first = only), and nothing else', (t) => {
  t.deepEqual(splitLongOption('--api-sock'), { name: 'api-sock', inline: null });
  t.deepEqual(splitLongOption('--api-sock=/run/a.sock'), { name: 'api-sock', inline: '/run/a.sock' });
  t.deepEqual(splitLongOption('--cmdline=console=hvc0 root=/dev/vda'), { name: 'cmdline', inline: 'console=hvc0 root=/dev/vda' });
  t.deepEqual(splitLongOption('--sock='), { name: 'sock', inline: '' }, 'an empty inline value is a value, not a missing one');
  t.deepEqual(splitLongOption('--'), { name: '', inline: null });
  t.deepEqual(splitLongOption('--=x'), { name: '', inline: 'x' });
  for (const arg of ['-o', '-v', 'value', '', '—flag', ' --x']) t.is(splitLongOption(arg), null, arg);
});

test('followingValue takes the next argument only when the predicate accepts it', (t) => {
  const argv = ['bin', '--id', 'abc', '--log', '-1', '--flag'];
  t.is(followingValue(argv, 1, notAnOption), 'abc');
  t.is(followingValue(argv, 3, notAnOption), undefined, '-1 looks like an option to clap-style parsers');
  t.is(followingValue(argv, 3, notALongOption), '-1', 'but not to Firecracker\'s');
  t.is(followingValue(argv, 4, notALongOption), undefined, '--flag is never a value');
  t.is(followingValue(argv, 4, anyValue), '--flag', 'unless the option always takes one');
  t.is(followingValue(argv, 5, anyValue), undefined, 'nothing after the last argument');
  t.is(followingValue(['bin', '--x', '--'], 1, notALongOption), undefined, 'a bare -- is no value');
});

test('appendValue keeps every value in argv order', (t) => {
  const values = new Map<string, string[]>();
  appendValue(values, 'disk', 'path=/a');
  appendValue(values, 'net', '');
  appendValue(values, 'disk', 'path=/b');
  t.deepEqual([...values], [['disk', ['path=/a', 'path=/b']], ['net', ['']]]);
});
