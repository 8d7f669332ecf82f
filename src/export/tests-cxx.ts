/**
 * @fileoverview Stage: export. The C++ side of `export tests` (GoogleTest): how a test calls a function
 * of C++ source, the names of its tests, and the pieces of a GoogleTest test (assertions, death tests).
 *
 * Consumes: a function's debug information (its DISubprogram: name, scope chain of namespaces and
 * classes, whether it has `this`) and the C argument expressions tests-c.ts builds.
 * Produces: the call expression (`double_conversion::Bignum::Compare(a, b)`, `(geo::Counter *)(o0)->add(14)`),
 * a readable test name (`Counter_add_0`), or a `LeaveOut` with the reason a function cannot be called.
 *
 * Naming: a function is named from its DISubprogram, not by demangling: the subprogram's scope chain gives
 * the namespaces (an anonymous namespace is left out of the name: its names are visible unqualified in
 * the test unit, which includes the source) and the enclosing classes; a method with an artificial first
 * parameter `this` is called on the object its first IR argument points to; a static member or free
 * function through its qualified name. Overloads are told apart by the arguments, each cast to its
 * parameter's exact C++ type (tests-c.ts). Left out: constructors and destructors (an object's lifetime
 * is not the engine's to start or end in a test), functions of unnamed classes (lambdas) and of classes
 * local to a function, whose names the test cannot write.
 */
import type { DebugInfo, FunctionDebugInfo } from '../ir/debuginfo.js';
import type { DIRef } from '../ir/debuginfo-nodes.js';
import { underlyingType } from '../ir/debuginfo-c.js';
import { outcomeClass, outcomeSignals, type OutcomeKind } from '../engine/outcome.js';
import type { InputRecord } from '../gen/record.js';
import { LeaveOut } from './tests-c-literal.js';

/** How a test calls a C++ function. */
export interface CxxCallee {
  /** `ns::f` for a free function or static member; the method's name for a method. */
  readonly name: string;
  /** Whether the first argument is `this` (a non-static member function). */
  readonly method: boolean;
  /** A constructor (called by placement new on its object) or destructor (called on it, qualified). */
  readonly special?: 'constructor' | 'destructor' | 'deleting';
  /** The qualified names of the scope (namespaces and classes), outermost first, without anonymous ones. */
  readonly scope: readonly string[];
}

/**
 * A C++ name as the test unit can write it: an anonymous namespace's members are visible unqualified
 * there (it includes the source), so `(anonymous namespace)::` (in a template's arguments) is dropped.
 */
export const cxxClean = (name: string): string => name.replace(/\(anonymous namespace\)::/g, '');

/** The qualified scope of a DISubprogram or type: namespaces and classes, outermost first. */
function scopeNames(di: DebugInfo, scope: DIRef): string[] {
  const out: string[] = [];
  let s = scope;
  for (let hops = 0; s !== null && hops < 64; hops++) {
    const n = di.node(s);
    if (n?.kind === 'DINamespace') {
      if (n.name !== '') out.push(n.name);
      s = n.scope;
    } else if (n?.kind === 'DICompositeType') {
      if (n.name === '')
        throw new LeaveOut('a member of an unnamed class (a lambda): the test cannot name it');
      out.push(cxxClean(n.name));
      s = n.scope;
    } else if (n?.kind === 'DISubprogram' || n?.kind === 'DILexicalBlock' || n?.kind === 'DILexicalBlockFile')
      throw new LeaveOut('a member of a class local to a function: the test cannot name it');
    else break;
  }
  return out.reverse();
}

