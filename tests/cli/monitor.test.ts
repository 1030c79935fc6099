// The QEMU monitor (web/host/monitor.ts): `-monitor stdio` on the debugging ROM
// (tests/guest/gdb.asm -DHALT, halted in 32-bit protected mode with paging), the
// same commands in RingZero and qemu-system-i386, outputs compared; and Ctrl-A c
// on -nographic.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, test, expect } from "vitest";
import { buildCli, buildDebugRom, startEmulator, typeIntoMonitor, waitForFile, OUT, type Emulator } from "./debugrun";

let rom = "";
beforeAll(() => {
  buildCli();
  rom = buildDebugRom(true).rom;
});

const COMMANDS = [
  "info registers",
  "x /4xw 0x402010", "xp /4xw 0x22010", "x /8xb 0xf03b1", "x /3dh 0x500", "x /2ug 0x402010", "x /2c 0x402010",
  "x /2xw $esp", "xp /2xw 0x12345678", "x /2xw 0x300000",
  "info mem", "info tlb", "info pic",
  "frobnicate", "info frobnicate", "x /4xb",
  // -nodefaults without -vga: no display device on either
  "screendump", `screendump ${join(OUT, "never.ppm")}`,
];

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run the commands once the guest has halted; returns the monitor's answers
 *  (prompts, echoes and terminal escapes removed). */
