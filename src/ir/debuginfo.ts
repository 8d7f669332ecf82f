/**
 * @fileoverview Stage: ir. Source locations from debug metadata, read lazily.
 *
 * Consumes: a parsed `Module` (its raw `metadata` texts) and a `!dbg` id (`Instr.dbg`, `Func.dbg`).
 * Produces: `{ file, dir, line, col }` for a DILocation, following its scope chain (DILexicalBlock,
 * DILexicalBlockFile, DISubprogram, DINamespace, ...) up to the DIFile. Only the nodes asked about are
 * parsed, and the results are cached per module.
 */
import type { Module } from './model.js';

export interface DebugLocation {
  file: string;
  dir?: string;
  line: number;
  col: number;
}

/** Parsed `key: value` fields of specialised metadata nodes, per module. */
interface Cache {
  fields: Map<number, Map<string, string> | null>;
  locs: Map<number, DebugLocation | null>;
}
const caches = new WeakMap<Module, Cache>();

/**
 * Resolves `!dbg !N` to its file and line. Returns undefined when N is not a DILocation (or a
 * DISubprogram, for function attachments) or its scope chain reaches no file.
 */
export function debugLocation(
  m: Module,
  dbgId: number,
): { file: string; dir?: string; line: number; col: number } | undefined {
  if (dbgId < 0) return undefined;
  let c = caches.get(m);
  if (c === undefined) {
    c = { fields: new Map(), locs: new Map() };
    caches.set(m, c);
  }
  const hit = c.locs.get(dbgId);
  if (hit !== undefined) return hit ?? undefined;
  const loc = resolve(m, c, dbgId);
  c.locs.set(dbgId, loc ?? null);
  return loc;
}

function resolve(m: Module, c: Cache, id: number): DebugLocation | undefined {
  const node = nodeFields(m, c, id);
  if (node === undefined) return undefined;
  const line = Number(node.get('line') ?? '0');
  const col = Number(node.get('column') ?? '0');
  // Walk scopes (bounded, in case of cycles in malformed metadata).
  let cur: Map<string, string> | undefined = node;
  for (let hops = 0; cur !== undefined && hops < 64; hops++) {
    if (cur.get('$kind') === 'DIFile') return fileOf(cur, line, col);
    const fileRef = refId(cur.get('file'));
    if (fileRef !== undefined && cur.get('$kind') !== 'DILocation') {
      const f = nodeFields(m, c, fileRef);
      if (f !== undefined && f.get('$kind') === 'DIFile') return fileOf(f, line, col);
    }
    const scope = refId(cur.get('scope'));
    if (scope === undefined) return undefined;
    cur = nodeFields(m, c, scope);
  }
  return undefined;
}

function fileOf(f: Map<string, string>, line: number, col: number): DebugLocation {
  const loc: DebugLocation = { file: f.get('filename') ?? '', line, col };
  const dir = f.get('directory');
  if (dir !== undefined && dir !== '') loc.dir = dir;
  return loc;
}

function refId(v: string | undefined): number | undefined {
  if (v === undefined || v.charCodeAt(0) !== 33 /* ! */) return undefined;
  const n = Number(v.slice(1));
  return Number.isInteger(n) ? n : undefined;
}

function nodeFields(m: Module, c: Cache, id: number): Map<string, string> | undefined {
  const hit = c.fields.get(id);
  if (hit !== undefined) return hit ?? undefined;
  const text = m.metadata.get(String(id));
  const f = text === undefined ? undefined : parseSpecialized(text);
  c.fields.set(id, f ?? null);
  return f;
}

/**
 * Parses `distinct? !DIKind(key: value, ...)` into a map (`$kind` holds DIKind). String values are
 * unescaped; other values are kept as written (`!12`, `42`, `DIFlagA | DIFlagB`).
 */
export function parseSpecialized(text: string): Map<string, string> | undefined {
  let p = 0;
  const n = text.length;
  if (text.startsWith('distinct')) p = 8;
  while (p < n && text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 33) return undefined;
  const open = text.indexOf('(', p);
  if (open < 0) return undefined;
  const kind = text.slice(p + 1, open);
  if (!/^DI[A-Za-z]+$/.test(kind)) return undefined;
  const out = new Map<string, string>([['$kind', kind]]);
  p = open + 1;
  while (p < n) {
    while (p < n && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 44)) p++;
    if (p >= n || text.charCodeAt(p) === 41) break;
    const colon = text.indexOf(':', p);
    if (colon < 0) break;
    const key = text.slice(p, colon).trim();
    p = colon + 1;
    while (p < n && text.charCodeAt(p) === 32) p++;
    let value: string;
    if (text.charCodeAt(p) === 34) {
      const end = text.indexOf('"', p + 1);
      if (end < 0) break;
      value = unescapeIR(text.slice(p + 1, end));
      p = end + 1;
    } else {
      // Up to the next ',' or ')' at depth 0.
      let depth = 0;
      const s = p;
      while (p < n) {
        const ch = text.charCodeAt(p);
        if (ch === 40 || ch === 123) depth++;
        else if (ch === 41 || ch === 125) {
          if (depth === 0) break;
          depth--;
        } else if (ch === 44 && depth === 0) break;
        else if (ch === 34) {
          const end = text.indexOf('"', p + 1);
          if (end < 0) break;
          p = end;
        }
        p++;
      }
      value = text.slice(s, p).trim();
    }
    out.set(key, value);
  }
  return out;
}

function unescapeIR(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && s[i + 1] === '\\') {
      bytes.push(92);
      i++;
    } else if (ch === '\\' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...enc.encode(ch));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
