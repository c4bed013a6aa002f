// Two projects: unit tests import src/ through ts-jest (ESM); integration tests run the bundled
// dist/index.js as a child process against the moto emulator started by the global setup.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }] },
  // @actions/* are ESM-only: let them through so jest can load them.
  transformIgnorePatterns: ['node_modules/(?!@actions/)'],
  testEnvironment: 'node',
};

export default {
  // Room for a loaded 2-core machine; a test that needs longer says so itself.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/__tests__/integration/harness/global-setup.mjs',
      globalTeardown: '<rootDir>/__tests__/integration/harness/global-teardown.mjs',
    },
  ],
};
