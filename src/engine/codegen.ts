/**
 * @fileoverview Stage: engine (codegen). Compiles one IR function to the source of one JS function.
 *
 * Consumes: a `Func` and the link context (addresses, data layout, options). Produces: JS source text.
 * `FuncGen` owns the stack frame and control flow (terminators, phis, landing pads, the dispatcher form),
 * on the emission layer of codegen-emit.ts (output, names, operands); every other instruction goes to the
 * dispatcher, codegen-ops.ts, which hands it to the emitter of its class. The files form layers, each
 * importing only the ones below it (no cycles):
 *   codegen.ts        FuncGen: frame, control flow
 *   codegen-ops.ts    the instruction dispatcher
 *   codegen-call.ts   calls, inline assembly
 *   intrinsics.ts     llvm.* intrinsics            codegen-mem.ts  memory, GEP, atomics
 *   codegen-arith.ts  binary operators, compares   codegen-cast.ts casts   codegen-agg.ts aggregates, vectors
 *   codegen-emit.ts   FuncEmitter, formatters (the leaf)
 *
 * Control flow: reducible CFGs are emitted structurally (JS `for(;;)` loops and labeled blocks, following
 * Ramsey's "Beyond Relooper"); irreducible ones and functions with indirectbr or setjmp use a
 * `for(;;) switch(B)` dispatcher. Phis become assignments on edges (through temporaries when they read
 * each other). The step counter `C` is decremented at function entry and at every loop header. `invoke`
 * is a call in a JS try whose catch enters the landing pad when eh.ts says the C++ exception is for it.
 *
 * Outlined regions: in a big function, the dominator subtree of a big loop's header (and of other blocks,
 * until no region is too big) is emitted as a JS function of its own (`f12_L5`), called where the block
 * would be. V8 optimises each JS function alone,
 * and every time the search reaches a block that never ran it deoptimises the function holding it and later
 * recompiles it; a 1,000-line function recompiled for each newly reached block is most of the cost of a
 * search on compression code (docs/engine.md). The region is entered only at its header (it is the
 * header's dominator subtree), so the values it reads from outside are in scope at the call and are passed
 * as arguments; the variables it assigns that code outside reads (phis of the blocks it jumps to) go back
 * through `OLV`, the value a `ret` inside it returns through `ORV`, and each way out of it (a return, a
 * `continue` or `break` to a label outside) is a small integer the caller dispatches on. Steps, coverage
 * and results are those of the function emitted whole.
 */
import type { AllocaInstr, Block, Func, Instr, LandingPadInstr, Local } from '../ir/model.js';
import { analyze, type Cfg } from './cfg.js';
import { FuncEmitter, NestingError, OUTLINE_DEFAULT, type LinkCtx } from './codegen-emit.js';
import { emitCall, isSetjmpCall } from './codegen-call.js';
import { emitInstr, emitTerminatorValue } from './codegen-ops.js';
import { UnsupportedError, numLit, slotCount, type Leaf } from './values.js';

export type { CompileOptions, LinkCtx, Mode, OutlinePolicy, Site } from './codegen-emit.js';

/** Size - 1 of the edge-hit table (`Engine.ecov`). */
export const EDGE_MASK = 0xffff;

/** Placeholder for an outlined region's live-out stores, at each of its exits (known once it is emitted). */
const WB = '\u0000WB\u0000';
/** Names of the generated code that an outlined region may read from the function around it. */
const NAME_RE = /(?<![\w$.])(v\d+(?:_\d+)?|sp0|fp|va)(?![\w$])/g;
const ASSIGN_RE = /(?<![\w$.])(v\d+(?:_\d+)?) = (?!=)/g;
const DECL_RE = /(?:\blet |, )(v\d+(?:_\d+)?) = /g;

/** An outlined region being emitted: its header block, and its exits (`ret`, `continue 5`, `break 7`) by code. */
interface Region {
  readonly x: number;
  readonly exits: Map<string, number>;
}

