// Flat config: typescript-eslint's recommended rules for all TypeScript sources; ESLint's own
// recommended rules, with the browser's globals, for the admin page's script.
// Layer rules (what may import what) live in .dependency-cruiser.cjs and run in `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
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
  {
    // The admin page's script runs in the browser, as a module, checked by tsc through its JSDoc.
    files: ['shared/admin-page/**/*.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
    rules: { ...js.configs.recommended.rules, 'no-console': 'error', eqeqeq: ['error', 'always', { null: 'ignore' }] },
  },
);
