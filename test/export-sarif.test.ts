/**
 * `inputsmith export sarif` (issue 13), run as a user runs it: gen on a small C file whose functions have
 * undefined behaviour or a crash that generated inputs reach, compiled with -g, then the export. The log
 * must validate against the SARIF 2.1.0 JSON schema (the rtm.5 schema shipped by Microsoft's
 * @microsoft/jest-sarif package, checked with ajv), and its results must name the outcome kinds and the
 * source lines marked in the C file, once each, with a reproducing record that really ends that way.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

// Each finding's line carries a marker comment naming the outcome kind the engine reports there.
const SOURCE = `#include <stddef.h>

int write_past(int i) {
  int buf[4] = {0};
  if (i > 100) {
    buf[(i & 7) | 4] = 1; /* out-of-bounds-write */
    return 1;
  }
  return buf[0];
}

int divide(int a, int b) {
  if (a > 1000)
    return a / (b - b); /* division-by-zero */
  return a;
}

int null_read(int k) {
  int *volatile p = NULL;
  if (k == 12345)
    return *p; /* null-deref */
  return 0;
}

static int helper(int *p, int n) {
  return p[n]; /* out-of-bounds-read */
}

int via_helper(int n) {
  int a[2] = {1, 2};
  if (n > 50)
    return helper(a, 9);
  return a[0];
}

int fine(int x) {
  return x + 1;
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'inputsmith.js'), ...args],
      { cwd },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The SARIF 2.1.0 schema validator. */
function validator(): (v: unknown) => boolean {
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  ) as object;
  // The schema's one language-tag pattern is not valid with the `u` flag ajv 8 uses by default.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const v = ajv.compile(schema);
  return (x: unknown) => v(x);
}

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation?: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn?: number };
    };
    logicalLocations: { name: string; kind: string; decoratedName?: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: { reproducer: { module: string; function: string; index: number; record: string } };
}

interface Log {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
    results: Result[];
  }[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-sarif-'));
  writeFileSync(join(dir, 'ub.c'), SOURCE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function genAndExport(name: string, debug: boolean): Promise<{ out: string; text: string }> {
  const out = join(dir, name);
  const g = await cli(['gen', 'ub.c', '-o', out, '-O0', '-j', '1', ...(debug ? ['-g'] : [])], dir);
  expect(g.code, g.stderr).toBe(0);
  const file = join(dir, `${name}.sarif`);
  const e = await cli(['export', 'sarif', out, '-o', file], dir);
  expect(e.code, e.stderr).toBe(0);
  expect(e.stderr).toBe('');
  return { out, text: readFileSync(file, 'utf8') };
}

/** Line of the marker comment of `kind` in SOURCE. */
const markedLine = (kind: string): number =>
  SOURCE.split('\n').findIndex((l) => l.includes(`/* ${kind} */`)) + 1;

describe('export sarif', () => {
  it('writes a valid SARIF 2.1.0 log with one result per finding, at the marked lines', async () => {
    const { out, text } = await genAndExport('out', true);
    const log = JSON.parse(text) as Log;
    const valid = validator();
    expect(valid(log)).toBe(true);
    // The validator is not vacuous: a wrong level is refused.
    const broken = JSON.parse(text) as Log;
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(valid(broken)).toBe(false);

    const results = log.runs[0]!.results;
    const seen = results.map((r) => [
      r.ruleId,
      r.locations[0]!.physicalLocation?.region.startLine,
      r.locations[0]!.logicalLocations[0]!.name,
    ]);
    expect(seen).toEqual([
      ['out-of-bounds-write', markedLine('out-of-bounds-write'), 'write_past'],
      ['division-by-zero', markedLine('division-by-zero'), 'divide'],
      ['null-deref', markedLine('null-deref'), 'null_read'],
      ['out-of-bounds-read', markedLine('out-of-bounds-read'), 'helper'],
    ]);
    const rules = log.runs[0]!.tool.driver.rules;
    for (const r of results) {
      expect(r.locations[0]!.physicalLocation!.artifactLocation.uri).toBe(
        pathToFileURL(join(dir, 'ub.c')).href,
      );
      expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.level).toBe(rules[r.ruleIndex]!.defaultConfiguration.level);
      // The named record reproduces it: its outcome is the result's kind, of the function named.
      const rec = JSON.parse(readFileSync(join(out, r.properties.reproducer.record), 'utf8')) as {
        function: string;
        index: number;
        outcome: { kind: string; message: string };
      };
      expect(rec.outcome.kind).toBe(r.ruleId);
      expect(rec.function).toBe(r.properties.reproducer.function);
      expect(r.message.text).toContain(rec.outcome.message);
    }
    // Undefined behaviour is an error, a crash (null dereference, division by zero) a warning.
    expect(results.map((r) => r.level)).toEqual(['error', 'warning', 'warning', 'error']);
    // The callee's finding is reproduced by the caller's input.
    expect(results[3]!.properties.reproducer.function).toBe('via_helper');
  });

  it('is deterministic, and a rerun elsewhere gives the same fingerprints', async () => {
    const a = await genAndExport('out-a', true);
    const file = join(dir, 'again.sarif');
    expect((await cli(['export', 'sarif', a.out, '-o', file], dir)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(a.text);
    const b = await genAndExport('out-b', true);
    const prints = (t: string): string[] =>
      (JSON.parse(t) as Log).runs[0]!.results.map((r) => Object.values(r.partialFingerprints)[0]!);
    expect(prints(b.text)).toEqual(prints(a.text));
    expect(new Set(prints(a.text)).size).toBe(4);
  });

  it('without debug information, names the IR site and still validates', async () => {
    const { text } = await genAndExport('out-nodebug', false);
    const log = JSON.parse(text) as Log;
    expect(validator()(log)).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.map((r) => r.ruleId).sort()).toEqual([
      'division-by-zero',
      'null-deref',
      'out-of-bounds-read',
      'out-of-bounds-write',
    ]);
    for (const r of results) {
      expect(r.locations[0]!.physicalLocation).toBeUndefined();
      expect(r.locations[0]!.logicalLocations[0]!.decoratedName).toMatch(/^@\w+ %\S+ #\d+$/);
    }
  });
});