/** Compiles one function: the stack frame and control flow, on the emission layer of codegen-emit.ts. */
export class FuncGen extends FuncEmitter {
  readonly cfg: Cfg;
  frameSize = 0;
  frameAlign = 16;
  hasFrame = false;
  /** Param index -> frame offset of its byval copy. */
  readonly byvalCopies = new Map<number, { off: number; size: number }>();
  /** Locals declared at function level; the others are declared where they are defined. */
  private readonly topLevel = new Set<number>();
  /** Headers of the outlined regions (see the file comment). */
  private readonly outlineAt = new Set<number>();
  /** Per block index: the header of the innermost outlined region holding it, or -1. */
  private regionOf: number[] = [];
  /** The outlined region being emitted, if any. */
  private region: Region | undefined;
  /** Source of the outlined regions' functions, emitted after the function. */
  private readonly outlined: string[] = [];
  /** Function-level local id -> the outlined region declaring it (`declaringRegions`; absent: the function). */
  private owner = new Map<number, number>();

  constructor(ctx: LinkCtx, f: Func, compact = false) {
    super(ctx, f, compact);
    this.cfg = analyze(f);
    let hasIndirect = false;
    for (const b of f.blocks)
      for (const i of b.instrs) {
        if (i.op === 'indirectbr') hasIndirect = true;
        if (i.op === 'call' && isSetjmpCall(i)) this.setjmpStates.set(i, 0);
      }
    this.structured = this.cfg.reducible && !hasIndirect && this.setjmpStates.size === 0;
  }

  // ------------------------------------------------------------------------------------------------
  // Function

  emit(): string {
    try {
      return this.emitWith();
    } catch (e) {
      if (!(e instanceof NestingError)) throw e;
      this.structured = false;
      this.rewind();
      this.outlined.length = 0;
      this.region = undefined;
      return this.emitWith();
    }
  }

  private emitWith(): string {
    const f = this.f;
    const params: string[] = [];
    for (const p of f.params) params.push(...this.slots(p.local));
    if (this.varargs) params.push('va');
    this.planFrame();
    this.planOutline();
    // Declarations of every local that is not a parameter (those an outlined region owns, in its function).
    const decls: string[] = [];
    let nDecls = 0;
    const nParams = f.params.length;
    this.markTopLevel();
    this.owner = this.declaringRegions();
    for (const l of f.locals.slice(nParams))
      if (this.topLevel.has(l.id)) {
        const d = this.declarations(l);
        nDecls += d.length;
        if ((this.owner.get(l.id) ?? -1) === -1) decls.push(...d);
      }
    const body = this.lines;
    if (decls.length > 0)
      for (let i = 0; i < decls.length; i += 20) this.out(`let ${decls.slice(i, i + 20).join(', ')};`);
    this.out('if (--C < 0) STEP();');
    // Generation and replay need a deterministic recursion limit (V8's own depends on JIT tiers).
    // Depth is weighed by an estimate of the JS frame's bytes (huge functions have huge frames).
    this.frameWeight = 160 + 32 * (nDecls + params.length);
    if (this.depthLimited) this.out(`if ((D += ${this.frameWeight}) > DMAX) DEEP();`);
    if (this.ctx.opts.coverage) this.ctx.coverageBase(f);
    this.emitPrologue();
    if (this.structured) this.doTree(0);
    else this.emitDispatcher();
    const text = `function ${this.ctx.jsName(f)}(${params.join(', ')}) {\n${body.join('\n')}\n}\n`;
    return text + this.outlined.join('');
  }

  // ------------------------------------------------------------------------------------------------
  // Outlined regions (see the file comment)

  /**
   * Choose the regions to outline (`OutlinePolicy`): bottom-up over the dominator tree, so inner ones go
   * first: loops of `minRegion` instructions, and the biggest subtrees of a region over `maxRegion`.
   */
  private planOutline(): void {
    this.outlineAt.clear();
    const cfg = this.cfg;
    const n = this.f.blocks.length;
    this.regionOf = new Array<number>(n).fill(-1);
    const opt = this.ctx.opts.outline ?? this.compact;
    if (opt === false || !this.structured) return;
    const policy = opt === true ? OUTLINE_DEFAULT : opt;
    let total = 0;
    for (const b of cfg.rpo) total += b.instrs.length;
    if (total < policy.minFunction) return;
    const own = new Array<number>(n).fill(0);
    for (let k = cfg.rpo.length - 1; k >= 0; k--) {
      const x = cfg.rpo[k]!.index;
      let size = this.f.blocks[x]!.instrs.length;
      for (const c of cfg.children[x]!) if (!this.outlineAt.has(c)) size += own[c]!;
      // Too big: outline the biggest children's regions.
      const kids = cfg.children[x]!.filter((c) => !this.outlineAt.has(c) && own[c]! >= policy.minRegion);
      kids.sort((a, b) => own[b]! - own[a]! || a - b);
      for (const c of kids) {
        if (size <= policy.maxRegion) break;
        this.outlineAt.add(c);
        size -= own[c]!;
      }
      own[x] = size;
      if (x !== 0 && cfg.isLoopHeader[x] && size >= policy.minRegion) this.outlineAt.add(x);
    }
    for (const b of cfg.rpo) {
      const x = b.index;
      if (x === 0) continue;
      this.regionOf[x] = this.outlineAt.has(x) ? x : this.regionOf[cfg.idom[x]!]!;
    }
  }

