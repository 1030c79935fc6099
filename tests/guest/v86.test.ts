// Virtual-8086 mode (SDM vol. 3 ch. 20): IRETD into v8086 mode, segments as in
// real mode, INT n to ring 0 with IOPL 3 (frame with the data segments), and the
// IOPL-sensitive instructions faulting to the ring-0 monitor with IOPL 0.
// Differential against QEMU plus explicit frame checks.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("v86: enter by IRETD, INT n with IOPL 3 and 0, #GP monitor (same as qemu)", async () => {
  const bin = assemble("v86");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  expect(out).toContain("v86 cs ss ds es fs gs sp fl: f000 0800 0100 0400 0200 0300 0ff0 3002\nbeef\n");
  // 9-dword frame on the TSS0 ring-0 stack; data segments nulled in the handler.
  expect(out).toMatch(/int21 ss:esp=0010:00005fdc segs=0000,0000,0000,0000 frame [0-9a-f]{8} 0000f000 00023002 00000ff0 00000800 00000400 00001234 00000200 00000300\n/);
  expect(out).toContain("v86 after int21\nv86 after iret\n");
  for (const op of ["9c", "cd", "fa", "fb", "cf"]) expect(out).toMatch(new RegExp(`#GP e=00000000 at f000:[0-9a-f]{4} efl=00020002 op=${op}\\n`));
  expect(out).toMatch(/#GP e=0000001a at f000:[0-9a-f]{4} efl=00020002 op=cc\n/); // INT3, gate DPL 0
  expect(out).toContain("v86 done, [12350h]=beef\nreal mode again\n");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
