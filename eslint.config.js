import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The engine's rooms: the rest of the code reaches each only through its entry module (index.ts).
const ROOMS = ['credentials', 'stack', 'impact', 'drift', 'doctor', 'ecr', 'permissions'];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        URLSearchParams: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The GitHub edge is the only code that may import @actions/*.
    files: ['src/**/*.ts'],
    ignores: ['src/action/**', 'src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*'], message: '@actions/* is imported only under src/action/.' }] },
      ],
    },
  },
  {
    // SDK clients are built in one place.
    files: ['src/**/*.ts'],
    ignores: ['src/aws/clients.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/Client$/]',
          message: 'Build SDK clients only in src/aws/clients.ts.',
        },
      ],
    },
  },
  {
    // No import cycles, and no reaching into another room's internals.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: ROOMS.map((room) => ({
            target: [
              './src/*.ts',
              './src/!(engine)/**/*',
              './src/engine/*.ts',
              `./src/engine/!(${room})/**/*`,
            ],
            from: `./src/engine/${room}`,
            except: ['./index.ts'],
            message: `Import the ${room} room through src/engine/${room}/index.ts.`,
          })),
        },
      ],
    },
  },
);