  /**
   * Where each function-level local is declared: in the function (-1) or in the outlined region holding its
   * definition (the phis of a region's header belong to the region around it, which assigns them first).
   */
  private declaringRegions(): Map<number, number> {
    const owner = new Map<number, number>();
    if (this.outlineAt.size === 0) return owner;
    for (const b of this.f.blocks) {
      if (this.cfg.rpoNum[b.index] === -1) continue;
      for (const i of b.instrs) {
        if (i.result === undefined || !this.topLevel.has(i.result.id)) continue;
        const r =
          i.op === 'phi' && this.outlineAt.has(b.index)
            ? this.regionOf[this.cfg.idom[b.index]!]!
            : this.regionOf[b.index]!;
        owner.set(i.result.id, r);
      }
    }
    return owner;
  }

  private dominates(a: number, b: number): boolean {
    for (;;) {
      if (a === b) return true;
      if (b === 0) return false;
      b = this.cfg.idom[b]!;
    }
  }

  /** The code of a way out of the region being emitted. */
  private exitCode(r: Region, key: string): number {
    let code = r.exits.get(key);
    if (code === undefined) r.exits.set(key, (code = r.exits.size));
    return code;
  }

  /** `continue L<y>` or `break B<y>`, or, to a label outside the region being emitted, its exit. */
  private jump(kind: 'continue' | 'break', y: number): void {
    const r = this.region;
    if (r === undefined || this.dominates(r.x, y))
      this.out(`${kind} ${kind === 'continue' ? 'L' : 'B'}${y};`);
    else this.out(`${WB}return ${this.exitCode(r, `${kind} ${y}`)};`);
  }

  /**
   * Return `value` after the statements `prefix` (the epilogue); in an outlined region, the value goes to
   * `ORV` and the region exits. `inRV`: an outlined region called here returned, its value is in `ORV`.
   */
  private emitReturn(prefix: string, value: string | undefined, inRV = false): void {
    const r = this.region;
    if (r !== undefined) {
      const set = value === undefined || inRV ? '' : `ORV = ${value}; `;
      this.out(`${prefix}${set}${WB}return ${this.exitCode(r, 'ret')};`);
    } else if (inRV) this.out(this.f.funcType.ret.kind === 'void' ? 'return;' : 'return ORV;');
    else this.out(`${prefix}return${value === undefined ? '' : ` ${value}`};`);
  }

