/**
 * Tests of the control-flow edges of the IR model (src/ir/cfg.ts): one function per terminator kind, and
 * the successors each gives; the engine's CFG analysis and the module summary both read them.
 */
import { describe, expect, it } from 'vitest';
import { blockSuccessors, successors } from '../src/ir/cfg.js';
import type { Func } from '../src/ir/model.js';
import { TERMINATOR_OPS, definedFunctions } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import { summarizeModule } from '../src/ir/summary.js';
import { analyze } from '../src/engine/cfg.js';

const IR = String.raw`
declare void @may_throw()
declare i32 @__gxx_personality_v0(...)

define i32 @t_ret() {
entry:
  ret i32 0
}

define void @t_br(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  br label %b
b:
  ret void
}

define void @t_switch(i32 %x) {
entry:
  switch i32 %x, label %d [ i32 1, label %one
                            i32 2, label %two ]
one:
  ret void
two:
  ret void
d:
  ret void
}

define void @t_indirectbr(ptr %p) {
entry:
  indirectbr ptr %p, [label %x, label %y]
x:
  ret void
y:
  ret void
}

define void @t_invoke_resume() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw() to label %ok unwind label %lpad
ok:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

define i32 @t_callbr(i32 %x) {
entry:
  %r = callbr i32 asm "", "=r,r,!i"(i32 %x) to label %fall [label %ind]
fall:
  ret i32 %r
ind:
  ret i32 0
}

define void @t_funclets() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw() to label %cont unwind label %cs
cont:
  ret void
cs:
  %sw = catchswitch within none [label %handler] unwind label %cleanup
handler:
  %cp = catchpad within %sw [ptr null, i32 64, ptr null]
  catchret from %cp to label %cont
cleanup:
  %cl = cleanuppad within none []
  cleanupret from %cl unwind label %cs2
cs2:
  %sw2 = catchswitch within none [label %handler2] unwind to caller
handler2:
  %cp2 = catchpad within %sw2 [ptr null, i32 64, ptr null]
  catchret from %cp2 to label %cont
cleanup3:
  %cl3 = cleanuppad within none []
  cleanupret from %cl3 unwind to caller
}

define void @t_funclet_loop() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw() to label %done unwind label %cs
cs:
  %sw = catchswitch within none [label %handler] unwind to caller
handler:
  %cp = catchpad within %sw [ptr null, i32 64, ptr null]
  catchret from %cp to label %entry
done:
  ret void
}

define void @t_unreachable() {
entry:
  unreachable
}
`;

const m = parseModule(IR, 'cfg.ll');
const fn = (name: string): Func => definedFunctions(m).find((f) => f.name === name)!;
/** Successor labels of each block of a function, keyed by block label. */
function edges(name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const b of fn(name).blocks) out[b.name!] = blockSuccessors(b).map((s) => s.name!);
  return out;
}

describe('ir/cfg successors', () => {
  it('gives the successors of every terminator kind', () => {
    expect(edges('t_ret')).toEqual({ entry: [] });
    expect(edges('t_br')).toEqual({ entry: ['a', 'b'], a: ['b'], b: [] });
    expect(edges('t_switch')).toEqual({ entry: ['d', 'one', 'two'], one: [], two: [], d: [] });
    expect(edges('t_indirectbr')).toEqual({ entry: ['x', 'y'], x: [], y: [] });
    expect(edges('t_invoke_resume')).toEqual({ entry: ['ok', 'lpad'], ok: [], lpad: [] });
    expect(edges('t_callbr')).toEqual({ entry: ['fall', 'ind'], fall: [], ind: [] });
    expect(edges('t_funclets')).toEqual({
      entry: ['cont', 'cs'],
      cont: [],
      cs: ['handler', 'cleanup'],
      handler: ['cont'],
      cleanup: ['cs2'],
      cs2: ['handler2'],
      handler2: ['cont'],
      cleanup3: [],
    });
    expect(edges('t_unreachable')).toEqual({ entry: [] });
  });

  it('covers every terminator opcode of the model, and none of the others', () => {
    const seen = new Set<string>();
    for (const f of definedFunctions(m))
      for (const b of f.blocks) seen.add(b.instrs[b.instrs.length - 1]!.op);
    expect([...seen].sort()).toEqual([...TERMINATOR_OPS].sort());
    const call = fn('t_callbr').blocks[0]!.instrs[0]!;
    expect(call.op).toBe('callbr');
    const lp = fn('t_invoke_resume').blocks[2]!.instrs[0]!;
    expect(lp.op).toBe('landingpad');
    expect(successors(lp)).toEqual([]);
    expect(successors(undefined)).toEqual([]);
  });

  it('is what the engine CFG and the summary walk', () => {
    const f = fn('t_funclets');
    const cfg = analyze(f);
    // Every block but cleanup3 is reachable from the entry through the funclet edges.
    expect(cfg.rpo.map((b) => b.name).sort()).toEqual(
      ['entry', 'cont', 'cs', 'handler', 'cleanup', 'cs2', 'handler2'].sort(),
    );
    expect(cfg.succ.map((s) => s.length)).toEqual(f.blocks.map((b) => blockSuccessors(b).length));
    const loop = fn('t_funclet_loop');
    expect(analyze(loop).isLoopHeader[0]).toBe(true);
    const summary = summarizeModule(m).functions.find((s) => s.name === 't_funclet_loop')!;
    expect(summary.backEdges).toBe(1);
    expect(summarizeModule(m).functions.find((s) => s.name === 't_funclets')!.backEdges).toBe(0);
  });
});
