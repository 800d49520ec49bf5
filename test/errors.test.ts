import test from 'ava';
import { messageOf, UsageError } from '../src/errors.js';

test('messageOf: the message of an Error, the text of anything else thrown', (t) => {
  t.is(messageOf(new Error('disk gone')), 'disk gone');
  t.is(messageOf(new UsageError('bad flag', '--x')), 'bad flag');
  t.is(messageOf(new TypeError('')), '');
  t.is(messageOf('plain string'), 'plain string');
  t.is(messageOf(42), '42');
  t.is(messageOf(undefined), 'undefined');
  t.is(messageOf(null), 'null');
  // Not an Error even though it has a message: its text is what String() gives, never a property read.
  t.is(messageOf({ message: 'forged' }), '[object Object]');
});