  /** Emit the region of block x (x's dominator subtree) as a function of its own, and its call here. */
  private emitOutlined(x: number): void {
    const saved = this.beginSection();
    const outer = this.region;
    const region: Region = { x, exits: new Map() };
    this.region = region;
    this.doTree(x, true);
    this.region = outer;
    const body = this.endSection(saved);
    // Names the region declares: values defined in it (but not its header's phis), and any `let` in it.
    const local = new Set<string>();
    for (const stack = [x]; stack.length > 0;) {
      const y = stack.pop()!;
      stack.push(...this.cfg.children[y]!);
      for (const i of this.f.blocks[y]!.instrs)
        if (i.result !== undefined && !(i.op === 'phi' && y === x))
          for (const s of this.slots(i.result)) local.add(s);
    }
    const code = body.join('\n').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
    for (const m of code.matchAll(DECL_RE)) local.add(m[1]!);
    const free: string[] = [];
    const seen = new Set<string>();
    for (const m of code.matchAll(NAME_RE)) {
      const name = m[1]!;
      if (seen.has(name)) continue;
      seen.add(name);
      if (!local.has(name)) free.push(name);
    }
    const headerPhis = new Set<string>();
    for (const i of this.f.blocks[x]!.instrs)
      if (i.op === 'phi' && i.result !== undefined) for (const s of this.slots(i.result)) headerPhis.add(s);
    const assigned = new Set<string>();
    for (const m of code.matchAll(ASSIGN_RE)) assigned.add(m[1]!);
    // Loops, not `map(...).join(...)`: V8 deoptimised this function at that chain over and over (on sqlite3
    // about a hundred recompiles of it per campaign).
    const liveOut: string[] = [];
    let store = '';
    let load = '';
    for (const name of free)
      if (assigned.has(name) && !headerPhis.has(name)) {
        const k = liveOut.push(name) - 1;
        store += `OLV[${k}] = ${name}; `;
        load += `${k === 0 ? '' : ' '}${name} = OLV[${k}];`;
      }
    // Function-level locals the region owns are declared in its function.
    const decls: string[] = [];
    for (const l of this.f.locals) if (this.owner.get(l.id) === x) decls.push(...this.declarations(l));
    const head: string[] = [];
    for (let i = 0; i < decls.length; i += 20) head.push(`  let ${decls.slice(i, i + 20).join(', ')};`);
    const name = `${this.ctx.jsName(this.f)}_L${x}`;
    this.outlined.push(
      `function ${name}(${free.join(', ')}) {\n${[...head, ...body].join('\n').replaceAll(WB, store)}\n}\n`,
    );
    // The call, the live-outs, and a dispatch on the exit taken.
    const t = this.tmp();
    this.out(`const ${t} = ${name}(${free.join(', ')});`);
    if (liveOut.length > 0) this.out(load);
    const exits = [...region.exits];
    exits.forEach(([key, c], k) => {
      const last = k === exits.length - 1;
      if (!last) this.open(`if (${t} === ${c}) {`);
      const [kind, y] = key.split(' ') as [string, string | undefined];
      if (kind === 'ret') this.emitReturn('', undefined, true);
      else this.jump(kind as 'continue' | 'break', Number(y));
      if (!last) this.close();
    });
  }

  /**
   * In structured mode a value is declared (`let`) where it is defined: its uses are dominated by the
   * definition, and the emitter nests dominated code in the defining block's scope. This keeps V8's
   * graphs small (no loop phis for dead variables). Phis, static allocas and terminator results are
   * declared at function level.
   */
  private markTopLevel(): void {
    for (const b of this.f.blocks)
      b.instrs.forEach((i, k) => {
        if (i.result === undefined) return;
        if (
          !this.structured ||
          i.op === 'phi' ||
          k === b.instrs.length - 1 ||
          this.frameOffsets.has(i.result.id)
        )
          this.topLevel.add(i.result.id);
      });
  }

  /** `name = init` for every slot of a local (empty for values without data). */
  private declarations(l: Local): string[] {
    if (
      l.type.kind === 'void' ||
      l.type.kind === 'label' ||
      l.type.kind === 'metadata' ||
      l.type.kind === 'token'
    )
      return [];
    let leaves: Leaf[];
    try {
      leaves = this.leaves(l.type);
    } catch {
      return [];
    }
    const names = this.slots(l);
    const out: string[] = [];
    let k = 0;
    for (const leaf of leaves) {
      const init = leaf.k === 'b' || leaf.k === 'x' ? '0n' : '0';
      for (let s = 0; s < slotCount(leaf.k); s++) out.push(`${names[k++]} = ${init}`);
    }
    return out;
  }

  /** Static allocas of the entry block get fixed frame offsets; byval params get copies. */
  private planFrame(): void {
    const f = this.f;
    let off = 16;
    let maxAlign = 16;
    const place = (size: number, al: number): number => {
      off = Math.ceil(off / al) * al;
      const o = off;
      off += Math.max(size, 1) + 16;
      maxAlign = Math.max(maxAlign, al);
      return o;
    };
    f.params.forEach((p, i) => {
      const bv = p.attrs.attrs.find((a) => a.name === 'byval');
      if (bv !== undefined && bv.type !== undefined) {
        const size = this.dl.allocSize(bv.type);
        const al = Math.max(this.dl.abiAlign(bv.type), 8);
        this.byvalCopies.set(i, { off: place(size, al), size });
      }
    });
    const entry = f.blocks[0]!;
    for (const i of entry.instrs) {
      if (i.op !== 'alloca' || i.result === undefined) continue;
      const n = staticAllocaCount(i);
      if (n === undefined) continue;
      const size = this.dl.allocSize(i.allocType) * n;
      this.frameOffsets.set(i.result.id, place(size, Math.max(i.align, 1)));
    }
    let dynamic = false;
    for (const b of f.blocks)
      for (const i of b.instrs) {
        if (i.op === 'alloca' && (i.result === undefined || !this.frameOffsets.has(i.result.id)))
          dynamic = true;
        if (i.op === 'call' && i.callee.kind === 'function' && i.callee.name.startsWith('llvm.stackrestore'))
          dynamic = true;
      }
    this.frameSize = Math.ceil(off / maxAlign) * maxAlign;
    this.frameAlign = maxAlign;
    this.hasFrame = this.frameOffsets.size > 0 || this.byvalCopies.size > 0 || dynamic;
  }

