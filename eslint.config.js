// The lint step `npm test` runs (and so CI gates): the architecture's rules, enforced rather than described.
// Layers, bottom to top: model -> host -> argv -> components -> discover -> inspect -> assess -> export/render
// -> server -> the entry points (src/*.ts). A folder imports only from its own layer and the layers below.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** One zone per layer: `target` may not import from `from`. */
function layer(target, forbidden, message) {
  return forbidden.map((from) => ({ target: `./src/${target}`, from: `./src/${from}`, message }));
}

const UPPER_OF = {
  model: ['host', 'argv', 'components', 'discover', 'inspect', 'assess', 'export', 'render', 'server', 'fixture-host'],
  host: ['argv', 'components', 'discover', 'inspect', 'assess', 'export', 'render', 'server', 'fixture-host'],
  argv: ['components', 'discover', 'inspect', 'assess', 'export', 'render', 'server', 'fixture-host'],
  components: ['discover', 'inspect', 'assess', 'export', 'render', 'server', 'fixture-host'],
  discover: ['inspect', 'assess', 'export', 'render', 'server', 'fixture-host'],
  inspect: ['assess', 'export', 'render', 'server', 'fixture-host'],
  assess: ['host', 'discover', 'inspect', 'export', 'render', 'server', 'fixture-host'],
  export: ['host', 'discover', 'inspect', 'render', 'server', 'fixture-host'],
  render: ['host', 'discover', 'inspect', 'export', 'server', 'fixture-host'],
};

const zones = Object.entries(UPPER_OF).flatMap(([target, forbidden]) =>
  layer(target, forbidden, `src/${target} sits below these: see the layering in eslint.config.js and the README's design section`),
);

/** node:fs only where reading or writing files is the job. */
const FS_ALLOWED = ['src/host/**', 'src/server/**', 'src/fixture-host/**', 'src/export/textfile.ts', 'src/version.ts', 'src/example.ts', 'src/cli.ts', 'src/policy/policy-file.ts'];
/** execa only in the one module that runs binaries. */
const EXECA_ALLOWED = ['src/inspect/binary-version.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='localeCompare']",
        message: 'Outputs must not depend on the locale: use compareCodeUnits (src/model/compare.ts)',
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: FS_ALLOWED,
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'execa'].map((name) => ({
          name,
          message: name === 'execa' ? `only ${EXECA_ALLOWED.join(', ')} runs binaries` : 'file access belongs to the readers (src/host) and the server',
        })),
      }],
    },
  },
  {
    files: ['src/inspect/binary-version.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: 'file access belongs to the readers (src/host)' })) }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [{ target: './test', from: './bench', message: 'tests do not depend on the benchmark; share through test/helpers or src' }] }],
    },
  },
);
