/**
 * The library API as a user meets it: the package packed with `npm pack`, installed from the tarball into a
 * fresh project, imported as 'inputsmith' from a plain .mjs program (compile a C function with the
 * toolchain the package finds, parse it, generate inputs for it, replay them, run main in the engine) and
 * from TypeScript (the declarations resolve through package.json `exports`). Needs a build (dist/).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
let dir: string;
let project: string;

const C_SOURCE = `int clamp(int x, int lo, int hi) {
  if (lo > hi) return -1;
  if (x < lo) return lo;
  if (x > hi) return hi;
  return x;
}
int main(void) { return clamp(5, 0, 3); }
`;

const PROGRAM = `import { readFileSync } from 'node:fs';
import {
  compileToIR,
  definedFunctions,
  Engine,
  findToolchain,
  generateInputs,
  OUTCOME_KINDS,
  parseModule,
  replayRecords,
  UserError,
} from 'inputsmith';

const tc = findToolchain();
await compileToIR('clamp.c', 'clamp.ll', { opt: 'O1' });
const text = readFileSync('clamp.ll', 'utf8');
const module = parseModule(text, 'clamp.ll');
const gen = generateInputs(text, 'clamp', { modulePath: 'clamp.c', file: 'clamp.ll' });
const replays = replayRecords(text, gen.records, { file: 'clamp.ll' });
const run = new Engine(module).runMain();
let bad;
try {
  parseModule('define i32 @f( {', 'bad.ll');
} catch (e) {
  bad = e instanceof UserError ? e.format() : 'not a UserError';
}
console.log(
  JSON.stringify({
    clang: tc.version,
    functions: definedFunctions(module).map((f) => f.name),
    blocks: gen.blocks,
    covered: gen.covered,
    records: gen.records.length,
    outcomes: gen.records.map((r) => r.outcome.kind).filter((k) => !OUTCOME_KINDS.includes(k)),
    module: gen.records[0]?.module,
    replays: replays.map((v) => v.status),
    engineReplays: gen.replays.map((v) => v.status),
    main: { outcome: run.outcome, exitCode: run.exitCode },
    bad,
  }),
);
`;

const TYPED = `import { generateInputs, type GeneratedInputs, type OutcomeKind } from 'inputsmith';
const r: GeneratedInputs = generateInputs('', 'f', { maxRuns: 10 });
const k: OutcomeKind = 'returned';
export const covered: number = r.covered + k.length;
// Fails to compile (unused directive) if the declarations were not found and everything were \`any\`.
// @ts-expect-error not an outcome kind
export const bad: OutcomeKind = 'no-such-outcome';
`;

/** A strict TypeScript project without @types/node: only the package's declarations. */
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: 'nodenext',
    target: 'es2022',
  },
  files: ['typed.ts'],
};

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/index.js')) || !existsSync(join(ROOT, 'dist/index.d.ts')))
    throw new Error('the API test needs the compiled sources: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-api-'));
  // --ignore-scripts: the build is there already (prepack would rebuild it under running tests).
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack wrote no tarball');
  project = join(dir, 'project');
  execFileSync('mkdir', [project]);
  writeFileSync(
    join(project, 'package.json'),
    '{ "name": "uses-inputsmith", "private": true, "type": "module" }\n',
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, tarball)],
    { cwd: project, stdio: 'pipe' },
  );
  writeFileSync(join(project, 'clamp.c'), C_SOURCE);
  writeFileSync(join(project, 'main.mjs'), PROGRAM);
  writeFileSync(join(project, 'typed.ts'), TYPED);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package, installed in a fresh project', () => {
  it('ships the build, the launcher and no sources', () => {
    const pkg = join(project, 'node_modules/inputsmith');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/guide/worker.js', 'bin/inputsmith.js'])
      expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'dist/index.js.map'))).toBe(false);
  });

  it("import from 'inputsmith': compile, parse, generate, replay, run", () => {
    const env = { ...process.env, INPUTSMITH_CACHE: join(dir, 'cache') };
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: project, env, encoding: 'utf8' });
    const r = JSON.parse(out) as Record<string, unknown>;
    expect(r.clang).toBeGreaterThanOrEqual(15);
    expect(r.functions).toEqual(['clamp', 'main']);
    expect(r.blocks).toBeGreaterThan(0);
    expect(r.covered).toBeGreaterThan(0);
    expect(r.records).toBeGreaterThan(0);
    expect(r.outcomes).toEqual([]);
    expect(r.module).toBe('clamp.c');
    expect(r.replays).toEqual(Array(r.records).fill('ok'));
    expect(r.engineReplays).toEqual(Array(r.records).fill('ok'));
    expect(r.main).toEqual({ outcome: 'returned', exitCode: 3 });
    expect(r.bad).toMatch(/^bad\.ll:1:\d+: /);
  });

  it('the declarations type-check a TypeScript user', () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
