import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["tests/helpers/eager-modules.ts"],
    // A `dagtest run` of a test starts no server that outlives it; tests of kept servers opt in
    // (tests/integration/kept-server.test.ts, tests/e2e/cli-server.test.ts) and stop theirs.
    env: { DAGTEST_KEEP_WARM: "0" },
  },
});
