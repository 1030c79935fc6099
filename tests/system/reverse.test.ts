// Reverse execution in Linux (web/host/reverse.ts): the default guest boots in
// real time with -icount shift=auto,rr=record and powers off; its replay runs
// under Debian's gdb to the end of the recording, steps back in the kernel and
// forward again. The reference is gdb's own view: each instruction count shows
// the same registers whether reached backwards or forwards; the replay then
// ends as recorded, console byte for byte.

import { spawn, execFileSync } from "node:child_process";
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { beforeAll, describe, test, expect } from "vitest";
import { ROOT, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";
import { freePort, waitListening } from "../cli/debugrun";

const BOOT_TIMEOUT_MS = 300_000;
const COMMAND_TIMEOUT_MS = 60_000;


let manifest: Manifest;
beforeAll(() => { manifest = prepareRingZero(); }, 600_000);

describe("Linux under gdb, backwards", () => {
  test("a recorded boot replayed to its end; reverse-stepi in the kernel gives what stepi gives", async () => {
    // Translated, as a user's run is. A reverse step restores a checkpoint,
    // which drops the translations, so the replay after it runs interpreted
    // until blocks are translated again: the test also holds translated and
    // interpreted runs to taking interrupts at the same instruction
    // (docs/ARCHITECTURE.md, time); a difference shows as a divergence.
    const dir = join(ROOT, "build/guest/reverse");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "linux.rr");
    const args = ["-m", "128", "-nographic", "-no-reboot"];
    const vm = ringzeroGuest(manifest, [...args, "-icount", `shift=auto,rr=record,rrfile=${file}`], COMMAND_TIMEOUT_MS);
    let stdout = "", stderr = "";
    vm.proc.stdout.on("data", (d: Buffer) => { stdout += d.toString("latin1"); });
    vm.proc.stderr.on("data", (d: Buffer) => { stderr += d.toString("latin1"); });
    try {
      await vm.waitForShell(BOOT_TIMEOUT_MS);
      expect(await vm.leave("poweroff -f\r")).toBe(0);
    } finally {
      vm.kill();
    }
    const instructions = /recorded (\d+) instructions/.exec(stderr)![1];

    const port = await freePort();
    const p = spawn(process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args, "-icount", `shift=auto,rr=replay,rrfile=${file}`, "-S", "-gdb", `tcp::${port}`],
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let replayOut = "", replayErr = "";
    p.stdout!.on("data", (d: Buffer) => { replayOut += d.toString("latin1"); });
    p.stderr!.on("data", (d: Buffer) => { replayErr += d.toString("latin1"); });
    const exited = new Promise<number | null>((r) => p.on("exit", (code) => r(code)));
    try {
      await waitListening(port);
      const regs = "info registers eax ecx edx ebx esp ebp esi edi eip eflags cs ss cr0 cr3";
      const mark = (name: string, ...cmds: string[]) => [`echo @${name}\\n`, ...cmds];
      const script = [
        "set confirm off", "set pagination off", "set architecture i386", `target remote :${port}`,
        ...mark("end", "continue", regs),
        ...mark("r1", "reverse-stepi", regs), ...mark("r2", "reverse-stepi", regs), ...mark("r3", "reverse-stepi", regs),
        ...mark("f2", "stepi", regs), ...mark("f1", "stepi", regs), ...mark("f0", "stepi", regs),
      ];
      const gdbFile = join(dir, "linux.gdb");
      writeFileSync(gdbFile, script.join("\n") + "\n");
      // gdb runs alongside (not spawnSync): the replay's output must keep flowing meanwhile
      const g = spawn("sh", ["-c", `exec gdb -nx -batch -x "${gdbFile}" 2>&1`], { stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      g.stdout!.on("data", (d: Buffer) => { out += d.toString("latin1"); });
      await new Promise((r) => g.on("exit", r));
      const section = (name: string) => {
        const start = out.indexOf(`@${name}\n`);
        expect(start, `section ${name} in:\n${out}`).toBeGreaterThanOrEqual(0);
        const end = out.indexOf("\n@", start + 1);
        return out.slice(start, end < 0 ? undefined : end);
      };
      const registers = (name: string) => section(name).split("\n").filter((l) => /^[a-z0-9]+ +0x/.test(l)).map((l) => l.replace(/\s+/g, " ")).join("\n");
      expect(section("end")).toContain("No more reverse-execution history.");
      expect(replayErr).toContain(`replay reached the end of the recording at instruction ${instructions}`);
      for (const k of ["r1", "r2", "r3"]) {
        const eip = parseInt(/^eip +0x([0-9a-f]+)/m.exec(section(k))![1], 16);
        expect(eip).toBeGreaterThanOrEqual(0xc0000000); // the kernel, paging on
        expect(section(k)).toMatch(/^cr0 +0x8\w+ +\[ PG /m);
      }
      expect(registers("r1")).not.toBe(registers("end"));
      expect(registers("f2")).toBe(registers("r2"));
      expect(registers("f1")).toBe(registers("r1"));
      // forward from one before the end: the end again (gdb is told so)
      expect(section("f0"), `the replay's stderr:\n${replayErr.slice(-1500)}`).toContain("No more reverse-execution history.");
      const status = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
      expect(status).toBe(0);
      expect(replayErr).toContain(`replay finished at instruction ${instructions}, as recorded`);
      expect(replayOut).toBe(stdout);
    } finally {
      p.kill();
    }
  }, 4 * BOOT_TIMEOUT_MS);
});
