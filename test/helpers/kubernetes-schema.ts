// Unknown-field check for Kubernetes objects, offline. kubernetes-models' validate() checks types and required
// fields but accepts unknown properties, so a misspelt `readOnlyRootFileSystem` would pass it and be silently dropped
// by the API server. This walks an object along the property lists of kubernetes-models' type declarations
// (node_modules/kubernetes-models/**/<Kind>.d.ts) and reports every key the API does not know.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './deploy.js';

interface Declaration {
  /** Property name -> the rest of its declaration line (its type). */
  fields: Map<string, string>;
  /** Type name -> declaration file it is imported from. */
  imports: Map<string, string>;
  typeMeta: boolean;
}

const cache = new Map<string, Declaration>();

function resolveImport(fromFile: string, specifier: string): string {
  if (specifier.startsWith('.')) return `${path.resolve(path.dirname(fromFile), specifier)}.d.ts`;
  return repoPath('node_modules', `${specifier}.d.ts`);
}

function declaration(file: string): Declaration {
  const cached = cache.get(file);
  if (cached) return cached;
  const text = readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    for (const name of m[1]!.split(',').map((n) => n.trim())) imports.set(name, resolveImport(file, m[2]!));
  }
  const start = /^export interface I\w+(?: extends ([\w, ]+))? \{$/m.exec(text);
  if (!start) throw new Error(`no interface in ${file}`);
  const body = text.slice(start.index + start[0].length, text.indexOf('\n}', start.index));
  const fields = new Map<string, string>();
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??:\s*(.*)$/gm)) fields.set(m[1]!, m[2]!);
  const result = { fields, imports, typeMeta: (start[1] ?? '').includes('TypeMeta') };
  cache.set(file, result);
  return result;
}

/** The declaration file of a kubernetes-models kind, e.g. ("apps/v1", "DaemonSet"). */
export function modelDeclaration(groupVersion: string, kind: string): string {
  const file = repoPath('node_modules/kubernetes-models', groupVersion, `${kind}.d.ts`);
  if (!existsSync(file)) throw new Error(`kubernetes-models has no ${groupVersion}/${kind}`);
  return file;
}

/** Paths (a.b[0].c) of every property of `value` that the declared type does not have. */
export function unknownFields(value: unknown, file: string, at = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const decl = declaration(file);
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const where = at === '' ? key : `${at}.${key}`;
    if (decl.typeMeta && (key === 'apiVersion' || key === 'kind')) continue;
    const type = decl.fields.get(key);
    if (type === undefined) {
      problems.push(where);
      continue;
    }
    if (type.startsWith('{')) continue; // a map (labels, resources): free keys
    const named = /IIoK8s\w+/.exec(type)?.[0];
    const target = named === undefined ? undefined : decl.imports.get(named);
    if (target === undefined || !existsSync(target) || !/export interface/.test(readFileSync(target, 'utf8'))) continue;
    if (Array.isArray(child)) child.forEach((item, i) => problems.push(...unknownFields(item, target, `${where}[${i}]`)));
    else problems.push(...unknownFields(child, target, where));
  }
  return problems;
}
