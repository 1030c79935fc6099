import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";

// tests/guest/branchlimit.asm: near JMP/Jcc/CALL/RET to a target past CS's
// limit. Expected values are the SDM's (vol. 2 JMP, Jcc, CALL, RET): #GP(0)
// raised by the branch, EIP at the branch, nothing pushed or popped. qemu 7.2
// checks no near-branch limit (the differential fuzzer, tools/fuzz/run.ts,
// found the difference), so there is no qemu run here.
test("branchlimit: a near branch past the code segment limit is #GP(0) at the branch, undone", async () => {
  const rz = await runRingZero(assemble("branchlimit"));
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const runs = rz.output.trim().split("\n").map((l) => l.trim().split(/\s+/));
  expect(runs.length).toBe(8 * 3);
  const hex = (s: string) => parseInt(s, 16);
  for (const [name, vec, err, eip, branch, esp] of runs) {
    if (name === "jmp-limit") {
      // the last byte inside the limit is reachable: its INT3 traps after it
      expect([name, hex(vec), hex(eip)]).toEqual([name, 3, hex(branch) + 1]);
      continue;
    }
    // the RET cases pushed their target just before (ESP = 8000H - 4)
    const espBefore = name.startsWith("ret") ? 0x7ffc : 0x8000;
    expect([name, hex(vec), hex(err), hex(eip), hex(esp)]).toEqual([name, 13, 0, hex(branch), espBefore]);
  }
});
