import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folder rules keep the architecture: shared/ is runtime-neutral, the renderer never reaches into the main side. */
const noImports = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': noImports(['node:*', 'electron', 'react', 'react-dom', '../electron/*', '../renderer/*', '../../electron/*', '../../renderer/*'], 'shared/ is the contract: no Node, DOM, Electron or React, and no imports from either side.'),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': noImports(['node:*', 'electron', '**/electron/**'], 'The renderer talks to the main side only through the contract client.'),
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/web/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': noImports(['electron', 'react', '**/renderer/**'], 'The core is plain Node: only electron/main.ts and the preload may use Electron.'),
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['electron/**/*.{ts,cts}', 'e2e/**/*.ts', 'scripts/**/*.{ts,js,mjs}', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
);
