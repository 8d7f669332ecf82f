/**
 * @fileoverview Stage: progs. Parser and checker of the weighted grammar format that drives the program
 * generator (documented in docs/progs.md).
 *
 * Consumes: grammar text and its file name. Produces: a `Grammar` whose rules know what they build
 * (expression, place, statement, type, loop header), whose alternatives carry a weight and a `Shape`
 * the generator executes, and whose minimal derivation heights let generation stop growing when a
 * size limit is reached. Every problem is a one-line `UserError` with file:line:col.
 */

import { UserError } from '../util/errors.js';
import { type CType, typeByName } from './ctypes.js';
import { type BinOp, type UnOp, BIN_OPS, UN_OPS } from './semantics.js';

/** What a rule (or action) builds. A place is an lvalue; a place can be used wherever an expr can. */
export type Kind = 'expr' | 'place' | 'stmt' | 'type' | 'header';

/** The built-in generator actions a grammar may name (bare or with a leading `@`). */
export const ACTION_KINDS = {
  constant: 'expr',
  call: 'expr',
  known_identifier: 'place',
  make_identifier: 'place',
  array_element: 'place',
  struct_member: 'place',
  pointer_deref: 'place',
  loop_header: 'header',
} as const satisfies Record<string, Kind>;
export type ActionName = keyof typeof ACTION_KINDS;
/** Actions that expand the rule 'expr' themselves. */
const RECURSIVE_ACTIONS: ReadonlySet<string> = new Set(['call', 'array_element']);

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '<<=' | '>>=' | '&=' | '|=' | '^=';
const ASSIGN_OPS: readonly string[] = ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^='];

/** A symbol an alternative refers to: another rule or an action. */
export type Sym = { readonly rule: Rule } | { readonly action: ActionName };

/** What the generator does for an alternative, decided once from its terminals when the grammar loads. */
export type Shape =
  | { k: 'sym'; s: Sym }
  | { k: 'seq'; items: Sym[] }
  | { k: 'paren'; e: Sym }
  | { k: 'binary'; op: BinOp; a: Sym; b: Sym }
  | { k: 'unary'; op: UnOp; e: Sym }
  | { k: 'cast'; t: Sym; e: Sym }
  | { k: 'cond'; c: Sym; a: Sym; b: Sym }
  | { k: 'assign'; op: AssignOp; p: Sym; e: Sym }
  | { k: 'incdec'; op: '++' | '--'; prefix: boolean; p: Sym }
  | { k: 'if'; c: Sym; then: Sym; else: Sym | undefined }
  | { k: 'for'; h: Sym; body: Sym }
  | { k: 'block'; body: Sym }
  | { k: 'typename'; t: CType };

export interface Alt {
  readonly weight: number;
  readonly shape: Shape;
  /** Minimal derivation height through rules of the same kind class (actions and other kinds count 0). */
  height: number;
  readonly line: number;
  readonly col: number;
}

export interface Rule {
  readonly name: string;
  readonly alts: Alt[];
  kind: Kind | undefined;
  minHeight: number;
  /** Alternatives with weight > 0, their weights and the sum, for weighted choice. */
  live: Alt[];
  weights: number[];
  total: number;
  /** The same for the alternatives of minimal height (used once a size limit is reached). */
  short: Alt[];
  shortWeights: number[];
  shortTotal: number;
  readonly line: number;
  readonly col: number;
}

/** Size limits and probabilities the grammar may set with `%name value` lines. */
export interface GrammarOptions {
  max_expr_depth: number;
  max_stmt_depth: number;
  main_statements: number;
  function_statements: number;
  max_functions: number;
  max_params: number;
  max_loop_trips: number;
  max_loop_nest: number;
  max_array_length: number;
  max_struct_fields: number;
  global_percent: number;
}

export const DEFAULT_OPTIONS: Readonly<GrammarOptions> = {
  max_expr_depth: 7,
  max_stmt_depth: 3,
  main_statements: 24,
  function_statements: 6,
  max_functions: 4,
  max_params: 3,
  max_loop_trips: 8,
  max_loop_nest: 3,
  max_array_length: 8,
  max_struct_fields: 4,
  global_percent: 50,
};

export interface Grammar {
  readonly file: string;
  readonly rules: ReadonlyMap<string, Rule>;
  readonly options: GrammarOptions;
  /** The rules the generator starts from. */
  readonly mainBody: Rule;
  readonly functionBody: Rule;
  readonly expr: Rule;
  readonly type: Rule;
}