async function monitorSession(which: Emulator, commands: string[], args: string[] = []): Promise<string[]> {
  const debugcon = join(OUT, `monitor-${which}.txt`);
  rmSync(debugcon, { force: true });
  const emu = startEmulator(which, rom, ["-monitor", "stdio", "-debugcon", `file:${debugcon}`, ...args]);
  try {
    await waitForFile(debugcon, "done cafebabe\n");
    await new Promise((r) => setTimeout(r, 300)); // into the HLT loop
    await typeIntoMonitor(emu, emu.output, commands);
    return emu.output()
      .replace(/\x1b\[[0-9]*[A-Z]/g, "").replace(/\r/g, "")
      .split("\n")
      .filter((l) => !l.startsWith("(qemu) ") && !/ monitor - type 'help' for more information$/.test(l));
  } finally {
    emu.kill();
  }
}

describe("-monitor stdio against qemu-system-i386", () => {
  test("info registers, x, xp, info mem, info tlb, info pic and errors read the same", async () => {
    const rz = await monitorSession("ringzero", COMMANDS);
    const q = (await monitorSession("qemu", COMMANDS))
      // What legitimately differs, and only that:
      // - a Pentium II has no EFER; QEMU prints the line for every x86 CPU model
      .filter((l) => !l.startsWith("EFER="))
      // - `info pic` in QEMU lists the I/O APIC's 24 pins before the 8259As
      .filter((l) => !/^(ioapic0: |  pin |  IRR |  Remote IRR )/.test(l))
      // - after LTR, QEMU's cached TR keeps the descriptor type read before LTR set
      //   the busy bit (available TSS, 89h); RingZero caches the busy type (8Bh)
      //   as the processor does (SDM vol. 3 §7.2.4: LTR marks the TSS busy)
      .map((l) => l.replace(/^TR =0028 00003000 00000088 00008900 DPL=0 TSS32-avl$/, "TR =0028 00003000 00000088 00008b00 DPL=0 TSS32-busy"));
    expect(rz.join("\n")).toContain("EAX=cafebabe EBX=00000021 ECX=00000000 EDX=00000000");
    expect(rz.join("\n")).toContain("0000000000402000-0000000000403000 0000000000001000 urw");
    expect(rz.join("\n")).toContain("unknown command: 'frobnicate'");
    expect(rz).toEqual(q);
  }, 60_000);
});

/** The part of an x/i line that must read as QEMU's: the address and the bytes
 *  (the first 38 columns: "0x%08x: ", eight " %02x" or padding, two spaces);
 *  the mnemonic and operands after it are Intel syntax here, AT&T in QEMU's
 *  capstone. Continuation lines of long instructions and errors in full. */
const disasmColumns = (lines: string[]) => lines.filter((l) => /^0x[0-9a-f]{8}:/.test(l)).map((l) => (/^0x[0-9a-f]{8}: (?: [0-9a-f]{2}| {3}){8}  \S/.test(l) ? l.slice(0, 38) : l));

describe("x/i against qemu-system-i386", () => {
  test("32-bit protected mode (CS.D): addresses, lengths and bytes as QEMU's; unmapped memory", async () => {
    // 0xf0403 (after PM_ENTER in main, past its MOV AX,10h: 66 B8 10 00, which
    // QEMU 7.2's capstone fails on, printing ".byte 0x66" and a 5-byte MOV EAX)
    // is 32-bit code with 10-byte MOVs (continuation lines); 0xf00bc holds FF FF, which neither decodes; $eip
    // alone is the offset, $pc adds CS.base; 0x12345678 is not mapped.
    const cmds = ["x /3i $pc", "x /3i $eip", "x /40i 0xf0403", "x /2i 0xf00bc", "xp /6i 0xf03b1", "x /2i 0x12345678", "xp /2i 0xffff0"];
    const rz = await monitorSession("ringzero", cmds);
    const q = await monitorSession("qemu", cmds);
    expect(disasmColumns(rz).length).toBeGreaterThan(50);
    expect(disasmColumns(rz)).toEqual(disasmColumns(q));
    expect(rz).toContain("0x12345678: unable to read memory");
    expect(rz.join("\n")).toMatch(/^0x000ffff0:  ea 99 03 00 f0 f4 f4     jmp      0xf4f4:0xf0000399$/m); // decoded as 32-bit code
    expect(rz.join("\n")).toMatch(/^0x000f03b1:  56 {23}push     esi$/m);
  }, 60_000);

  test("real mode (-S, at the reset vector): 16-bit code, as QEMU's", async () => {
    const session = async (which: Emulator) => {
      const emu = startEmulator(which, rom, ["-S", "-monitor", "stdio"]);
      try {
        await new Promise((r) => setTimeout(r, 1000));
        await typeIntoMonitor(emu, emu.output, ["x /2i 0xffff0", "x /12i 0xf03b1"]);
        return emu.output().replace(/\x1b\[[0-9]*[A-Z]/g, "").replace(/\r/g, "").split("\n");
      } finally {
        emu.kill();
      }
    };
    const rz = await session("ringzero");
    const q = await session("qemu");
    expect(disasmColumns(rz).length).toBeGreaterThanOrEqual(14);
    expect(disasmColumns(rz)).toEqual(disasmColumns(q));
    expect(rz.join("\n")).toMatch(/^0x000ffff0:  ea 99 03 00 f0 {11}jmp      0xf000:0x399$/m);
  }, 60_000);
});

test("help lists the commands; screendump writes the text screen as a PPM; info vmcs outside VMX", async () => {
  const ppmFile = join(OUT, "monitor-screendump.ppm");
  rmSync(ppmFile, { force: true });
  const out = (await monitorSession("ringzero", ["help", `screendump ${ppmFile}`, "screendump /nonexistent/dir/x.ppm", "info vmcs"], ["-vga", "std"])).join("\n");
  for (const c of ["cont|c", "info", "quit|q", "screendump", "stop", "system_powerdown", "system_reset", "x /fmt addr", "xp /fmt addr", "info registers|mem|tlb|pic|vmcs"]) expect(out).toContain(c);
  // The debugging ROM never executes VMXON (the decoded VMCS itself: tests/guest/vmx.test.ts).
  expect(out).toContain("no current VMCS (VMX off)");
  // Power-on mode 3: 80x25 cells of 9x16 dots.
  expect(readFileSync(ppmFile).subarray(0, 15).toString("latin1")).toBe("P6\n720 400\n255\n");
  expect(out).toContain("Error: failed to open file '/nonexistent/dir/x.ppm': No such file or directory");
}, 30_000);

describe("VGA memory through x/xp", () => {
  test("reads the VGA text window as QEMU's monitor does (device memory, not an error); bytes 8 to a line", async () => {
    // B8000 only: RingZero's VGA comes out of reset in mode 3's register state
    // (a direct kernel boot has no VGA BIOS to set it), so A0000 is outside the
    // window and reads FFh, where QEMU's zeroed registers map all of A0000-BFFFF.
    const cmds = ["xp /16xb 0xb8000", "x /4xw 0xb8000", "x /12xh 0xb8010"];
    const rz = await monitorSession("ringzero", cmds, ["-vga", "std"]);
    const q = await monitorSession("qemu", cmds, ["-vga", "std"]);
    const dumps = (ls: string[]) => ls.filter((l) => /^(0{8})?000b80[0-9a-f]{2}:/.test(l));
    expect(dumps(rz).length).toBe(5);
    expect(dumps(rz)).toEqual(dumps(q));
  }, 60_000);
});

test("-nographic: Ctrl-A c switches between the serial console and the monitor", async () => {
  const debugcon = join(OUT, "monitor-mux.txt");
  rmSync(debugcon, { force: true });
  const emu = startEmulator("ringzero", rom, ["-nographic", "-debugcon", `file:${debugcon}`]);
  try {
    await waitForFile(debugcon, "done cafebabe\n");
    emu.stdin!.write("\x01c");
    await new Promise((r) => setTimeout(r, 200));
    emu.stdin!.write("info registers\r");
    await until(() => /HLT=\d/.test(emu.output()));
    emu.stdin!.write("\x01c\x01x");
    const status = await Promise.race([emu.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    const out = emu.output().replace(/\r/g, "");
    expect(out).toContain("RingZero 0.1.0 monitor - type 'help' for more information\n(qemu) info registers\n");
    expect(out).toMatch(/^EIP=[0-9a-f]{8} EFL=00000086 \[--S--P-\] CPL=0 II=0 A20=1 SMM=0 HLT=1$/m);
    expect(out).toContain("ringzero: terminated");
    expect(status).toBe(0);
  } finally {
    emu.kill();
  }
}, 30_000);

test("stop and cont, quit: the monitor controls the run", async () => {
  const emu = startEmulator("ringzero", rom, ["-S", "-monitor", "stdio", "-debugcon", `file:${join(OUT, "monitor-cont.txt")}`]);
  try {
    rmSync(join(OUT, "monitor-cont.txt"), { force: true });
    await new Promise((r) => setTimeout(r, 1000));
    emu.stdin!.write("info registers\n"); // -S: still at the reset vector
    await until(() => /HLT=\d/.test(emu.output()));
    expect(emu.output()).toMatch(/^EIP=0000fff0 /m);
    emu.stdin!.write("cont\n");
    await waitForFile(join(OUT, "monitor-cont.txt"), "done cafebabe\n");
    emu.stdin!.write("stop\nsystem_reset\ninfo registers\n");
    await until(() => emu.output().split("EIP=").length > 2 && /HLT=\d/.test(emu.output().split("EIP=").at(-1)!));
    expect(emu.output().split("EIP=").at(-1)).toMatch(/^0000fff0 /);
    emu.stdin!.write("q\n");
    expect(await emu.exited).toBe(0);
  } finally {
    emu.kill();
  }
}, 30_000);
