/**
 * The one options table (src/cli/options.ts): every flag of every command comes from it, a flag means one
 * thing (one entry per flag), every entry is used, and the defaults shown are the library's (src/util/defaults.ts).
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import {
  COMMAND_OPTIONS,
  OPTIONS,
  checkOptions,
  type CommandName,
  type OptionKey,
} from '../src/cli/options.js';
import { DEFAULT_SEARCH } from '../src/guide/search.js';
import { DEFAULT_LIMITS } from '../src/gen/runtime.js';
import { DEFAULT_OPT } from '../src/toolchain/compile.js';
import { DEFAULTS } from '../src/util/defaults.js';
import { UserError } from '../src/util/errors.js';

/** Every command of the program by its full name (`progs check`), with its commander object. */
function commands(c: Command, prefix = ''): [string, Command][] {
  return c.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [[name, sub] as [string, Command], ...commands(sub, `${name} `)];
  });
}

const flagsOf = (flags: string): string[] => flags.split(/[ ,|]+/).filter((f) => f.startsWith('-'));

describe('the options table', () => {
  it('gives each flag one entry, and each entry is used by a command', () => {
    const owner = new Map<string, OptionKey>();
    for (const [key, def] of Object.entries(OPTIONS) as [OptionKey, (typeof OPTIONS)[OptionKey]][]) {
      for (const f of [...flagsOf(def.flags), ...flagsOf(def.negate?.flags ?? '')]) {
        expect(owner.get(f), `${f} in ${key} and ${owner.get(f)}`).toBeUndefined();
        owner.set(f, key);
      }
    }
    const used = new Set(Object.values(COMMAND_OPTIONS).flat());
    expect(Object.keys(OPTIONS).filter((k) => !used.has(k as OptionKey))).toEqual([]);
  });

  it("is where every command's options come from", () => {
    // Groups of subcommands have no options of their own.
    const groups = new Set(['progs', 'export', 'queue']);
    const registered = commands(buildProgram()).filter(([name]) => !groups.has(name));
    expect(registered.map(([n]) => n).sort()).toEqual(Object.keys(COMMAND_OPTIONS).sort());
    for (const [name, cmd] of registered) {
      const keys = COMMAND_OPTIONS[name as CommandName] as readonly OptionKey[];
      const expected = keys.flatMap((k) => [
        OPTIONS[k].flags,
        ...(OPTIONS[k].negate ? [OPTIONS[k].negate.flags] : []),
      ]);
      expect(
        cmd.options.map((o) => o.flags),
        name,
      ).toEqual(expected);
    }
  });

  it('shows the defaults the library uses', () => {
    expect(DEFAULT_OPT).toBe(DEFAULTS.opt);
    expect(DEFAULT_SEARCH).toEqual(DEFAULTS.search);
    expect(DEFAULT_LIMITS).toEqual(DEFAULTS.limits);
    expect(OPTIONS.seed.default).toBe(DEFAULT_SEARCH.seed);
    expect(OPTIONS.inputs.default).toBe(DEFAULT_SEARCH.maxInputs);
    expect(OPTIONS.maxRuns.default).toBe(DEFAULT_SEARCH.maxRuns);
    expect(OPTIONS.plateau.default).toBe(DEFAULT_SEARCH.plateau);
    expect(OPTIONS.maxSteps.default).toBe(DEFAULT_SEARCH.maxSteps);
    expect(OPTIONS.functionTimeout.default).toBe(DEFAULTS.functionTimeoutSeconds);
    expect(OPTIONS.opt.default).toBe(DEFAULT_OPT);
    // The guard is well under 30 s and the watchdog, the last resort, comfortably above it.
    expect(DEFAULTS.functionTimeoutSeconds).toBeLessThan(30);
    expect(DEFAULTS.watchdogSeconds).toBeGreaterThanOrEqual(4 * DEFAULTS.functionTimeoutSeconds);
    expect(OPTIONS.functionTimeout.parse!('0.5', 20)).toBe(0.5);
    expect(() => OPTIONS.functionTimeout.parse!('0', 20)).toThrow('expected a positive number');
    expect(() => OPTIONS.functionTimeout.parse!('1s', 20)).toThrow('expected a positive number');
  });

  it('checks the options of a command together, as usage errors', () => {
    const usage = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        expect((e as UserError).exitCode).toBe(2);
        return (e as UserError).message;
      }
      return '';
    };
    expect(usage(() => checkOptions('inspect', { json: true, print: true }))).toBe(
      'inspect: --json and --print cannot be combined',
    );
    expect(usage(() => checkOptions('compile', {}, 0))).toMatch(/^compile: give source files/);
    expect(usage(() => checkOptions('gen', { seed: '' }))).toBe('gen: --seed must not be empty');
    expect(usage(() => checkOptions('gen', {}, 0))).toMatch(
      /^gen: give modules, .* or --compile-commands FILE$/,
    );
    expect(usage(() => checkOptions('gen', { compileCommands: 'cc.json' }, 0))).toBe('');
    expect(usage(() => checkOptions('progs gen', { seed: 'x1' }))).toMatch(/non-negative integer/);
    expect(usage(() => checkOptions('progs gen', { seed: '42' }))).toBe('');
  });
});
