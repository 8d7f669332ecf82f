/**
 * Rust end to end with the real rustc (the user's, or Debian's rustc-web that `findRust` installs when
 * root: nothing is skipped): a small library of Rust shapes (test/rust/shapes.rs: slices, &str, Option, a
 * panic path, Vec, a trait object) compiled to LLVM 21/22 IR, rewritten into clang-19's dialect for
 * native replay (src/ir/dialect.ts), searched by gen, replayed in the engine and natively.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRustPanic, rustShimName } from '../src/engine/libc/rust.js';
import { runCampaign } from '../src/guide/campaign.js';
import { downgradeModule, needsDowngrade } from '../src/ir/dialect.js';
import { parseModule } from '../src/ir/parser.js';
import { printModule } from '../src/ir/printer.js';
import { replayDialectText } from '../src/replay/native-dialect.js';
import { loadIRText } from '../src/toolchain/compile.js';
import { findToolchain } from '../src/toolchain/find.js';
import { findRust, libraryManifest } from '../src/toolchain/rust.js';
import { UserError } from '../src/util/errors.js';
import { run } from '../src/util/proc.js';

const SHAPES = join(import.meta.dirname, 'rust', 'shapes.rs');
let dir: string;
let text: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isx-rust-'));
  text = (await loadIRText(SHAPES)).text;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `llvm-as` of the toolchain (clang-19's) on `ll`; the first error line or ''. */
async function assemble(ll: string): Promise<string> {
  const tc = findToolchain();
  const r = await run(tc.llvmAs, ['-', '-o', '/dev/null'], { input: ll });
  return r.code === 0 ? '' : (r.stderr.split('\n')[0] ?? 'llvm-as failed');
}

describe('rustc and its IR', () => {
  it('finds rustc and compiles a .rs file to IR of a newer LLVM than clang', async () => {
    const tc = await findRust();
    expect(tc.version).toMatch(/^rustc \d+\.\d+/);
    expect(tc.llvmMajor).toBeGreaterThan(findToolchain().version);
    const m = parseModule(text);
    const defined = m.globals.filter((g) => g.kind === 'function' && g.blocks.length > 0).map((g) => g.name);
    for (const f of ['sum_slice', 'count_spaces', 'pick', 'at', 'checked_mul', 'squares', 'area_plus_one'])
      expect(defined.some((n) => n.includes(f))).toBe(true);
    expect(needsDowngrade(m, findToolchain().version)).toBe(true);
  });

  it('says in one line when the rustc it is told to use does not run', async () => {
    const before = process.env.INPUTSMITH_RUSTC;
    process.env.INPUTSMITH_RUSTC = join(dir, 'no-rustc');
    try {
      const e = await findRust().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).format()).toMatch(/^INPUTSMITH_RUSTC=\S+: not a runnable rustc$/);
    } finally {
      if (before === undefined) delete process.env.INPUTSMITH_RUSTC;
      else process.env.INPUTSMITH_RUSTC = before;
    }
  });

  it('clang-19 rejects the IR as rustc wrote it, and accepts it downgraded', async () => {
    expect(await assemble(text)).toMatch(/error/);
    const m = parseModule(text);
    const rep = downgradeModule(m, 19);
    expect(rep.attrs.get('captures') ?? 0).toBeGreaterThan(0);
    const printed = printModule(m);
    expect(await assemble(printed)).toBe('');
    // Fixed point: the downgraded text parses and prints to itself.
    expect(printModule(parseModule(printed))).toBe(printed);
  });

  it('round trip of rustc IR with debug information: parse, print, parse, print', async () => {
    const g = (await loadIRText(SHAPES, { debug: true })).text;
    const once = printModule(parseModule(g));
    expect(printModule(parseModule(once))).toBe(once);
    const m = parseModule(g);
    downgradeModule(m, 19);
    const down = printModule(m);
    expect(down).not.toMatch(/!dbg|#dbg_|DICompileUnit/);
    expect(await assemble(down)).toBe('');
  });

  it('leaves a clang-19 module byte-identical', async () => {
    const c = (await loadIRText(join(import.meta.dirname, 'rust', 'twice.c'))).text;
    expect(replayDialectText(c, parseModule(c), findToolchain().version)).toBe(c);
  });

  it('strips what an offline library build of a registry crate cannot resolve', () => {
    const toml =
      '[package]\nname = "hex"\n\n[dependencies.serde]\nversion = "1.0"\noptional = true\n\n' +
      '[dev-dependencies.criterion]\nversion = "0.3"\n\n[[bench]]\nname = "b"\n\n' +
      '[features]\ndefault = ["std"]\nstd = ["alloc"]\nalloc = []\nserde = ["dep:serde"]\n';
    const out = libraryManifest(toml);
    expect(out).not.toMatch(/serde"|criterion|\[\[bench/);
    expect(out).toContain('std = ["alloc"]');
  });
});

describe('Rust runtime names', () => {
  it('tells panics and allocator shims by their mangled names, never a C++ name', () => {
    expect(isRustPanic('_RNvNtCsgEmfK2I1SDS_4core9panicking9panic_fmt')).toBe(true);
    expect(isRustPanic('_RNvNtCslNYArtu3iFV_5alloc7raw_vec12handle_error')).toBe(true);
    expect(isRustPanic('_ZN4core9panicking5panic17h0123456789abcdefE')).toBe(true);
    expect(isRustPanic('_ZN4core3fooEv')).toBe(false); // C++ namespace core
    expect(isRustPanic('_RNvCs5OopQKGS3lm_6shapes11checked_mul')).toBe(false);
    expect(rustShimName('_RNvCsfLfy6EI15iL_7___rustc12___rust_alloc')).toBe('__rust_alloc');
    expect(rustShimName('__rust_dealloc')).toBe('__rust_dealloc');
    expect(rustShimName('_RNvCsfLfy6EI15iL_7___rustc9___rust_xyz')).toBeUndefined();
  });
});

describe('gen on Rust', () => {
  it('finds valid inputs, a panic, and replays every kept input natively', async () => {
    const out = join(dir, 'out');
    const r = await runCampaign({ inputs: [SHAPES], out, jobs: 1, seed: '1', native: true });
    const t = r.summary.totals;
    const lines = readFileSync(join(out, 'functions.jsonl'), 'utf8').trim().split('\n');
    const rows = lines.map((l) => JSON.parse(l) as { function: string; inputs: { outcome: string }[] });
    const outcomes = (f: string): string[] =>
      rows.filter((x) => x.function.includes(f)).flatMap((x) => x.inputs.map((i) => i.outcome));
    // A returned input for every function of the file; the panic path of checked_mul and at's bounds check.
    for (const f of ['sum_slice', 'count_spaces', 'pick', 'at', 'checked_mul', 'squares', 'area_plus_one'])
      expect(outcomes(f)).toContain('returned');
    expect(outcomes('checked_mul')).toContain('panic');
    expect(outcomes('2at')).toContain('panic');
    // Vec's growth runs over the engine's allocator models: no record stubs an allocator shim.
    const records = readdirSync(join(out, 'inputs'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.json'))
      .map((p) => JSON.parse(readFileSync(join(out, 'inputs', p), 'utf8')) as { calls: { fn: string }[] });
    expect(records.length).toBe(t.inputs);
    expect(records.flatMap((r) => r.calls.map((c) => c.fn)).filter((n) => n.includes('___rust_'))).toEqual(
      [],
    );
    expect(t.failed).toBe(0);
    expect(t.engineReplay.mismatch).toBe(0);
    expect(t.nativeReplay.ok).toBe(t.inputs);
  }, 120_000);
});