// ---------------------------------------------------------------------------------------------
// Lexer

type TokKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  line: number;
  col: number;
}

function lex(src: string, file: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const err = (msg: string, at: number): never => {
    throw new UserError(msg, { file, line, col: at - lineStart + 1 });
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j] as string)) j++;
      toks.push({ kind: 'ident', text: src.slice(i, j), line, col });
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i, i + 40)) as RegExpExecArray;
      toks.push({ kind: 'number', text: m[0], line, col });
      i += m[0].length;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') err('unterminated string', i);
        if (src[j] === '\\' && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length) err('unterminated string', i);
      if (text === '') err('empty terminal ""', i);
      toks.push({ kind: 'string', text, line, col });
      i = j + 1;
    } else if (c === ':' || c === '|' || c === ';' || c === '%' || c === '@') {
      toks.push({ kind: 'punct', text: c, line, col });
      i++;
    } else {
      err(`unexpected character '${c}'`, i);
    }
  }
  toks.push({ kind: 'eof', text: 'end of file', line, col: i - lineStart + 1 });
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Parser

type RawItem =
  | { k: 'term'; text: string; line: number; col: number }
  | { k: 'name'; name: string; forceAction: boolean; line: number; col: number };
interface RawAlt {
  weight: number;
  items: RawItem[];
  line: number;
  col: number;
}

/** Parses, resolves and checks a grammar. `file` is used in error messages. */
export function parseGrammar(src: string, file = '<grammar>'): Grammar {
  const toks = lex(src, file);
  let p = 0;
  const peek = (): Tok => toks[p] as Tok;
  const err = (msg: string, t: Tok = peek()): never => {
    throw new UserError(msg, { file, line: t.line, col: t.col });
  };
  const expect = (kind: TokKind, text?: string): Tok => {
    const t = peek();
    if (t.kind !== kind || (text !== undefined && t.text !== text)) {
      err(`expected ${text !== undefined ? `'${text}'` : an(kind)} but found '${t.text}'`);
    }
    p++;
    return t;
  };

  const options: GrammarOptions = { ...DEFAULT_OPTIONS };
  const raw = new Map<string, { alts: RawAlt[]; line: number; col: number }>();
  // grammar ::= (option | rule)*
  while (peek().kind !== 'eof') {
    const t = peek();
    if (t.kind === 'punct' && t.text === '%') {
      // option ::= '%' ident number
      p++;
      const name = expect('ident');
      if (!(name.text in options)) err(`unknown option '%${name.text}'`, name);
      const v = expect('number');
      (options as unknown as Record<string, number>)[name.text] = Number(v.text);
      continue;
    }
    // rule ::= ident ':' alt ('|' alt)* ';'
    const name = expect('ident');
    if (raw.has(name.text)) err(`rule '${name.text}' is defined twice`, name);
    expect('punct', ':');
    const alts: RawAlt[] = [];
    for (;;) {
      // alt ::= number item*      item ::= string | ident | '@' ident
      const w = peek();
      if (w.kind !== 'number')
        err(`expected a weight (a number) at the start of an alternative of '${name.text}'`);
      p++;
      const items: RawItem[] = [];
      for (;;) {
        const it = peek();
        if (it.kind === 'string') {
          items.push({ k: 'term', text: it.text, line: it.line, col: it.col });
          p++;
        } else if (it.kind === 'ident') {
          items.push({ k: 'name', name: it.text, forceAction: false, line: it.line, col: it.col });
          p++;
        } else if (it.kind === 'punct' && it.text === '@') {
          p++;
          const id = expect('ident');
          items.push({ k: 'name', name: id.text, forceAction: true, line: it.line, col: it.col });
        } else break;
      }
      if (items.length === 0) err(`empty alternative in rule '${name.text}'`, w);
      alts.push({ weight: Number(w.text), items, line: w.line, col: w.col });
      const sep = peek();
      if (sep.kind === 'punct' && sep.text === '|') {
        p++;
        continue;
      }
      if (sep.kind === 'punct' && sep.text === ';') {
        p++;
        break;
      }
      err(`expected '|' or ';' after an alternative of '${name.text}' but found '${sep.text}'`);
    }
    raw.set(name.text, { alts, line: name.line, col: name.col });
  }
  return analyse(raw, options, file);
}