  private emitPrologue(): void {
    if (!this.hasFrame) return;
    this.out('const sp0 = M.sp;');
    if (this.frameOffsets.size === 0 && this.byvalCopies.size === 0) return;
    const tpl = new Uint8Array(this.frameSize);
    const f = this.f;
    for (const [id, o] of this.frameOffsets) {
      const i = findAlloca(f, id)!;
      const size = this.dl.allocSize(i.allocType) * staticAllocaCount(i)!;
      tpl.fill(3, o, o + size);
    }
    for (const { off, size } of this.byvalCopies.values()) tpl.fill(3, off, off + size);
    const t = this.ctx.addTemplate(tpl);
    this.out(`const fp = FRAME(${this.frameSize}, ${this.frameAlign}, ${t});`);
    for (const [id, o] of this.frameOffsets) this.out(`v${id} = fp + ${o};`);
    for (const [pi, { off, size }] of this.byvalCopies) {
      const pv = this.slots(f.params[pi]!.local)[0]!;
      this.out(`CPY(fp + ${off}, ${pv}, ${size}); ${pv} = fp + ${off};`);
    }
  }

  /** Statement(s) that leave the function's frame (before a return). */
  epilogue(): string {
    return (this.hasFrame ? 'POP(sp0); ' : '') + (this.depthLimited ? `D -= ${this.frameWeight}; ` : '');
  }

  private frameWeight = 0;

  /** Count call depth (generation and replay modes). */
  private get depthLimited(): boolean {
    return (this.ctx.opts.mode ?? 'plain') !== 'plain';
  }

  // ------------------------------------------------------------------------------------------------
  // Structured control flow (reducible CFGs)

  /** Emit block x and the blocks it dominates (`inline`: here even when x heads an outlined region). */
  private doTree(x: number, inline = false): void {
    if (!inline && this.outlineAt.has(x)) {
      this.emitOutlined(x);
      return;
    }
    const cfg = this.cfg;
    const merges = cfg.children[x]!.filter((c) => cfg.isMerge[c]).sort(
      (a, b) => cfg.rpoNum[b]! - cfg.rpoNum[a]!,
    );
    const b = this.f.blocks[x]!;
    if (cfg.isLoopHeader[x]) {
      this.open(`L${x}: for (;;) {`);
      this.out('if (--C < 0) STEP();');
      this.emitBody(b);
      this.nodeWithin(x, merges);
      this.close();
    } else {
      this.emitBody(b);
      this.nodeWithin(x, merges);
    }
  }

  private nodeWithin(x: number, ys: number[]): void {
    if (ys.length > 0) {
      const [y, ...rest] = ys as [number, ...number[]];
      this.open(`B${y}: {`);
      this.nodeWithin(x, rest);
      this.close();
      this.doTree(y);
      return;
    }
    const b = this.f.blocks[x]!;
    this.curBlock = b;
    this.curIndex = b.instrs.length - 1;
    this.emitTerminator(b, b.instrs[b.instrs.length - 1]!);
  }

  /** Jump from block x to block y (phi moves, then continue/break/inline). */
  branch(x: Block, y: Block): void {
    this.phiMoves(x, y);
    if (!this.structured) {
      this.out(`B = ${y.index}; continue D;`);
      return;
    }
    const cfg = this.cfg;
    if (cfg.rpoNum[y.index]! <= cfg.rpoNum[x.index]!) this.jump('continue', y.index);
    else if (cfg.isMerge[y.index]) this.jump('break', y.index);
    else this.doTree(y.index);
  }

