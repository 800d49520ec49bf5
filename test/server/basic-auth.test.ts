// Unknown and known users must cost the same bcrypt work, or timing tells an attacker which users exist.
import test from 'ava';
import bcrypt from 'bcryptjs';
import { BasicAuthenticator } from '../../src/server/basic-auth.js';

test('the dummy hash for unknown users has the cost of the configured hashes', async (t) => {
  const auth = new BasicAuthenticator();
  const users = new Map([['a', bcrypt.hashSync('x', 5)], ['b', bcrypt.hashSync('y', 11)]]);
  t.is(bcrypt.getRounds(auth.dummyHash(users)), 11);
  t.is(auth.dummyHash(users), auth.dummyHash(users), 'generated once per users map');
  const header = `Basic ${Buffer.from('nobody:x').toString('base64')}`;
  t.false(await auth.check(header, users));
});
