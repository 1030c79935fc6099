// Record/replay of a Linux session (web/host/replay.ts): the default guest boots
// in real time on the command line with -icount shift=auto,rr=record, a user
// types commands, the guest powers off; the replay, with no input at all, must
// write the same console bytes and end at the same instruction count.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { beforeAll, test, expect } from "vitest";
import { ROOT, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;

let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

test("a recorded boot with typed commands replays byte for byte", async () => {
  const dir = join(ROOT, "build/guest/replay");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "linux.rr");
  const args = ["-m", "128", "-nographic", "-no-reboot"];
  const vm = ringzeroGuest(manifest, [...args, "-icount", `shift=auto,rr=record,rrfile=${file}`], COMMAND_TIMEOUT_MS);
  let stdout = "", stderr = "";
  vm.proc.stdout.on("data", (d: Buffer) => { stdout += d.toString("latin1"); });
  vm.proc.stderr.on("data", (d: Buffer) => { stderr += d.toString("latin1"); });
  try {
    let at = await vm.waitForShell(BOOT_TIMEOUT_MS);
    // Commands whose output depends on time and timing: the replay has to reproduce them.
    for (const cmd of ["cat /proc/uptime", "date +%s.%N", "echo $((6*7)); sleep 1; cat /proc/interrupts | head -3"]) {
      at = (await vm.run(cmd, at)).next;
    }
    expect(await vm.leave("poweroff -f\r")).toBe(0);
  } finally {
    vm.kill();
  }
  const instructions = /recorded (\d+) instructions/.exec(stderr)?.[1];
  expect(instructions).toMatch(/^\d+$/);
  expect(stdout).toContain("42\r\n");

  const replay = spawnSync(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args, "-icount", `shift=auto,rr=replay,rrfile=${file}`],
    { cwd: ROOT, input: "", timeout: BOOT_TIMEOUT_MS, encoding: "latin1", maxBuffer: 64 << 20 });
  expect(replay.stderr).toBe(`ringzero: replay finished at instruction ${instructions}, as recorded\n`);
  expect(replay.status).toBe(0);
  expect(replay.stdout).toBe(stdout);
}, 2 * BOOT_TIMEOUT_MS + 120_000);
