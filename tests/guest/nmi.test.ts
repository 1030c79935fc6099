// NMI delivery (SDM vol. 3 §6.7.1 NMI handling, §10.5.1 LVT LINT0/LINT1, §10.6.1
// ICR delivery mode NMI): the same program on RingZero and qemu-system-i386, with
// the SDM-derived values checked explicitly too.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("nmi: ICR and LINT0 NMIs, IF=0, blocking until IRET, task gate, HLT, real mode (same as qemu)", async () => {
  const bin = assemble("nmi");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // Taken with IF=0; the frame's EFLAGS (NT, IF, TF and bit 1 shown) has IF clear.
  expect(out).toContain("icr nmi: count=00000001 frame eflags=00000002\n");
  // Inside the handler two more NMIs were sent: none was taken before IRET; after
  // it exactly one (one is held while blocked, the other is lost).
  expect(out).toContain("nested: inside=00000001 after=00000002\n");
  // Through the task gate: a nested task (NT=1, back link = TSS0 at 28h), TR = 40h;
  // its IRET returned to TSS0 and cleared TSS_A's busy bit (type 89h).
  expect(out).toContain("in task: link=0028 nt=01 tr=0040\ntask: count=00000001 tr=0028 tssa busy=89\n");
  expect(out).toContain("in task: link=0028 nt=01 tr=0040\ntask again: count=00000002\n");
  // HLT with IF=0 woken by the NMI from LINT0; the frame is after the HLT, IF=0.
  expect(out).toContain("hlt woke: count=00000001 frame eflags=00000002\n");
  // Real mode: IVT entry 2, FLAGS pushed with IF=0 (same bits shown).
  expect(out).toMatch(/real: count=00000001 frame flags=0002\n$/);
  expect(out).not.toContain("timeout");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
