/**
 * @fileoverview Stage: tune. Build variants: a C compiler and its flags (`clang-19 -O2`, `gcc -O2 -fno-tree-vectorize`).
 *
 * Consumes: variant specs as the user writes them (`--variants 'clang-19 -O0' 'gcc -O2'`, or one spec a line
 * in a `--variants-file`, `#` comments). Produces: `Variant`s with the compiler resolved to an absolute path,
 * a stable label, and a `UserError` naming the compiler when it is not installed.
 */
import { readFileSync } from 'node:fs';
import { splitCommand } from '../toolchain/compile.js';
import { UserError } from '../util/errors.js';
import { which } from '../util/proc.js';

export interface Variant {
  /** The spec as given, normalised to single spaces: the variant's name in every output. */
  readonly label: string;
  /** The compiler as given (`clang-19`, `gcc`) and its absolute path. */
  readonly compiler: string;
  readonly compilerPath: string;
  /** Flags, in order; no `-O` means the compiler's default (-O0). */
  readonly flags: readonly string[];
  /** gcc or clang (what the flags of the classification rebuilds are spelled for). */
  readonly family: 'gcc' | 'clang';
}

/** One variant from its spec: the compiler, then its flags. Flags that would break the build are refused. */
export function parseVariant(spec: string): Variant {
  const words = splitCommand(spec.trim());
  const compiler = words[0];
  if (compiler === undefined) throw new UserError('empty variant spec');
  const path = compiler.includes('/') ? compiler : which(compiler);
  if (path === undefined)
    throw new UserError(`variant '${spec.trim()}': compiler ${compiler} not found on PATH`);
  const flags = words.slice(1);
  for (const f of flags)
    if (['-c', '-S', '-E', '-o', '-emit-llvm', '-shared', '-flto'].includes(f) || f.startsWith('-flto='))
      throw new UserError(
        `variant '${spec.trim()}': flag ${f} cannot be used (the variant is compiled to an object and linked)`,
      );
  const base = compiler.replace(/^.*\//, '');
  const family = /clang/.test(base) ? 'clang' : /g?cc|gcc/.test(base) ? 'gcc' : 'clang';
  return { label: [compiler, ...flags].join(' '), compiler, compilerPath: path, flags, family };
}

/** Variants from specs and an optional file (one spec a line, blank lines and `#` comments skipped). */
export function parseVariants(specs: readonly string[], file?: string): Variant[] {
  const all = [...specs];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UserError(`cannot read variants file ${file}: ${(e as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const t = line.replace(/#.*$/, '').trim();
      if (t !== '') all.push(t);
    }
  }
  if (all.length === 0) throw new UserError('no variants given (--variants or --variants-file)');
  const out = all.map(parseVariant);
  const seen = new Set<string>();
  for (const v of out) {
    // Two identical specs are allowed on purpose (the false-positive check): they get distinct labels.
    let label = v.label;
    for (let k = 2; seen.has(label); k++) label = `${v.label} #${k}`;
    seen.add(label);
    if (label !== v.label) Object.assign(v, { label });
  }
  return out;
}

/** A variant with extra flags (the classification rebuilds of `diff`). */
export function withFlags(v: Variant, extra: readonly string[]): Variant {
  return { ...v, label: `${v.label} ${extra.join(' ')}`, flags: [...v.flags, ...extra] };
}
