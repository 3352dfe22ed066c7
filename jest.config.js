// Unit tests sit beside the code (libs/.../*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts).
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '(libs|apps)/.*\\.spec\\.ts$|test/.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    // Before @app/realtime, so that a later, looser pattern could never swallow the client.
    '^@app/realtime-client(|/.*)$': '<rootDir>/libs/realtime-client/src$1',
    '^@app/realtime(|/.*)$': '<rootDir>/libs/realtime/src$1',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  testTimeout: 20000,
};
