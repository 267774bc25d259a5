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
  {
    // One audited way to run anything on a server (DESIGN.md, principle 4): capabilities use RemoteRunner.
    files: ['electron/core/**/*.ts'],
    ignores: ['electron/core/ssh/remote.ts', 'electron/core/ssh/sessions.ts', 'electron/core/ssh/remote-exec.ts', 'electron/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': noImports(['electron', 'react', '**/renderer/**', '**/ssh/remote-exec.js', './remote-exec.js'], 'Run remote commands through RemoteRunner (electron/core/ssh/remote.ts): it carries argv past the login shell and audits every run. The core is plain Node.'),
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='exec'][callee.object.property.name='sessions']", message: 'Run remote commands through RemoteRunner (electron/core/ssh/remote.ts), which audits every run.' },
        { selector: "CallExpression[callee.property.name='exec'][callee.object.property.name='client'], CallExpression[callee.property.name='exec'][callee.object.name='client']", message: 'Run remote commands through RemoteRunner (electron/core/ssh/remote.ts), which audits every run.' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['electron/**/*.{ts,cts}', 'e2e/**/*.ts', 'scripts/**/*.{ts,js,mjs}', '*.config.{ts,js}'],
    languageOptions: { globals: globals.node },
  },
);