// ---------------------------------------------------------------------------------------------
// Resolution, shapes, kinds, heights

const isAction = (n: string): n is ActionName => Object.prototype.hasOwnProperty.call(ACTION_KINDS, n);

function analyse(
  raw: Map<string, { alts: RawAlt[]; line: number; col: number }>,
  options: GrammarOptions,
  file: string,
): Grammar {
  const fail = (msg: string, line: number, col: number): never => {
    throw new UserError(msg, { file, line, col });
  };
  const rules = new Map<string, Rule>();
  for (const [name, r] of raw) {
    rules.set(name, {
      name,
      alts: [],
      kind: undefined,
      minHeight: Infinity,
      live: [],
      weights: [],
      total: 0,
      short: [],
      shortWeights: [],
      shortTotal: 0,
      line: r.line,
      col: r.col,
    });
  }
  // Shapes.
  for (const [name, r] of raw) {
    const rule = rules.get(name) as Rule;
    for (const a of r.alts) {
      const syms: (Sym | string)[] = a.items.map((it) => {
        if (it.k === 'term') return it.text;
        if (!it.forceAction) {
          const target = rules.get(it.name);
          if (target) return { rule: target };
        }
        if (isAction(it.name)) return { action: it.name };
        return fail(
          it.forceAction ? `unknown action '@${it.name}'` : `unknown rule or action '${it.name}'`,
          it.line,
          it.col,
        );
      });
      const shape = shapeOf(syms, (msg) => fail(`${msg} in rule '${name}'`, a.line, a.col));
      rule.alts.push({ weight: a.weight, shape, height: Infinity, line: a.line, col: a.col });
    }
  }
  inferKinds(rules, fail);
  for (const rule of rules.values()) for (const a of rule.alts) checkShape(rule, a, fail);
  computeHeights(rules, fail);
  const need = (name: string, kinds: Kind[]): Rule => {
    const r = rules.get(name);
    if (!r) return fail(`the grammar must define rule '${name}'`, 1, 1);
    if (!kinds.includes(r.kind as Kind)) {
      fail(
        `rule '${name}' must build ${an(kinds[0] as Kind)} but builds ${an(r.kind as Kind)}`,
        r.line,
        r.col,
      );
    }
    return r;
  };
  const mainBody = need('main_body', ['stmt']);
  const functionBody = rules.has('function_body') ? need('function_body', ['stmt']) : mainBody;
  const expr = need('expr', ['expr', 'place']);
  const type = need('type', ['type']);
  for (const [k, v] of Object.entries(options)) {
    if (!Number.isFinite(v) || v < 0) fail(`option %${k} must be a non-negative number`, 1, 1);
  }
  return { file, rules, options, mainBody, functionBody, expr, type };
}

