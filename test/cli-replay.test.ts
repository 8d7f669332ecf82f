/**
 * @fileoverview `inputsmith replay`'s report (issue 12 item 5): records that did not replay natively are
 * grouped by cause (NATIVE_CAUSES), most frequent first, a few records each unless --verbose, then the
 * count line the benchmarks read.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLES_PER_CAUSE, formatReplay } from '../src/cli/commands/replay.js';
import type { BatchVerdict, NativeVerdict } from '../src/guide/replay-batch.js';
import { NATIVE_CAUSES } from '../src/replay/native.js';

const OK = { status: 'ok', reason: '' } as const;

let next = 0;
function verdict(native: NativeVerdict | undefined, engine: BatchVerdict['engine'] = OK): BatchVerdict {
  const index = next++;
  return {
    file: `inputs/m/f/${index}.json`,
    module: 'lib.ll',
    function: `f${index}`,
    index,
    engine,
    ...(native === undefined ? {} : { native }),
  };
}

const mismatch = (cause: NativeVerdict['cause'], reason: string): NativeVerdict => ({
  status: 'mismatch',
  reason,
  cause,
});

describe('formatReplay', () => {
  const vs: BatchVerdict[] = [
    verdict(OK),
    verdict({ status: 'not-run', reason: 'the record ends in step-limit', cause: 'budget' }),
    verdict(mismatch('memory-differs', 'object 0 byte 5: native 0x00, record 0x3f')),
    ...Array.from({ length: 5 }, (_, i) =>
      verdict(mismatch('output-differs', `stdout differs at byte ${i}`)),
    ),
    verdict({ status: 'failed', reason: 'native SIGSEGV, record returned', cause: 'native-crash' }),
    verdict(OK, { status: 'mismatch', reason: 'return value differs' }),
  ];

  it('groups the native verdicts by cause, most frequent first, a few records each', () => {
    const { lines, bad } = formatReplay(vs, true);
    // Engine mismatches stay one line per record.
    expect(lines[0]).toBe('mismatch: lib.ll @f9 #9 (engine): return value differs');
    expect(lines[1]).toBe('native: 8 records did not replay, by cause:');
    expect(lines[2]).toBe(`  output-differs: 5 (5 mismatch): ${NATIVE_CAUSES['output-differs'].description}`);
    expect(lines.slice(3, 3 + EXAMPLES_PER_CAUSE)).toEqual([
      '    lib.ll @f3 #3: stdout differs at byte 0',
      '    lib.ll @f4 #4: stdout differs at byte 1',
      '    lib.ll @f5 #5: stdout differs at byte 2',
    ]);
    expect(lines[3 + EXAMPLES_PER_CAUSE]).toBe('    ... 2 more (--verbose lists them)');
    // Ties in count: the table's order (budget before native-crash before memory-differs).
    const heads = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.split(':')[0]!.trim());
    expect(heads).toEqual(['output-differs', 'budget', 'native-crash', 'memory-differs']);
    expect(lines.at(-1)).toBe(
      'replayed 10 records of 1 module: engine 9 ok, 1 mismatch; native 2 ok, 6 mismatch, 1 failed, 1 not run',
    );
    // Not-run records are reported but do not make replay fail; the engine mismatch does.
    expect(bad).toBe(8);
  });

  it('lists every record with --verbose', () => {
    const { lines } = formatReplay(vs, true, true);
    expect(lines.filter((l) => l.startsWith('    lib.ll @'))).toHaveLength(8);
    expect(lines.some((l) => l.includes('more (--verbose'))).toBe(false);
  });

  it('prints only the count line when everything replayed', () => {
    const { lines, bad } = formatReplay([verdict(OK), verdict(OK)], true);
    expect(lines).toEqual([
      'replayed 2 records of 1 module: engine 2 ok, 0 mismatch; native 2 ok, 0 mismatch, 0 failed, 0 not run',
    ]);
    expect(bad).toBe(0);
  });
});
