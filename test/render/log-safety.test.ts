// Log lines reach terminals too (journalctl, kubectl logs): a hostile string in a field cannot act there.
// (Kept with the other terminal-output tests; the logger's own tests are in test/server/log.test.ts.)
import test from 'ava';
import { createLogger } from '../../src/log.js';

const EVIL = '\u001b[2J\u001b]52;c;eA==\u0007\u009b31m\u202egpj.exe\u2066';
const HOSTILE = [0x1b, 0x07, 0x9b, 0x202e, 0x2066];

function logged(format: 'logfmt' | 'json'): string {
  const lines: string[] = [];
  createLogger({ level: 'info', format, write: (line) => lines.push(line), now: () => new Date(0) })
    .warn('process vanished', { path: `/proc/1/${EVIL}` });
  return lines.join('');
}

const hostileIn = (text: string) => [...text].filter((c) => HOSTILE.includes(c.codePointAt(0) ?? -1));

test('logfmt escapes controls and bidi characters in values', (t) => {
  const line = logged('logfmt');
  t.deepEqual(hostileIn(line), []);
  t.true(line.includes('\\u001b[2J'));
  t.true(line.includes('\\u202egpj.exe\\u2066'));
});

test('JSON log lines escape C1 and bidi characters too, and parse back to the original string', (t) => {
  const line = logged('json');
  t.deepEqual(hostileIn(line), []);
  t.is((JSON.parse(line) as { path: string }).path, `/proc/1/${EVIL}`);
});
