// The monitor's `nmi` command (web/host/monitor.ts) against qemu-system-i386's:
// tests/guest/nmi_monitor.asm first has LVT LINT1 in fixed mode (the `nmi` is
// then vector 40h, an ordinary interrupt), then halts with IF=0 and LINT1 in NMI
// mode; an `nmi` arrives through LINT1 (QEMU's x86_nmi -> apic_deliver_nmi); with the APIC then
// disabled in IA32_APIC_BASE, the next `nmi` reaches the CPU directly. The
// debugcon output of both emulators must be the same.

import { rmSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, test, expect } from "vitest";
import { buildCli, startEmulator, waitForFile, OUT, type Emulator } from "./debugrun";
import { assemble } from "../guest/harness";

let rom = "";
beforeAll(() => {
  buildCli();
  rom = assemble("nmi_monitor");
});

async function session(which: Emulator, extra: string[] = []): Promise<string> {
  const debugcon = join(OUT, `nmi-monitor-${which}.txt`);
  rmSync(debugcon, { force: true });
  const emu = startEmulator(which, rom, ["-monitor", "stdio", "-debugcon", `file:${debugcon}`, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...extra]);
  try {
    await waitForFile(debugcon, "ready fixed\n");
    emu.stdin!.write("nmi\n");
    await waitForFile(debugcon, "ready lint1\n");
    emu.stdin!.write("nmi\n");
    await waitForFile(debugcon, "ready direct\n");
    emu.stdin!.write("nmi\n");
    await waitForFile(debugcon, "nmi 02\n");
    await Promise.race([emu.exited, new Promise((r) => setTimeout(r, 15_000))]);
    return readFileSync(debugcon, "latin1");
  } finally {
    emu.kill();
  }
}

describe("monitor nmi against qemu-system-i386", () => {
  test("nmi goes through LINT1 (fixed mode: its vector; NMI mode: an NMI), and straight to the CPU with the APIC disabled", async () => {
    const rz = await session("ringzero");
    expect(rz).toBe("ready fixed\nlint1 fixed, isr40=00000001\nready lint1\nnmi 01\nready direct\nnmi 02\n");
    const q = await session("qemu");
    expect(q).toBe(rz);
  }, 60_000);
});

test("nmi is refused in one line while recording (an injected NMI is not a recorded event)", async () => {
  const rr = join(OUT, "nmi-monitor.rr");
  const debugcon = join(OUT, "nmi-monitor-rr.txt");
  rmSync(debugcon, { force: true });
  const emu = startEmulator("ringzero", rom, ["-monitor", "stdio", "-debugcon", `file:${debugcon}`, "-icount", `shift=0,rr=record,rrfile=${rr}`]);
  try {
    await waitForFile(debugcon, "ready fixed\n");
    emu.stdin!.write("nmi\nquit\n");
    await Promise.race([emu.exited, new Promise((r) => setTimeout(r, 15_000))]);
    expect(emu.output()).toContain("nmi is not available during record/replay");
    expect(readFileSync(debugcon, "latin1")).toBe("ready fixed\n");
  } finally {
    emu.kill();
  }
}, 60_000);
