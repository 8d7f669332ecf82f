/**
 * @fileoverview Stage: progs. The engine as a checker runner: compiles a generated C program to LLVM IR
 * with clang at one optimisation level, parses it and runs `main` in our engine, and reports its stdout
 * and exit code like a native run, so `checkPrograms` compares the engine with native compilers.
 *
 * Consumes: paths of generated C files. Produces: `RunResult`s; any engine outcome other than a normal
 * return or exit (undefined behaviour found, budget exhausted, unsupported feature, internal error)
 * becomes the result's `error`, which the checker reports as a failure of the engine.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { formatLocation } from '../engine/outcome.js';
import { parseModule } from '../ir/index.js';
import { compileToIR, type OptLevel } from '../toolchain/compile.js';
import type { RunResult, Runner } from './check.js';

export interface EngineRunnerOptions {
  /** clang to compile with (default: `findToolchain`'s choice, clang-19 when installed). */
  readonly clang?: string;
  /** Step budget of one run (function entries + loop iterations); default 10^8. */
  readonly stepLimit?: number;
  /** Wall-clock budget of one run in ms; default 20,000 (the native runner's run timeout). */
  readonly timeLimitMs?: number;
}

const decoder = new TextDecoder();

/** Runs programs in the engine on IR that clang produced at `-O<opt>`; named `engine-O<opt>`. */
export class EngineRunner implements Runner {
  readonly name: string;
  private tmp: string | undefined;
  private serial = 0;

  constructor(
    readonly opt: OptLevel,
    private readonly o: EngineRunnerOptions = {},
  ) {
    this.name = `engine-${opt}`;
  }

  command(cFile: string): string {
    const clang = this.o.clang !== undefined ? ` --clang ${this.o.clang}` : '';
    return `inputsmith run -O ${this.opt.slice(1)}${clang} ${cFile}`;
  }

  async run(cFile: string): Promise<RunResult> {
    this.tmp ??= mkdtempSync(join(tmpdir(), 'inputsmith-progs-engine-'));
    const ll = join(this.tmp, `p${++this.serial}.ll`);
    let text: string;
    try {
      await compileToIR(cFile, ll, { opt: this.opt, clang: this.o.clang });
      text = readFileSync(ll, 'utf8');
    } catch (e) {
      return { stdout: '', exitCode: -1, error: `compile to IR failed: ${(e as Error).message}` };
    } finally {
      rmSync(ll, { force: true });
    }
    let engine: Engine;
    try {
      engine = new Engine(parseModule(text, cFile));
    } catch (e) {
      return { stdout: '', exitCode: -1, error: `engine: cannot load the IR: ${(e as Error).message}` };
    }
    const r = engine.runMain({
      argv0: cFile,
      stepLimit: this.o.stepLimit ?? 1e8,
      timeLimitMs: this.o.timeLimitMs ?? 20_000,
    });
    const stdout = decoder.decode(r.stdout);
    const stderr = decoder.decode(r.stderr);
    if (r.outcome !== 'returned' && r.outcome !== 'exit') {
      const why = `engine: ${r.outcome}: ${r.message ?? ''}${formatLocation(r.location)}`;
      return { stdout, exitCode: r.exitCode, stderr, error: why };
    }
    return { stdout, exitCode: r.exitCode, stderr };
  }

  /** Removes the temporary directory. */
  dispose(): void {
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }
}
