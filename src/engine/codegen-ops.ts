/**
 * @fileoverview Stage: engine (codegen). The instruction dispatcher: every non-terminator instruction that
 * `FuncGen` (codegen.ts) does not handle itself (phi, landingpad) goes to the emitter of its class.
 *
 * Consumes: an instruction. Produces: nothing itself; the class emitters write JS statements through the
 * `FuncEmitter` services: codegen-arith.ts (binary operators, fneg, compares), codegen-cast.ts (casts),
 * codegen-agg.ts (select, freeze, aggregates, vectors), codegen-call.ts (calls and, through it,
 * intrinsics.ts), codegen-mem.ts (memory, GEP, atomics, va_arg; also the unknown ones). Only codegen.ts
 * imports this file, so no emitter can reach back to the dispatcher.
 */
import type { Instr } from '../ir/model.js';
import type { FuncEmitter } from './codegen-emit.js';
import {
  emitExtractElement,
  emitExtractValue,
  emitFreeze,
  emitInsertElement,
  emitInsertValue,
  emitSelect,
  emitShuffle,
} from './codegen-agg.js';
import { emitBinary, emitCmp, emitFneg } from './codegen-arith.js';
import { emitCall } from './codegen-call.js';
import { emitCast } from './codegen-cast.js';
import { emitMemInstr } from './codegen-mem.js';
import { UnsupportedError } from './values.js';

export function emitInstr(g: FuncEmitter, i: Instr): void {
  switch (i.op) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'udiv':
    case 'sdiv':
    case 'urem':
    case 'srem':
    case 'shl':
    case 'lshr':
    case 'ashr':
    case 'and':
    case 'or':
    case 'xor':
    case 'fadd':
    case 'fsub':
    case 'fmul':
    case 'fdiv':
    case 'frem':
      return emitBinary(g, i);
    case 'fneg':
      return emitFneg(g, i);
    case 'icmp':
    case 'fcmp':
      return emitCmp(g, i);
    case 'trunc':
    case 'zext':
    case 'sext':
    case 'fptrunc':
    case 'fpext':
    case 'fptoui':
    case 'fptosi':
    case 'uitofp':
    case 'sitofp':
    case 'ptrtoint':
    case 'inttoptr':
    case 'bitcast':
    case 'addrspacecast':
      return emitCast(g, i);
    case 'select':
      return emitSelect(g, i);
    case 'freeze':
      return emitFreeze(g, i);
    case 'extractvalue':
      return emitExtractValue(g, i);
    case 'insertvalue':
      return emitInsertValue(g, i);
    case 'extractelement':
      return emitExtractElement(g, i);
    case 'insertelement':
      return emitInsertElement(g, i);
    case 'shufflevector':
      return emitShuffle(g, i);
    case 'call':
      return emitCall(g, i);
    default:
      return emitMemInstr(g, i);
  }
}

/** A terminator `FuncGen` has no control flow for: the unsupported-feature outcome when reached. */
export function emitTerminatorValue(g: FuncEmitter, t: Instr): void {
  throw new UnsupportedError(`terminator ${t.op}`);
}
