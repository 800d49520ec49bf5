// The logger: level filtering, logfmt quoting that a hostile value cannot break, JSON lines, bound fields.
import test from 'ava';
import { createLogger } from '../../src/log.js';

const at = () => new Date('2025-01-02T03:04:05.000Z');

function capture(level: 'debug' | 'info' | 'warn' | 'error', format: 'logfmt' | 'json') {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format, write: (line) => lines.push(line), now: at }) };
}

test('logfmt: ts, level, msg first, then fields; values quoted only when needed', (t) => {
  const { lines, logger } = capture('info', 'logfmt');
  logger.info('listening', { address: 'http://127.0.0.1:9873', tls: false, users: 2 });
  logger.warn('cannot read', { path: '/proc/1/ns/mnt', hint: 'grant CAP_SYS_PTRACE', empty: '', none: null, gone: undefined });
  t.deepEqual(lines, [
    'ts=2025-01-02T03:04:05.000Z level=info msg=listening address=http://127.0.0.1:9873 tls=false users=2\n',
    'ts=2025-01-02T03:04:05.000Z level=warn msg="cannot read" path=/proc/1/ns/mnt hint="grant CAP_SYS_PTRACE" empty="" none=null\n',
  ]);
});

test('logfmt: a hostile value cannot forge a line or a field', (t) => {
  const { lines, logger } = capture('info', 'logfmt');
  logger.error('scan failed', { err: new Error('bad\nts=x level=error msg=forged'), path: 'a"b\\c\u0007', 'we ird=key': 1 });
  t.is(lines.length, 1);
  t.is(lines[0]!.split('\n').length, 2, 'one line');
  t.true(lines[0]!.includes('err="bad\\nts=x level=error msg=forged"'));
  t.true(lines[0]!.includes('path="a\\"b\\\\c\\u0007"'));
  t.true(lines[0]!.includes('we_ird_key=1'));
});

test('json: one object per line, errors as their message', (t) => {
  const { lines, logger } = capture('debug', 'json');
  logger.debug('x', { err: new Error('boom'), n: 1n });
  t.deepEqual(JSON.parse(lines[0]!), { ts: '2025-01-02T03:04:05.000Z', level: 'debug', msg: 'x', err: 'boom', n: '1' });
});

test('levels below the threshold are dropped; child loggers add their fields', (t) => {
  const { lines, logger } = capture('warn', 'logfmt');
  logger.debug('no');
  logger.info('no');
  const web = logger.child({ component: 'web' });
  web.warn('yes');
  web.error('also', { component: 'override' });
  t.deepEqual(lines.map((l) => l.replace(/^ts=\S+ /, '')), ['level=warn msg=yes component=web\n', 'level=error msg=also component=override\n']);
});
