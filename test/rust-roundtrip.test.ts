/**
 * Round trips of rustc's IR (LLVM 21/22, newer than the toolchain's clang-19), as test/ir-roundtrip.test.ts
 * does for clang's: parse -> print is a fixed point; parse -> downgrade (src/ir/dialect.ts) -> print is
 * accepted and verified by the toolchain's llvm-as, and llvm-dis of it has, function by function, the
 * blocks and instructions of rustc's own text (counted line by line, so our parser counts neither side)
 * minus exactly the lifetime markers the downgrade removes. Modules: test/rust/shapes.rs at -O0..-O2 and
 * with debug information, and real crates from Debian's registry (scripts/setup.mjs installs them).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downgradeModule } from '../src/ir/dialect.js';
import { parseModule } from '../src/ir/parser.js';
import { printModule } from '../src/ir/printer.js';
import { loadIRText, type OptLevel } from '../src/toolchain/compile.js';
import { compareCounts, countFunctions, firstDiff, llvmRoundTrip } from '../src/toolchain/roundtrip.js';
import { DEBIAN_CARGO_REGISTRY } from '../src/toolchain/rust.js';

const SHAPES = join(import.meta.dirname, 'rust', 'shapes.rs');
/** Crates of Debian's registry (librust-*-dev) that scripts/setup.mjs installs for this test. */
const TEST_CRATES = ['hex', 'md5', 'strsim'];

function crateDir(name: string): string {
  const d = existsSync(DEBIAN_CARGO_REGISTRY)
    ? readdirSync(DEBIAN_CARGO_REGISTRY).filter(
        (x) => x.startsWith(`${name}-`) && /^\d/.test(x.slice(name.length + 1)),
      )
    : [];
  if (d.length === 0)
    throw new Error(
      `crate ${name} not installed: apt-get install librust-${name}-dev (npm test's setup does)`,
    );
  return join(DEBIAN_CARGO_REGISTRY, d.sort().at(-1) as string);
}

/** Lifetime marker calls per function in LLVM-printed text. */
function lifetimeCalls(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let fn = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('define ')) fn = /@([-\w$.]+|"[^"]*")\(/.exec(line)?.[1] ?? '';
    else if (/^ {2}call void @llvm\.lifetime\.(start|end)/.test(line)) out.set(fn, (out.get(fn) ?? 0) + 1);
  }
  return out;
}

function check(text: string): void {
  const once = printModule(parseModule(text));
  expect(printModule(parseModule(once)), 'fixed point').toBe(once);
  const m = parseModule(text);
  downgradeModule(m, 19);
  const down = printModule(m);
  expect(printModule(parseModule(down)), 'fixed point of the downgrade').toBe(down);
  const rt = llvmRoundTrip(down);
  expect(rt.error).toBeUndefined();
  const want = countFunctions(text);
  for (const [fn, n] of lifetimeCalls(text)) {
    const c = want.get(fn);
    if (c !== undefined) want.set(fn, { blocks: c.blocks, instrs: c.instrs - n });
  }
  expect(compareCounts(want, countFunctions(rt.dis as string))).toEqual([]);
  // And the usual printer round trip on the downgraded module as LLVM 19 prints it.
  const again = llvmRoundTrip(printModule(parseModule(rt.dis as string)));
  expect(firstDiff(again.dis ?? again.error ?? '', rt.dis as string)).toBeUndefined();
}

describe('rustc IR round trips', () => {
  for (const opt of ['O0', 'O1', 'O2'] as OptLevel[])
    it(`shapes.rs at -${opt}`, async () => check((await loadIRText(SHAPES, { opt })).text), 60_000);
  it(
    'shapes.rs with debug information',
    async () => check((await loadIRText(SHAPES, { debug: true })).text),
    60_000,
  );
  for (const c of TEST_CRATES)
    it(
      `crate ${c} (Debian's registry, cargo offline)`,
      async () => check((await loadIRText(crateDir(c))).text),
      120_000,
    );
});
