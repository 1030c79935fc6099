import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on CI's two. The
    // tests are CPU-bound emulation and waiting on child processes, so two
    // workers there halve the wall time. The timing-sensitive file and the e2e
    // files (each builds and serves dist/) run one at a time in npm test's
    // second step.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
