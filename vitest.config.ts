import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real daemons and servers; two workers match the 2-core CI machine.
    maxWorkers: 2,
    // .ci/run computes its summary line from this report.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