/** Recognises the alternative's shape from its terminals (strings) and symbols. */
function shapeOf(items: (Sym | string)[], fail: (msg: string) => never): Shape {
  const n = items.length;
  const t = (i: number): string | undefined =>
    typeof items[i] === 'string' ? (items[i] as string) : undefined;
  const s = (i: number): Sym | undefined => (typeof items[i] === 'string' ? undefined : (items[i] as Sym));
  const allSyms = items.every((x) => typeof x !== 'string');
  if (items.every((x) => typeof x === 'string')) {
    const words = (items as string[]).join(' ').trim().split(/\s+/).join(' ');
    const ty = typeByName(words);
    if (!ty) fail(`'${words}' is not an integer type name (terminal-only alternatives name types)`);
    return { k: 'typename', t: ty as CType };
  }
  if (n === 1) return { k: 'sym', s: s(0) as Sym };
  if (allSyms) return { k: 'seq', items: items as Sym[] };
  const op1 = t(1);
  if (n === 3 && t(0) === '(' && t(2) === ')' && s(1)) return { k: 'paren', e: s(1) as Sym };
  if (n === 3 && s(0) && s(2) && op1 !== undefined && (BIN_OPS as readonly string[]).includes(op1)) {
    return { k: 'binary', op: op1 as BinOp, a: s(0) as Sym, b: s(2) as Sym };
  }
  if (n === 2 && s(1) && t(0) !== undefined && (UN_OPS as readonly string[]).includes(t(0) as string)) {
    return { k: 'unary', op: t(0) as UnOp, e: s(1) as Sym };
  }
  if (n === 4 && t(0) === '(' && s(1) && t(2) === ')' && s(3))
    return { k: 'cast', t: s(1) as Sym, e: s(3) as Sym };
  if (n === 5 && s(0) && t(1) === '?' && s(2) && t(3) === ':' && s(4)) {
    return { k: 'cond', c: s(0) as Sym, a: s(2) as Sym, b: s(4) as Sym };
  }
  if (n === 4 && s(0) && op1 !== undefined && ASSIGN_OPS.includes(op1) && s(2) && t(3) === ';') {
    return { k: 'assign', op: op1 as AssignOp, p: s(0) as Sym, e: s(2) as Sym };
  }
  if (n === 3 && s(0) && (op1 === '++' || op1 === '--') && t(2) === ';') {
    return { k: 'incdec', op: op1, prefix: false, p: s(0) as Sym };
  }
  if (n === 3 && (t(0) === '++' || t(0) === '--') && s(1) && t(2) === ';') {
    return { k: 'incdec', op: t(0) as '++' | '--', prefix: true, p: s(1) as Sym };
  }
  // Bodies of if/else/for may be written with or without braces; they are always printed with braces.
  const body = (i: number): [Sym, number] | undefined => {
    if (s(i)) return [s(i) as Sym, i + 1];
    if (t(i) === '{' && s(i + 1) && t(i + 2) === '}') return [s(i + 1) as Sym, i + 3];
    return undefined;
  };
  if (t(0) === 'if' && t(1) === '(' && s(2) && t(3) === ')') {
    const th = body(4);
    if (th && th[1] === n) return { k: 'if', c: s(2) as Sym, then: th[0], else: undefined };
    const el = th && t(th[1]) === 'else' ? body(th[1] + 1) : undefined;
    if (th && el && el[1] === n) return { k: 'if', c: s(2) as Sym, then: th[0], else: el[0] };
  }
  if (t(0) === 'for' && t(1) === '(' && s(2) && t(3) === ')') {
    const b = body(4);
    if (b && b[1] === n) return { k: 'for', h: s(2) as Sym, body: b[0] };
  }
  if (n === 3 && t(0) === '{' && s(1) && t(2) === '}') return { k: 'block', body: s(1) as Sym };
  const text = items
    .map((x) => (typeof x === 'string' ? `"${x}"` : 'rule' in x ? x.rule.name : x.action))
    .join(' ');
  return fail(
    `unsupported alternative shape '${text}' (see docs/progs.md for the shapes the generator knows)`,
  );
}

/** 'an expr', 'a place', ... */
function an(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function symKind(s: Sym): Kind | undefined {
  return 'rule' in s ? s.rule.kind : ACTION_KINDS[s.action];
}

function shapeKind(sh: Shape): Kind | undefined {
  switch (sh.k) {
    case 'sym':
      return symKind(sh.s);
    case 'typename':
      return 'type';
    case 'seq':
    case 'assign':
    case 'incdec':
    case 'if':
    case 'for':
    case 'block':
      return 'stmt';
    default:
      return 'expr';
  }
}

type Fail = (msg: string, line: number, col: number) => never;

function inferKinds(rules: Map<string, Rule>, fail: Fail): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const rule of rules.values()) {
      for (const a of rule.alts) {
        const k = shapeKind(a.shape);
        if (k === undefined || k === rule.kind) continue;
        let joined: Kind;
        if (rule.kind === undefined) joined = k;
        else if ((rule.kind === 'place' && k === 'expr') || (rule.kind === 'expr' && k === 'place'))
          joined = 'expr';
        else {
          return fail(
            `rule '${rule.name}' mixes alternatives building ${an(rule.kind)} and ${an(k)}`,
            a.line,
            a.col,
          );
        }
        if (joined !== rule.kind) {
          rule.kind = joined;
          changed = true;
        }
      }
    }
  }
  for (const rule of rules.values()) {
    if (rule.kind === undefined)
      fail(`cannot tell what rule '${rule.name}' builds (it only refers to itself)`, rule.line, rule.col);
  }
}

