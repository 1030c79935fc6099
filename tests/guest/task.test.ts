// Hardware task switching (SDM vol. 3 ch. 7): CALL/JMP to TSS and task gates,
// IRET through the back-link, INT n through an IDT task gate, a 16-bit TSS, an
// exception with error code through a task gate. Differential against QEMU plus
// explicit checks of busy bits, NT and the link field.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("task: task switches by CALL, JMP, INT and IRET (same as qemu)", async () => {
  const bin = assemble("task");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // CALL: new task busy, NT set, link = old TR; the caller stays busy.
  expect(out).toContain("A: tr=0040 nt=4000 acc:8b 8b 89 89 81 link=0028 ebx=a0a0a0a0 esp=00008800 main saved ebx=11111111\n");
  // IRET back: A not busy, NT clear, registers of main restored, CR0.TS set.
  expect(out).toMatch(/main after call: tr=0028 nt=0000 acc:8b 89 89 89 81 ts=08 ebx=11111111 esi=22222222 saved eipA=[0-9a-f]{8}\n/);
  // JMP through a task gate: old task not busy, NT not set; A resumes after its IRET.
  expect(out).toContain("A again: tr=0040 nt=0000 acc:89 8b 89 89 81 ebx=a1a1a1a1\n");
  expect(out).toContain("B: tr=0050 nt=4000 acc:8b 89 8b 89 81 link=0028\n");
  expect(out).toContain("B again: tr=0050 nt=4000 acc:8b 89 8b 89 81\n");
  expect(out).toContain("D: tr=0060 nt=4000 acc:8b 89 89 89 83 link=0028 bx=d0d0 sp=8e00\n");
  expect(out).toContain("#0d e=00000028 "); // CALL to a busy TSS
  expect(out).toContain("#0a e=00000068 "); // TSS limit < 67h
  expect(out).toMatch(/C: error=00000400 tr=0058 nt=4000 acc:8b 89 89 8b 81 faulting eip=[0-9a-f]{8}\n/);
  expect(out).toContain("main after task C: tr=0028 nt=0000 acc:8b 89 89 89 81 ds=0010\nreal mode again\n");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