  private phiMoves(x: Block, y: Block): void {
    const moves: { dst: string[]; src: string[] }[] = [];
    const phiIds = new Set<number>();
    for (const i of y.instrs) {
      if (i.op !== 'phi') break;
      const inc = i.incoming.find((e) => e.block === x);
      if (inc === undefined || i.result === undefined) continue;
      phiIds.add(i.result.id);
      moves.push({ dst: this.slots(i.result), src: this.opndAll(inc.value) });
    }
    if (moves.length === 0) return;
    const readsPhi = moves.some((mv) =>
      mv.src.some((s) => /^v\d+/.test(s) && phiIds.has(Number(/^v(\d+)/.exec(s)![1]))),
    );
    if (!readsPhi) {
      for (const mv of moves) mv.dst.forEach((d, k) => d !== mv.src[k] && this.out(`${d} = ${mv.src[k]};`));
      return;
    }
    const temps: [string, string][] = [];
    for (const mv of moves)
      mv.dst.forEach((d, k) => {
        const t = this.tmp();
        this.out(`const ${t} = ${mv.src[k]};`);
        temps.push([d, t]);
      });
    for (const [d, t] of temps) this.out(`${d} = ${t};`);
  }

  /** A whole block (dispatcher mode). */
  private emitBlock(b: Block): void {
    this.emitBody(b);
    this.curIndex = b.instrs.length - 1;
    this.emitTerminator(b, b.instrs[b.instrs.length - 1]!);
  }

  /** The non-terminator instructions of a block. */
  private emitBody(b: Block): void {
    this.curBlock = b;
    if (this.ctx.opts.coverage) {
      // Block counters, and AFL-style edge hits: (previous block, this block) hashed into ECOV.
      const id = this.ctx.coverageBase(this.f) + b.index;
      if (this.compact) this.out(`BC(${id}, ${id & EDGE_MASK}, ${(id >> 1) & EDGE_MASK});`);
      else
        this.out(
          `COV[${id}]++; { const h = ${id & EDGE_MASK} ^ PE; if (ECOV[h]++ === 0) EL[EN++] = h; } PE = ${(id >> 1) & EDGE_MASK};`,
        );
    }
    const n = b.instrs.length;
    this.checked.clear();
    const lines = this.compact && (this.ctx.opts.traceLines ?? 0) > 0 ? new Set<number>() : undefined;
    for (let k = 0; k < n - 1; k++) {
      const i = b.instrs[k]!;
      this.curIndex = k;
      if (i.op === 'phi') {
        if (lines !== undefined && i.result !== undefined) lines.add(i.result.id);
        continue;
      }
      if (lines !== undefined) {
        this.emitLineTrace(i, lines);
        if (i.result !== undefined) lines.add(i.result.id);
        if (this.setjmpStates.has(i)) lines.clear();
      }
      if (
        i.op === 'call' &&
        !(
          i.callee.kind === 'function' &&
          i.callee.name.startsWith('llvm.') &&
          !i.callee.name.startsWith('llvm.stackrestore')
        )
      )
        this.checked.clear();
      let declAt = -1;
      let declName: string | undefined;
      if (i.result !== undefined && !this.topLevel.has(i.result.id)) {
        const d = this.declarations(i.result);
        if (d.length > 0) {
          this.out(`let ${d.join(', ')};`);
          declAt = this.lines.length - 1;
          declName = d.length === 1 ? d[0]!.split(' = ')[0]! : undefined;
        }
      }
      {
        try {
          if (i.op === 'landingpad') this.emitLandingPad(i);
          else emitInstr(this, i);
        } catch (e) {
          if (!(e instanceof UnsupportedError)) throw e;
          this.out(`UNSUP(${JSON.stringify(e.message)}, ${this.site()});`);
        }
        // `let v = 0;` followed by `v = expr;` becomes `let v = expr;` (smaller code for V8 to compile).
        if (declName !== undefined && declAt === this.lines.length - 2) {
          const next = this.lines[declAt + 1]!;
          const m = /^(\s*)(\w+) = (.*)$/.exec(next);
          if (m !== null && m[2] === declName && !m[3]!.includes(`${declName} `) && !/;\s*\S/.test(m[3]!)) {
            this.lines[declAt] = `${m[1]}let ${declName} = ${m[3]}`;
            this.lines.pop();
          }
        }
        const st = this.setjmpStates.get(i);
        if (st !== undefined) {
          // Dispatcher mode: the code after setjmp is its own state, entered again by longjmp.
          this.out(`B = ${st}; continue D;`);
          this.close();
          this.open(`case ${st}: {`);
          if (i.result !== undefined) this.out(`${this.slots(i.result)[0]} = LJV;`);
        }
      }
    }
    // The terminator's line and records (its code follows the body's in every mode).
    if (lines !== undefined && n > 0) this.emitLineTrace(b.instrs[n - 1]!, lines);
  }

