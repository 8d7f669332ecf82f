/**
 * @fileoverview Stage: export. The compile check of a C++ test unit (`export tests`): the unit is
 * compiled (`clang++ -fsyntax-only`) as it is written, and a test that does not compile is left out with
 * the compiler's message as its reason, never emitted broken.
 *
 * Consumes: the unit's tests (texts), a function writing the unit from the tests kept, the compiler and
 * the unit's flags. Produces: the tests to leave out (index -> reason); the unit is left written with
 * the tests kept.
 *
 * Why: a C++ test names types and functions of the source (qualified names, template instantiations,
 * overloads picked by the arguments' types), and C++ has more ways than C for such a name to be wrong
 * (a member of a class template that is not instantiated in the unit, an overload that another argument
 * type would pick, a const member). One test that does not compile would take the whole unit, every test
 * of the source file, with it. Each error is mapped to the test whose lines hold it (for an error inside
 * the included source, the first location in the unit its notes name: the instantiation the test
 * requested); the unit is checked again without those tests, at most `ROUNDS` times. An error outside
 * every test (in the unit's prelude) leaves the unit as it is: the build will report it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const ROUNDS = 4;

/** Lines (1-based) at which each kept test starts in `text`; -1 for a test left out. */
function startLines(text: string, texts: readonly string[], keep: readonly boolean[]): number[] {
  const starts: number[] = [];
  let from = 0;
  let line = 1;
  let scanned = 0;
  texts.forEach((t, k) => {
    if (!keep[k]) {
      starts.push(-1);
      return;
    }
    const at = text.indexOf(t, from);
    if (at < 0) {
      starts.push(-1);
      return;
    }
    for (let i = scanned; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    scanned = at;
    starts.push(line);
    from = at + t.length;
  });
  return starts;
}

/** The test holding line `line`, or -1. */
function testAt(starts: readonly number[], texts: readonly string[], line: number): number {
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k]!;
    if (s < 0) continue;
    const n = texts[k]!.split('\n').length;
    if (line >= s && line < s + n) return k;
  }
  return -1;
}

/**
 * Compile `file` (written by `write` from the tests kept) with `compiler args -fsyntax-only`; the tests to
 * leave out, by index into `texts`, with the reason.
 */
export function compileCheck(
  compiler: string,
  args: readonly string[],
  file: string,
  texts: readonly string[],
  write: (kept: readonly string[]) => string,
): Map<number, string> {
  const keep = texts.map(() => true);
  const out = new Map<number, string>();
  for (let round = 0; round < ROUNDS; round++) {
    const text = write(texts.filter((_, k) => keep[k]));
    writeFileSync(file, text);
    const r = spawnSync(compiler, ['-fsyntax-only', '-w', '-ferror-limit=0', ...args, file], {
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 1 << 28,
    });
    if (r.status === 0 || r.error !== undefined) return out;
    const starts = startLines(text, texts, keep);
    let changed = false;
    // Diagnostics: an error line, then notes; the error belongs to the first location in the unit.
    const lines = (r.stderr ?? '').split('\n');
    const here = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):\\d+: `);
    for (let i = 0; i < lines.length; i++) {
      const m = /^(.*?):(\d+):\d+: error: (.*)$/.exec(lines[i]!);
      if (m === null) continue;
      let k = -1;
      for (let j = i; j < lines.length && (j === i || !/: error: /.test(lines[j]!)); j++) {
        const h = here.exec(lines[j]!);
        if (h !== null) {
          k = testAt(starts, texts, Number(h[1]));
          if (k >= 0) break;
        }
      }
      // An error in the included source with the note naming no test, e.g. "in instantiation of" a
      // template the unit's prelude needs: the notes above it (clang prints "In file included from").
      if (k < 0 || !keep[k]) continue;
      keep[k] = false;
      out.set(k, `does not compile (${compiler}): ${m[3]!.slice(0, 160)}`);
      changed = true;
    }
    if (!changed) return out;
  }
  writeFileSync(file, write(texts.filter((_, k) => keep[k])));
  return out;
}
