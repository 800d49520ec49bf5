// --policy.file: YAML text -> Policy, strictly (the file itself is read by policy-file.ts). Every refusal is a PolicyError naming the file, line, column and
// key, at startup (exit 2) or on reload (the last good policy stays). Unknown keys are refused, so a typo
// ("expire:", "namespaces:") cannot turn an entry into one that acknowledges more, or forever.
import picomatch from 'picomatch';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node } from 'yaml';
import { messageOf, PolicyError } from '../errors.js';
import { parseExpiry } from './expiry.js';
import { MATCH_GLOB, MAX_ENTRIES, MAX_GLOB_LENGTH, MAX_POLICY_BYTES, MAX_REASON_LENGTH, OWNER, RULE_GLOB } from './limits.js';
import { MATCH_KEYS, type Policy, type PolicyEntry, type PolicyMatch } from './policy.js';

const ENTRY_KEYS = ['rule', 'reason', 'owner', 'expires', 'match'] as const;

/** A refusal about the file as a whole (no line, column or key). */
export const NOWHERE = { line: null, column: null, key: null };

export function parsePolicy(text: string, file: string, ruleIds: readonly string[]): Policy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw new PolicyError(file, NOWHERE, `is larger than ${MAX_POLICY_BYTES} bytes`);
  const lines = new LineCounter();
  // YAML 1.2 core schema: `2027-03-31` stays a string (no YAML 1.1 timestamps). The node tree is walked, never
  // converted to JS, so an alias is no value at all (refused where a value is expected) and cannot expand.
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const ctx: Context = new Context(file, lines);
  const problem = doc.errors[0];
  if (problem) ctx.failAt(problem.pos[0], null, `not valid YAML: ${problem.message.split('\n')[0]}`);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { file, entries: [] };
  ctx.mapping(root, '', ['acknowledgements']);
  const list = ctx.get(root, 'acknowledgements');
  if (list === undefined || (isScalar(list) && list.value === null)) return { file, entries: [] };
  if (!isSeq(list)) ctx.fail(list, 'acknowledgements', 'must be a list of entries');
  if (list.items.length > MAX_ENTRIES) ctx.fail(list, 'acknowledgements', `has ${list.items.length} entries; at most ${MAX_ENTRIES} are allowed`);
  const entries = list.items.map((item, index) => parseEntry(ctx, item as Node, index, ruleIds));
  return { file, entries };
}

function parseEntry(ctx: Context, node: Node, index: number, ruleIds: readonly string[]): PolicyEntry {
  const key = `acknowledgements[${index}]`;
  ctx.mapping(node, key, ENTRY_KEYS);
  const rule = ctx.requiredString(node, key, 'rule');
  if (!RULE_GLOB.test(rule)) ctx.fail(ctx.get(node, 'rule')!, `${key}.rule`, `"${rule}" is not a rule id or glob (upper case, digits, -, * and ?)`);
  const isMatch = picomatch(rule);
  const rules = ruleIds.filter((id) => isMatch(id));
  if (rules.length === 0) ctx.fail(ctx.get(node, 'rule')!, `${key}.rule`, `"${rule}" matches no rule of the catalogue (see kata-audit rules)`);
  const reason = ctx.requiredString(node, key, 'reason');
  if (reason.length > MAX_REASON_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(reason)) {
    ctx.fail(ctx.get(node, 'reason')!, `${key}.reason`, `must be one line of at most ${MAX_REASON_LENGTH} printable characters`);
  }
  const owner = ctx.requiredString(node, key, 'owner');
  if (!OWNER.test(owner)) ctx.fail(ctx.get(node, 'owner')!, `${key}.owner`, 'must be 1 to 64 characters: letters, digits, space and . _ @ / + - (a team or a person)');
  const expiresText = ctx.requiredString(node, key, 'expires', 'an entry without an expiry would acknowledge forever');
  const expiry = parseExpiry(expiresText);
  if (typeof expiry === 'string') ctx.fail(ctx.get(node, 'expires')!, `${key}.expires`, expiry);
  return { index, rule, rules, reason, owner, expires: expiry.text, expiresAtMs: expiry.atMs, match: parseMatch(ctx, ctx.get(node, 'match'), `${key}.match`) };
}

function parseMatch(ctx: Context, node: Node | undefined, key: string): PolicyMatch {
  if (node === undefined || (isScalar(node) && node.value === null)) return {};
  ctx.mapping(node, key, MATCH_KEYS);
  const match: PolicyMatch = {};
  for (const name of MATCH_KEYS) {
    const value = ctx.get(node, name);
    if (value === undefined) continue;
    const glob = ctx.requiredString(node, key, name);
    if (glob.length > MAX_GLOB_LENGTH || !MATCH_GLOB.test(glob)) {
      ctx.fail(value, `${key}.${name}`, `"${glob}" is not a glob of at most ${MAX_GLOB_LENGTH} characters (letters, digits, . _ : - and * ? ! [ ] { } ,)`);
    }
    try {
      picomatch.makeRe(glob);
    } catch (error) {
      ctx.fail(value, `${key}.${name}`, `"${glob}" is not a valid glob: ${messageOf(error)}`);
    }
    match[name] = glob;
  }
  return match;
}

class Context {
  constructor(readonly file: string, private readonly lines: LineCounter) {}

  failAt(offset: number, key: string | null, reason: string): never {
    const { line, col } = this.lines.linePos(offset);
    throw new PolicyError(this.file, { line, column: col, key }, reason);
  }

  fail(node: Node, key: string, reason: string): never {
    return this.failAt(node.range?.[0] ?? 0, key, reason);
  }

  mapping(node: Node, key: string, allowed: readonly string[]): void {
    if (!isMap(node)) this.fail(node, key || '(document)', 'must be a mapping');
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!allowed.includes(name)) {
        this.fail((pair.key as Node | null) ?? node, key ? `${key}.${name}` : name, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  get(node: Node, name: string): Node | undefined {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === name);
    if (pair === undefined) return undefined;
    if (pair.value !== null) return pair.value as Node;
    // `rule:` with nothing after it: an empty value, positioned at its key.
    const empty = new Scalar(null);
    empty.range = (pair.key as Node).range;
    return empty;
  }

  requiredString(node: Node, key: string, name: string, why = ''): string {
    const value = this.get(node, name);
    if (value === undefined) this.fail(node, `${key}.${name}`, `missing (required${why ? `: ${why}` : ''})`);
    if (!isScalar(value) || typeof value.value !== 'string' || value.value.trim() === '') {
      this.fail(value, `${key}.${name}`, 'must be a non-empty string');
    }
    return value.value.trim();
  }
}
