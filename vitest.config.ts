import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** The files that measure the guest's clock against the wall clock. */
const CLOCK = ["tests/system/time.test.ts", "tests/e2e/pagetime.test.ts"];

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on CI's two. The
    // tests are CPU-bound emulation and waiting on child processes, so two
    // workers there halve the wall time; a third (tried on CI's two cores) made
    // each file slower by as much and the whole no shorter. Each e2e file builds and serves the
    // page from a folder of its own (tests/e2e/site.ts), so most run with the
    // rest; npm test's second step runs one at a time the files that measure
    // the guest's clock against a busy core (time.test.ts, pagetime.test.ts).
    // package.test.ts and embed.test.ts both npm pack (whose prepare and
    // prepack run the build) at once: the build rewrites nothing unchanged,
    // and what changed whole (tools/write-if-changed.mjs).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Two projects share the workers: every test as it is ("translated": guest
    // code that runs twice is translated, tests/guest/harness.ts), and the guest
    // programs again with every instruction interpreted ("interpreted",
    // RZ_TRANSLATE=off), so that both engines are checked against qemu. A
    // third, "clock", holds the two files npm test runs alone afterwards (a
    // command line's --exclude does not reach a project's files).
    // `--project translated` runs one.
    projects: [
      // (include is set per project: extends would merge a shared one into both)
      { extends: true, test: { name: "translated", include: ["tests/**/*.test.ts"], exclude: ["**/node_modules/**", ...CLOCK] } },
      { extends: true, test: { name: "clock", include: CLOCK } },
      // vga.test.ts and vga_vbe.test.ts run the ringzero command, which
      // RZ_TRANSLATE does not reach: the same run twice
      { extends: true, test: { name: "interpreted", include: ["tests/guest/**/*.test.ts"], exclude: ["**/node_modules/**", "tests/guest/vga.test.ts", "tests/guest/vga_vbe.test.ts"], env: { RZ_TRANSLATE: "off" } } },
    ],
  },
});
