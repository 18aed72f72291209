// Flat config: typescript-eslint's recommended rules for all TypeScript sources.
// Layer rules (what may import what) live in .dependency-cruiser.cjs and run in `npm run lint`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.deploy/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Command-line entries, the dev host, benchmarks and emulators talk to a person on the console.
    files: ['cli/**', 'tools/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