  /**
   * `traceLines`: before an instruction, `TV(variable, value)` for each `#dbg_value` record on it whose
   * expression is empty and whose value is a scalar in scope here (a constant, a parameter, a value of
   * the function's top level or one `definedHere`, earlier in this block; `null` for poison or undef,
   * which the trace shows as optimised out), then `TL(dbg)` for its location. Only emitted with the option, so code without it is unchanged.
   */
  private emitLineTrace(i: Instr, definedHere: ReadonlySet<number>): void {
    for (const r of i.dbgRecords ?? []) {
      const v = r.ops[0]?.value;
      const variable = /^!(\d+)$/.exec(r.ops[1]?.text ?? '');
      if (r.kind !== 'value' || v === undefined || variable === null) continue;
      if (r.ops[2]?.text.replace(/\s/g, '') !== '!DIExpression()') continue;
      if (
        v.kind === 'local' &&
        !(v.id < this.f.params.length || this.topLevel.has(v.id) || definedHere.has(v.id))
      )
        continue;
      if (v.kind === 'metadata' || v.kind === 'asm') continue;
      const ls = this.leaves(v.type);
      if (ls.length !== 1 || !['i', 'l', 'f', 'd', 'p'].includes(ls[0]!.k)) continue;
      // The optimiser says the variable has no value here (a debugger's `<optimized out>`).
      if (v.kind === 'poison' || v.kind === 'undef') {
        this.out(`TV(${variable[1]}, null);`);
        continue;
      }
      const s = this.opnd(v, 0);
      this.out(`TV(${variable[1]}, ${ls[0]!.k === 'l' ? `TOBIG(${s[0]}, ${s[1]})` : s[0]});`);
    }
    if (
      i.dbg >= 0 &&
      !(i.op === 'call' && i.callee.kind === 'function' && i.callee.name.startsWith('llvm.dbg.'))
    )
      this.out(`TL(${i.dbg});`);
  }

  private emitTerminator(b: Block, t: Instr): void {
    switch (t.op) {
      case 'ret': {
        if (t.value === undefined) {
          this.emitReturn(this.epilogue(), undefined);
          return;
        }
        const all = this.opndAll(t.value);
        if (all.length === 1) {
          this.emitReturn(this.epilogue(), all[0]);
        } else if (t.value.type.kind === 'int' && all.length === 2) {
          this.emitReturn(`H[0] = ${all[1]}; ${this.epilogue()}`, all[0]);
        } else {
          const rest = all
            .slice(1)
            .map((s, k) => `RS[${k + 1}] = ${s}; `)
            .join('');
          this.emitReturn(`${rest}${this.epilogue()}`, all[0]);
        }
        return;
      }
      case 'br': {
        if (t.cond === undefined) {
          this.branch(b, t.ifTrue);
          return;
        }
        if (t.ifTrue === t.ifFalse) {
          this.branch(b, t.ifTrue);
          return;
        }
        this.open(`if (${this.op1(t.cond)}) {`);
        this.branch(b, t.ifTrue);
        this.close();
        this.open('else {');
        this.branch(b, t.ifFalse!);
        this.close();
        return;
      }
      case 'switch': {
        this.emitSwitch(b, t);
        return;
      }
      case 'unreachable':
        this.out(`UNR(${this.site()});`);
        return;
      case 'invoke': {
        this.emitInvoke(b, t);
        return;
      }
      case 'resume':
        this.out(`EH.resume(${this.opnd(t.value, 0)[0]});`);
        return;
      case 'indirectbr': {
        const a = this.op1(t.address);
        const targets = t.targets;
        this.open(`switch (${a}) {`);
        for (const tb of new Set(targets)) {
          this.open(`case ${this.ctx.env.blockAddress(this.f, tb.index)}: {`);
          this.branch(b, tb);
          this.close();
        }
        this.close();
        this.out(`BADJUMP(${a}, ${this.site()});`);
        return;
      }
      default:
        emitTerminatorValue(this, t);
    }
  }

