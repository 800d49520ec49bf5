// The one symlink walk behind resolveUnderRoot and the configuration resolvers, on an in-memory tree.
import test from 'ava';
import { MAX_LINKS, walkSymlinks, type WalkLookup } from '../../src/host/symlink-walk.js';

function tree(entries: Record<string, string | null>): WalkLookup {
  // A value is a symlink target; null is a plain entry.
  return {
    isSymlink: (at) => (at in entries ? entries[at] !== null : null),
    readLink: (at) => entries[at] ?? null,
  };
}

test('absolute targets restart from the host root, relative ones from the link, ".." stops at /', (t) => {
  const lookup = tree({ '/etc': null, '/etc/kata': '/opt/kata/etc', '/opt': null, '/opt/kata': null, '/opt/kata/etc': null, '/opt/kata/etc/c.toml': 'real.toml', '/opt/kata/etc/real.toml': null });
  t.deepEqual(walkSymlinks('/etc/kata/c.toml', lookup), { ok: true, path: '/opt/kata/etc/real.toml' });
  t.deepEqual(walkSymlinks('/../../etc/./kata/c.toml', lookup), { ok: true, path: '/opt/kata/etc/real.toml' });
  // ".." after a link applies to where it points, as in the kernel: /etc/kata/.. is /opt/kata.
  t.like(walkSymlinks('/etc/kata/../kata', lookup), { ok: false, why: 'missing', at: '/opt/kata/kata' });
  t.deepEqual(walkSymlinks('/', lookup), { ok: true, path: '/' });
});

test('a missing component, a loop and an unreadable link stop the walk with what was left', (t) => {
  t.like(walkSymlinks('/a/b/c', tree({ '/a': null })), { ok: false, why: 'missing', at: '/a/b', resolved: ['a'], rest: ['b', 'c'] });
  const loop = walkSymlinks('/x', tree({ '/x': '/y', '/y': '/x' }));
  t.like(loop, { ok: false, why: 'loop' });
  let followed = 0;
  walkSymlinks('/x', { isSymlink: () => true, readLink: () => (followed++, '/x') });
  t.is(followed, MAX_LINKS, 'at most the kernel\'s bound of links is followed');
  t.like(walkSymlinks('/l', { isSymlink: () => true, readLink: () => null }), { ok: false, why: 'unreadable', at: '/l' });
});
