/**
 * @fileoverview Stage: engine. The processor `cpuid` describes to the code: a baseline x86-64 (SSE2, no
 * SSE3/AVX/BMI), the same in the engine (codegen-call.ts, the prelude of link.ts) and in native replay
 * (native-build.ts replaces the inline `cpuid` by a function answering from this table), so code that
 * dispatches on CPU features takes the same path in both, on any machine.
 *
 * Consumes: nothing. Produces: the table and the parse of an inline-asm `cpuid` constraint string.
 */

/** [eax, ebx, ecx, edx] by leaf; every other leaf answers zeros. */
export const CPUID_LEAVES: Readonly<Record<number, readonly [number, number, number, number]>> = {
  // Highest leaf 7, "GenuineIntel" (ebx, edx, ecx).
  0: [7, 0x756e6547, 0x6c65746e, 0x49656e69],
  // edx: FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2; ecx: nothing (no SSE3, no AVX).
  1: [0x000306c3, 0, 0, 0x07808111],
};

export type CpuidReg = 'a' | 'b' | 'c' | 'd';

/**
 * The registers of an inline `cpuid`'s constraints (`={ax},={bx},{ax},{cx},~{...}`, `=a`, tied inputs as
 * output indices): outputs in order, and the register each input goes to. Undefined if not understood.
 */
export function cpuidRegisters(
  constraints: string,
): { outs: CpuidReg[]; ins: (CpuidReg | undefined)[] } | undefined {
  const parts = constraints.split(',').filter((c) => !c.startsWith('~'));
  const reg = (c: string): CpuidReg | undefined => {
    const m = /^=?&?(?:\{e?([abcd])x\}|([abcd]))$/.exec(c);
    return m === null ? undefined : ((m[1] ?? m[2]) as CpuidReg);
  };
  const outs = parts.filter((c) => c.startsWith('=')).map(reg);
  if (outs.some((r) => r === undefined)) return undefined;
  const ins = parts
    .filter((c) => !c.startsWith('='))
    .map((c) => (/^\d+$/.test(c) ? outs[Number(c)] : reg(c)));
  return { outs: outs as CpuidReg[], ins };
}
