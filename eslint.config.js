import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The pipeline's stages, lowest first (docs/architecture.md). A stage may import from the stages before it,
// never from one after it; `progs` (the random program generator) sits beside the pipeline above the engine,
// and only the CLI and the library API (src/index.ts) sit on top of everything.
// `mathlib` (the maths library accuracy tool) sits beside the pipeline like progs: it uses toolchain and
// engine, and only the CLI uses it.
const STAGES = [
  'util',
  'toolchain',
  'ir',
  'engine',
  'gen',
  'replay',
  'tune',
  'guide',
  'export',
  'progs',
  'mathlib',
  'cli',
];
const BESIDE = new Set(['progs', 'mathlib']);
const BELOW_BESIDE = new Set(['util', 'toolchain', 'ir', 'engine']);
const allowed = (stage, other) => {
  if (BESIDE.has(stage)) return BELOW_BESIDE.has(other);
  if (BESIDE.has(other)) return stage === 'cli';
  return STAGES.indexOf(other) <= STAGES.indexOf(stage);
};
const layering = STAGES.map((stage) => ({
  target: `./src/${stage}`,
  from: [
    ...STAGES.filter((o) => o !== stage && !allowed(stage, o)).map((o) => `./src/${o}`),
    // The library API (src/index.ts) is on top with the CLI, which may use it as any user does.
    ...(stage === 'cli' ? [] : ['./src/index.ts']),
  ],
  message: `the ${stage} stage may only import from the stages below it (docs/architecture.md)`,
})).filter((zone) => zone.from.length > 0);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Structure (issue 11): stage layering, no import cycles, files and functions a reader can hold.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layering }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-lines': ['error', { max: 1000 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
);
