// Condition codes (Jcc/SETcc/CMOVcc's testCC) after the ALU operations at every
// size: RingZero against qemu (pentium2) on the same ROM, plus spot checks of
// masks worked out from the SDM's condition table (vol. 1 appendix B).
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("cc: SETcc after CMP/SUB/ADD/logic/INC/DEC/NEG/SBB/ADC at 8/16/32 bits (same as qemu)", async () => {
  const bin = assemble("cc");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  const lines = rz.output.trim().split("\n");
  expect(lines.at(-1)).toBe("end");
  expect(lines.length).toBe(20);
  // CMP 0,0 at every size: ZF=1 PF=1 -> NO NB Z BE NS P NL LE (bits 1 3 4 6 9 10 13 14)
  expect(lines[0].startsWith("00000000 00000000: 665a 665a 665a")).toBe(true);
  // CMP 0x80000000,1 (32 bits): OF=1 CF=0 ZF=0 SF=0 PF=1 -> O NB NZ NBE NS P L LE
  const row = lines.find((l) => l.startsWith("80000000 00000001:"))!;
  expect(row.split(" ")[2]).toBe((1 | 8 | 32 | 128 | 512 | 1024 | 4096 | 16384).toString(16).padStart(4, "0"));
  { // qemu is required (.ci/run installs it)
    const q = runQemu(bin);
    expect(rz.output).toBe(q.output);
  }
});
