import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Boots Linux under RingZero: enable once the CPU and PC devices can run it
    // (remove this line; the file needs no other change).
    exclude: ["**/node_modules/**", "tests/system/linux-boot.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
