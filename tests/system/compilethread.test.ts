// Hot blocks translated and compiled in a worker thread (RINGZERO_COMPILE=thread,
// web/cli/compilethread.ts): the default guest boots to its shell and computes
// what the host computes, and every block it ran translated came from the
// worker (the command line's RINGZERO_STATS, web/jit/translator.ts stats).

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
let manifest: Manifest;

beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

test("with RINGZERO_COMPILE=thread the guest boots, runs its shell and computes as the host does", async () => {
  const statsFile = join(tmpdir(), `ringzero-compilethread-${process.pid}.json`);
  rmSync(statsFile, { force: true });
  const vm = ringzeroGuest(manifest, ["-m", "128", "-nographic", "-no-reboot"], 120_000,
    { RINGZERO_COMPILE: "thread", RINGZERO_STATS: statsFile });
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    // md5sum and seq run hot loops (the bench's first step is md5sum); the
    // host's MD5 of the same text is the reference
    const seq = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join("");
    const md5 = await vm.run("seq 1 100000 | md5sum", at);
    expect(md5.output.trim()).toBe(`${createHash("md5").update(seq).digest("hex")}  -`);
    at = md5.next;
    // the shell's own loop, the bench's second step
    const loop = await vm.run("i=0; s=0; while [ $i -lt 5000 ]; do i=$((i+1)); s=$((s+i*i)); done; echo $s", at);
    // (the echo of the command wraps at the terminal's width: its last line is the answer)
    expect(loop.output.trim().split("\n").pop()).toBe(String((5000 * 5001 * 10001) / 6));
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
  // the command line writes its statistics at exit
  const lines = readFileSync(statsFile, "utf8").trim().split("\n");
  rmSync(statsFile, { force: true });
  const st = JSON.parse(lines[lines.length - 1]) as Record<string, number>;
  console.log(`compile thread: ${JSON.stringify(st)}`);
  expect(st.failed).toBe(0);
  expect(st.requested).toBeGreaterThan(1000);
  // every block installed or declined was the worker's answer or one
  // translated on the machine's thread because its start ran on waiting for
  // it (`here`, asm/cpu/jit.ts jitRun); most were the worker's
  expect(st.blocks + st.declined).toBeLessThanOrEqual(st.requested + st.here);
  expect(st.blocks - st.here).toBeGreaterThan(st.requested / 2);
  expect(st.workerMs).toBeGreaterThan(0);
  expect(st.translated / st.instructions).toBeGreaterThan(0.9);
}, BOOT_TIMEOUT_MS + 180_000);