/** How to call the function of `fi` from the test unit; throws `LeaveOut`. */
export function cxxCallee(di: DebugInfo, fi: FunctionDebugInfo): CxxCallee {
  const sp = di.node(fi.subprogram);
  if (sp?.kind !== 'DISubprogram') throw new LeaveOut('no subprogram in the debug information');
  const decl = sp.declaration !== null ? di.node(sp.declaration) : undefined;
  const scopeRef = decl?.kind === 'DISubprogram' ? decl.scope : sp.scope;
  const scope = scopeNames(di, scopeRef);
  const name = cxxClean(fi.name);
  if (name === '') throw new LeaveOut('a function without a name in the debug information');
  if (/^operator\s.*\(/.test(name))
    throw new LeaveOut(`a conversion to a function pointer type (${name}): the test cannot name it`);
  const cls = di.node(scopeRef ?? -1);
  const inClass = cls?.kind === 'DICompositeType';
  const first = fi.params[0];
  if (inClass && (name === cls.name.replace(/<.*$/, '') || name.startsWith('~'))) {
    // The complete- and base-object constructors and destructors (C1/C2, D1/D2) are what `new (p) T(...)`
    // and `p->T::~T()` call (they differ only for virtual bases); a deleting destructor (D0) frees the
    // object: C++ has no syntax for calling it directly, so the test calls its symbol through a pointer of
    // its IR signature (`this` first, as the Itanium ABI passes it); the object is registered with the
    // support's `free` (a heap object of the record), which keeps it.
    if (/D0E/.test(fi.linkageName)) return { name: fi.linkageName, method: true, scope, special: 'deleting' };
    if (first === undefined || first.name !== 'this') throw new LeaveOut('a constructor without its object');
    const cname = [...scope].join('::');
    return name.startsWith('~')
      ? { name: `${cname}::${name}`, method: true, scope, special: 'destructor' }
      : { name: cname, method: true, scope, special: 'constructor' };
  }
  const method = inClass && first !== undefined && first.name === 'this';
  // A virtual function is called by its qualified name, which suppresses the virtual dispatch: the test
  // is of this definition, whatever the object's vtable pointer says.
  const flags = [...sp.spFlags, ...(decl?.kind === 'DISubprogram' ? decl.spFlags : [])];
  const virtual = flags.some((f) => /Virtual/.test(f));
  return { name: method && !virtual ? name : [...scope, name].join('::'), method, scope };
}

/** A C++ function's name as its source writes it (`tinyxml2::StrPair::GetStr`), else the IR name. */
export function cxxDisplayName(di: DebugInfo, fn: string): string {
  const fi = di.function(fn);
  if (fi === undefined || fi.name === '') return fn;
  const sp = di.node(fi.subprogram);
  if (sp?.kind !== 'DISubprogram') return fn;
  const decl = sp.declaration !== null ? di.node(sp.declaration) : undefined;
  try {
    return [...scopeNames(di, decl?.kind === 'DISubprogram' ? decl.scope : sp.scope), fi.name].join('::');
  } catch {
    return fn;
  }
}

/** The call of `c` with argument expressions `args` (for a method, `args[0]` is the `this` pointer). */
export function cxxCall(c: CxxCallee, args: readonly string[]): string {
  if (!c.method) return `${c.name}(${args.join(', ')})`;
  const [self, ...rest] = args;
  if (c.special === 'constructor') return `new ((void *)(${self})) ${c.name}(${rest.join(', ')})`;
  return `(${self})->${c.name}(${rest.join(', ')})`;
}

/**
 * A readable test name for function `fn` (`Counter_add`, `dot`): the class and the function's name,
 * made an identifier (a template's arguments become words), unique in `taken` (an overload gets `_2`, ...).
 */
export function cxxTestBase(c: CxxCallee | undefined, fn: string, taken: Map<string, string>): string {
  const prev = taken.get(fn);
  if (prev !== undefined) return prev;
  const short =
    c?.special === 'constructor'
      ? 'construct'
      : c?.special === 'destructor'
        ? 'destruct'
        : c?.special === 'deleting'
          ? 'delete'
          : (c?.name.split('::').at(-1) ?? '');
  const raw = c === undefined ? fn : c.scope.length > 0 ? `${c.scope.at(-1) ?? ''}_${short}` : c.name;
  const ident = raw
    .replace(/^_+/, '')
    .replace(
      /operator\s*([^\w\s]+)/,
      (_, op: string) => `operator_${[...op].map((ch) => ch.charCodeAt(0).toString(16)).join('')}`,
    )
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const base = /^[A-Za-z]/.test(ident) ? ident : `f_${ident}`;
  const used = new Set(taken.values());
  let s = base;
  for (let i = 2; used.has(s); i++) s = `${base}_${i}`;
  taken.set(fn, s);
  return s;
}

/** A parameter of C++ reference type (`const geo::Point &`): the referenced type, and whether it is `&&`. */
export function referenceOf(ctype: string | undefined): { to: string; rvalue: boolean } | undefined {
  if (ctype === undefined) return undefined;
  const m = /^(.*?)\s*(&&?)$/.exec(ctype);
  if (m === null || m[1] === undefined || m[1] === '') return undefined;
  return { to: m[1], rvalue: m[2] === '&&' };
}

/** The argument for a reference parameter from a pointer expression `p`. */
export function referenceArg(ref: { to: string; rvalue: boolean }, p: string): string {
  const lv = `*(${ref.to} *)(${p})`;
  return ref.rvalue ? `static_cast<${ref.to} &&>(${lv})` : lv;
}

/** GoogleTest assertions with cmocka's meaning (the test's checks are written through these). */
export interface Assertions {
  eq(actual: string, expected: string): string;
  isNull(actual: string): string;
  nonNull(actual: string): string;
  ptrEq(actual: string, expected: string): string;
}

export const CMOCKA_ASSERTIONS: Assertions = {
  eq: (a, b) => `assert_int_equal(${a}, ${b})`,
  isNull: (a) => `assert_null(${a})`,
  nonNull: (a) => `assert_non_null(${a})`,
  ptrEq: (a, b) => `assert_ptr_equal(${a}, ${b})`,
};

export const GTEST_ASSERTIONS: Assertions = {
  eq: (a, b) => `EXPECT_EQ(${a}, ${b})`,
  isNull: (a) => `EXPECT_EQ(${a}, nullptr)`,
  nonNull: (a) => `EXPECT_NE(${a}, nullptr)`,
  ptrEq: (a, b) => `EXPECT_EQ((const void *)(${a}), (const void *)(${b}))`,
};

/**
 * The check of an error test as a GoogleTest death test: the statement (the call in the child, which
 * ends by `isx_child_returned()` if the call returns) and the predicate its end must satisfy.
 */
export function deathTest(statement: readonly string[], predicate: string, what: string): string[] {
  return [
    '  EXPECT_EXIT(',
    '      {',
    ...statement.map((s) => `        ${s.trim()}`),
    '      },',
    `      ${predicate}, "") << ${what};`,
  ];
}

/**
 * Names a C++ test unit gives symbols it cannot name in C++ (a member function whose address is an input,
 * a vtable): constant pointers defined in the stubs file, which is C, where a mangled name is an ordinary
 * identifier (`void (*const isx_fn_0)(void) = (void (*)(void))_ZN8tinyxml27XMLNode9ToElementEv;`), and
 * declared `extern "C"` in the unit. (An asm label in the unit itself clashes with the definition the
 * unit emits from the included source.) Only symbols with external linkage can be reached so (an
 * internal one may be renamed or not emitted); numbered in order of first use, so the same tests give
 * the same names.
 */
export class SymbolAliases {
  private readonly fns = new Map<string, string>();
  private readonly vars = new Map<string, string>();

  fn(symbol: string): string {
    let a = this.fns.get(symbol);
    if (a === undefined) this.fns.set(symbol, (a = `isx_fn_${this.fns.size}`));
    return a;
  }

  variable(symbol: string): string {
    let a = this.vars.get(symbol);
    if (a === undefined) this.vars.set(symbol, (a = `isx_gv_${this.vars.size}`));
    return a;
  }

  /** The declarations, for the unit's prelude. */
  declarations(): string[] {
    return [
      ...[...this.fns.values()].map((a) => `extern "C" void (*const ${a})(void);`),
      ...[...this.vars.values()].map((a) => `extern "C" unsigned char *const ${a};`),
    ];
  }

  /** The definitions, for the stubs file (C); `declared`: symbols the file already declares (stubs). */
  definitions(declared: ReadonlySet<string>): string[] {
    if (this.fns.size + this.vars.size === 0) return [];
    return [
      '/* Addresses the C++ tests use but cannot name (member functions, vtables): mangled names are C identifiers. */',
      ...[...this.fns].flatMap(([s, a]) => [
        ...(declared.has(s) ? [] : [`extern void ${s}(void);`]),
        `void (*const ${a})(void) = (void (*)(void))${s};`,
      ]),
      ...[...this.vars].flatMap(([s, a]) => [
        ...(declared.has(s) ? [] : [`extern unsigned char ${s}[];`]),
        `unsigned char *const ${a} = (unsigned char *)${s};`,
      ]),
      '',
    ];
  }
}

/** Whether a symbol of this linkage can be bound by name from another declaration. */
export const bindableLinkage = (linkage: string | undefined): boolean =>
  linkage === undefined || !['internal', 'private', 'available_externally'].includes(linkage);

/**
 * An error test in GoogleTest: the call in a death test (`EXPECT_EXIT`), its arguments opaque to the
 * optimiser (`isx_opaque`) and its result kept (`isx_keep`), for the reasons of the C error tests
 * (tests-c.ts, `forked`); the predicate is the exit code, the noreturn stub's exit, the outcome's
 * signals, or, for undefined behaviour, any end but the 10 s alarm. stdout is compared for an exit;
 * stderr is the death test's own.
 */
export function cxxErrorTest(t: {
  k: OutcomeKind;
  call: string;
  r: InputRecord;
  note: string;
  hasRet: boolean;
  /** The arguments of `isx_script` when the module has stubs. */
  script: string | undefined;
  /** `"bytes", n` of the recorded stdout. */
  stdout: string;
}): string[] {
  const { k, r } = t;
  const out: string[] = [];
  const normal = k === 'exit' || k === 'noreturn-call' || k === 'panic';
  if (normal) out.push('  isx_capture_begin();');
  const stmt = ['isx_child_setup();'];
  if (t.script !== undefined) stmt.push(`isx_script(${t.script});`);
  // (Parenthesised: a template's arguments would split the macro's. In a `noexcept` lambda: an exception
  // the call does not catch ends in std::terminate, as in the program, where GoogleTest would catch it.)
  const call = t.hasRet ? `isx_keep(${t.call});` : `(void)(${t.call});`;
  stmt.push('isx_clear_stack();', `[&]() noexcept { ${call} }();`, 'isx_child_returned();');
  const what = JSON.stringify(`${k}: ${r.outcome.message ?? ''}`.slice(0, 200));
  let pred: string;
  if (k === 'exit') pred = `::testing::ExitedWithCode(${r.outcome.exitCode ?? 0})`;
  else if (k === 'noreturn-call' || k === 'panic') pred = '::testing::ExitedWithCode(ISX_NORETURN_EXIT)';
  else if (outcomeClass(k) === 'crash') {
    const sigs: string[] = [...outcomeSignals(k)];
    if (k === 'stack-overflow') sigs.push('SIGALRM');
    pred =
      sigs.length === 1
        ? `::testing::KilledBySignal(${sigs[0]})`
        : `isx_killed_by_any({ ${sigs.join(', ')} })`;
  } else {
    out.push(
      `  /* undefined behaviour (${t.note}): natively it may fault or not; the test asserts that the call ends */`,
    );
    pred = 'isx_ends';
  }
  out.push('  /* (in a death test, which checks how it ends) */', ...deathTest(stmt, pred, what));
  if (normal) out.push(`  isx_capture_end_out(${t.stdout});`);
  return out;
}

/**
 * A C++ class without data passed by value (a tag or function object the optimised IR does not pass):
 * a marker the caller turns into `T()`; undefined for anything else.
 */
export function emptyClassArg(di: DebugInfo, t: DIRef, ctype: string | undefined): string | undefined {
  if (ctype === undefined || referenceOf(ctype) !== undefined) return undefined;
  const n = di.node(underlyingType(di.lookup, t) ?? -1);
  if (n?.kind !== 'DICompositeType' || (n.tag !== 'struct' && n.tag !== 'class') || n.size > 8)
    return undefined;
  const data = n.elements.some((e) => {
    const m = di.node(e ?? -1);
    return m?.kind === 'DIDerivedType' && (m.tag === 'member' || m.tag === 'inheritance');
  });
  return data ? undefined : `NULL /* an empty ${ctype}, which the IR does not pass */`;
}
