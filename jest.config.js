// Unit tests sit beside the code (libs/.../*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts).
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '(libs|apps)/.*\\.spec\\.ts$|test/.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    // The packages by the names users import them by, mapped to their sources.
    '^@nest-realtime/(protocol|core|redis|pusher|client)(|/.*)$': '<rootDir>/libs/$1/src$2',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  testTimeout: 20000,
};