function checkShape(rule: Rule, a: Alt, fail: Fail): void {
  const name = (s: Sym): string => ('rule' in s ? `rule '${s.rule.name}'` : `action '${s.action}'`);
  const want = (s: Sym, kinds: Kind[], role: string): void => {
    const k = symKind(s) as Kind;
    if (!kinds.includes(k))
      fail(`${role} must be ${kinds.map(an).join(' or ')}, but ${name(s)} builds ${an(k)}`, a.line, a.col);
  };
  const E: Kind[] = ['expr', 'place'];
  const sh = a.shape;
  switch (sh.k) {
    case 'sym':
    case 'typename':
      return;
    case 'seq':
      for (const s of sh.items) want(s, ['stmt'], 'each item of a statement sequence');
      return;
    case 'paren':
    case 'unary':
      want(sh.e, E, 'the operand');
      return;
    case 'binary':
      want(sh.a, E, 'the left operand');
      want(sh.b, E, 'the right operand');
      return;
    case 'cast':
      want(sh.t, ['type'], 'the cast target');
      want(sh.e, E, 'the cast operand');
      return;
    case 'cond':
      want(sh.c, E, 'the condition');
      want(sh.a, E, 'the second operand of ?:');
      want(sh.b, E, 'the third operand of ?:');
      return;
    case 'assign':
      want(sh.p, ['place'], `the left side of ${sh.op}`);
      want(sh.e, E, `the right side of ${sh.op}`);
      return;
    case 'incdec':
      want(sh.p, ['place'], `the operand of ${sh.op}`);
      return;
    case 'if':
      want(sh.c, E, 'the condition');
      want(sh.then, ['stmt'], 'the body of if');
      if (sh.else) want(sh.else, ['stmt'], 'the body of else');
      return;
    case 'for':
      want(sh.h, ['header'], 'the loop header');
      want(sh.body, ['stmt'], 'the body of for');
      return;
    case 'block':
      want(sh.body, ['stmt'], 'the body of a block');
      return;
  }
  void rule;
}

function kindClass(k: Kind | undefined): string {
  return k === 'place' ? 'expr' : (k ?? '');
}

function shapeSyms(sh: Shape): Sym[] {
  switch (sh.k) {
    case 'typename':
      return [];
    case 'sym':
      return [sh.s];
    case 'seq':
      return sh.items;
    case 'paren':
    case 'unary':
      return [sh.e];
    case 'binary':
      return [sh.a, sh.b];
    case 'cast':
      return [sh.t, sh.e];
    case 'cond':
      return [sh.c, sh.a, sh.b];
    case 'assign':
      return [sh.p, sh.e];
    case 'incdec':
      return [sh.p];
    case 'if':
      return sh.else ? [sh.c, sh.then, sh.else] : [sh.c, sh.then];
    case 'for':
      return [sh.h, sh.body];
    case 'block':
      return [sh.body];
  }
}

function computeHeights(rules: Map<string, Rule>, fail: Fail): void {
  for (const rule of rules.values()) {
    for (const a of rule.alts) {
      if (!(a.weight >= 0))
        fail(`weight must be a non-negative number in rule '${rule.name}'`, a.line, a.col);
    }
    rule.live = rule.alts.filter((a) => a.weight > 0);
    if (rule.live.length === 0)
      fail(`rule '${rule.name}' has no alternative with a weight above 0`, rule.line, rule.col);
    rule.weights = rule.live.map((a) => a.weight);
    rule.total = rule.weights.reduce((x, y) => x + y, 0);
  }
  // Actions that generate expressions of their own (call arguments, array indices) count as a use of
  // the rule 'expr', so a size limit steers away from them too.
  const exprRule = rules.get('expr');
  for (let changed = true; changed;) {
    changed = false;
    for (const rule of rules.values()) {
      const cls = kindClass(rule.kind);
      for (const a of rule.live) {
        let h = 1;
        for (const s of shapeSyms(a.shape)) {
          if ('rule' in s && kindClass(s.rule.kind) === cls) h = Math.max(h, 1 + s.rule.minHeight);
          else if ('action' in s && RECURSIVE_ACTIONS.has(s.action) && exprRule && cls === 'expr') {
            h = Math.max(h, 2 + exprRule.minHeight);
          }
        }
        a.height = h;
        if (h < rule.minHeight) {
          rule.minHeight = h;
          changed = true;
        }
      }
    }
  }
  for (const rule of rules.values()) {
    if (rule.minHeight === Infinity)
      fail(`rule '${rule.name}' can never finish (every alternative recurses)`, rule.line, rule.col);
    rule.short = rule.live.filter((a) => a.height === rule.minHeight);
    rule.shortWeights = rule.short.map((a) => a.weight);
    rule.shortTotal = rule.shortWeights.reduce((x, y) => x + y, 0);
  }
}