  /**
   * invoke: the call runs in a JS try with its landing pad pushed on the unwind stack (eh.ts); a C++
   * exception the pad takes restores the stack pointer and call depth (frames between did not return)
   * and enters the unwind block; anything else passes on.
   */
  private emitInvoke(b: Block, t: Extract<Instr, { op: 'invoke' }>): void {
    const lp = t.unwind.instrs.find((i) => i.op !== 'phi');
    if (lp?.op !== 'landingpad') throw new UnsupportedError(`invoke unwinding to ${lp?.op ?? 'nothing'}`);
    const id = this.ctx.landingPad(lp);
    const e = this.tmp();
    const depth = this.depthLimited ? `, ${e}d = D` : '';
    this.out(`const ${e} = EH.n, ${e}s = M.sp${depth}; EH.s[EH.n++] = ${id};`);
    this.open('try {');
    emitCall(this, t);
    this.close();
    this.open(`catch (${e}x) {`);
    this.out(
      `EH.n = ${e}; if (!EH.land(${e}x, ${id})) throw ${e}x; POP2(${e}s);${this.depthLimited ? ` D = ${e}d;` : ''}`,
    );
    this.branch(b, t.unwind);
    this.close();
    this.out(`EH.n = ${e};`);
    this.branch(b, t.normal);
  }

  /** landingpad: the exception pointer and selector `EH.land` left for the pad being entered. */
  private emitLandingPad(i: LandingPadInstr): void {
    if (i.result === undefined) return;
    const d = this.slots(i.result);
    this.out(`${d[0]} = EH.xp;${d.length > 1 ? ` ${d[1]} = EH.xsel;` : ''}`);
  }

  private emitSwitch(b: Block, t: Extract<Instr, { op: 'switch' }>): void {
    const leaf = this.leaves(t.value.type)[0]!;
    const v = this.opnd(t.value, 0);
    const groups = new Map<Block, bigint[]>();
    for (const c of t.cases) {
      if (c.block === t.defaultBlock) continue;
      let g = groups.get(c.block);
      if (g === undefined) groups.set(c.block, (g = []));
      g.push(c.value.value);
    }
    if (leaf.k === 'i') {
      this.open(`switch (${v[0]}) {`);
      for (const [blk, vals] of groups) {
        const labels = vals
          .map((x) => `case ${numLit(leaf.bits === 32 ? Number(BigInt.asIntN(32, x)) : Number(x))}:`)
          .join(' ');
        this.open(`${labels} {`);
        this.branch(b, blk);
        this.close();
      }
      this.open('default: {');
      this.branch(b, t.defaultBlock);
      this.close();
      this.close();
      return;
    }
    let first = true;
    for (const [blk, vals] of groups) {
      const conds = vals.map((x) => {
        if (leaf.k === 'l')
          return `(${v[0]} === ${numLit(Number(BigInt.asIntN(32, x)))} && ${v[1]} === ${numLit(Number(BigInt.asIntN(32, x >> 32n)))})`;
        return `${v[0]} === ${x}n`;
      });
      this.open(`${first ? '' : 'else '}if (${conds.join(' || ')}) {`);
      first = false;
      this.branch(b, blk);
      this.close();
    }
    if (first) this.branch(b, t.defaultBlock);
    else {
      this.open('else {');
      this.branch(b, t.defaultBlock);
      this.close();
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Dispatcher (irreducible CFGs, indirectbr, setjmp)

  private emitDispatcher(): void {
    let next = this.f.blocks.length;
    for (const i of this.setjmpStates.keys()) this.setjmpStates.set(i, next++);
    const sj = this.setjmpStates.size > 0;
    this.out('let B = 0;');
    if (sj) {
      this.out(`const JF = ++JMPID;${this.depthLimited ? ' const D0 = D;' : ''}`);
      this.open('for (;;) {');
      this.open('try {');
    }
    this.open('D: for (;;) {');
    this.open('switch (B) {');
    for (const b of this.cfg.rpo) {
      this.open(`case ${b.index}: {`);
      if (this.cfg.isLoopHeader[b.index]) this.out('if (--C < 0) STEP();');
      this.emitBlock(b);
      this.close();
    }
    this.out('default: BADJUMP(B, -1);');
    this.close();
    this.close();
    if (sj) {
      this.close();
      this.open('catch (e) {');
      this.out('if (!(e instanceof LJ) || e.frame !== JF) throw e;');
      this.out(`B = e.state; LJV = e.value; POP2(e.sp);${this.depthLimited ? ' D = D0;' : ''}`);
      this.close();
      this.close();
    }
  }
}

function staticAllocaCount(i: AllocaInstr): number | undefined {
  if (i.count === undefined) return 1;
  if (i.count.kind === 'int') return Number(i.count.value);
  return undefined;
}

function findAlloca(f: Func, id: number): AllocaInstr | undefined {
  for (const i of f.blocks[0]!.instrs) if (i.op === 'alloca' && i.result?.id === id) return i;
  return undefined;
}
