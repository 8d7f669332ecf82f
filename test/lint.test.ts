// The structure rules of eslint.config.js (docs/architecture.md, "Layering, enforced"): stages import only
// downward, no import cycles, files <= 1,000 lines and functions <= 120. The suite runs them so CI fails
// a change that breaks the structure, and checks that each rule still catches what it is there for.
import { ESLint } from 'eslint';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const eslint = new ESLint({ cwd: root });

/** Rule ids reported for `code` as if it were the file `path` (relative to the repository). */
async function rulesFor(path: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  return (r?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint: the structure of src', () => {
  it('src passes every rule', async () => {
    const results = await eslint.lintFiles(['src']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line}: ${m.ruleId}: ${m.message}`),
    );
    expect(problems).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });

  it('a stage importing a higher stage is reported', async () => {
    const code = "import { runCampaign } from '../guide/campaign.js';\nexport const f = runCampaign;\n";
    expect(await rulesFor('src/ir/probe.ts', code)).toContain('import-x/no-restricted-paths');
    // The same import from the CLI is allowed.
    expect(await rulesFor('src/cli/probe.ts', code)).not.toContain('import-x/no-restricted-paths');
  });

  it('an import cycle is reported', async () => {
    // codegen.ts imports codegen-emit.ts (through its base class); importing it back closes a cycle.
    const code = "import { FuncGen } from './codegen.js';\nexport const g = FuncGen;\n";
    expect(await rulesFor('src/engine/codegen-emit.ts', code)).toContain('import-x/no-cycle');
  });

  it('long functions and files are reported', async () => {
    const body = Array.from({ length: 125 }, (_, i) => `  x += ${i};`).join('\n');
    const fn = `export function f(): number {\n  let x = 0;\n${body}\n  return x;\n}\n`;
    expect(await rulesFor('src/util/probe.ts', fn)).toContain('max-lines-per-function');
    const file = Array.from({ length: 1001 }, (_, i) => `export const c${i} = ${i};`).join('\n') + '\n';
    expect(await rulesFor('src/util/probe.ts', file)).toContain('max-lines');
  });
});
