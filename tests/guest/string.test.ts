import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

// Differential against qemu -cpu pentium2 for everything above the "rz-only:"
// line; the REP-fault checks below it need real-mode segment limits, which qemu
// does not enforce, so they are checked against fixed values.
test("string: MOVS STOS LODS CMPS SCAS INS OUTS with REP/REPE/REPNE, a16/a32, DF, overlap (same as qemu)", async () => {
  const bin = assemble("string");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const [common, rzOnly] = rz.output.split("rz-only: ");
  const line = (name: string) => common.split("\n").find((l) => l.startsWith(name + ": "))!.slice(name.length + 2).trim().split(" ");
  const movs = line("movs");
  expect(movs.slice(0, 9)).toEqual([ // count 0, count 1, count 0x3001
    "00000003", "00000101", "00000000", "00000004", "00000102", "00000000", "00003005", "00003103", "00000000"]);
  expect(movs.slice(11, 14)).toEqual(["00002010", "00006000", "00000000"]); // a32 REP MOVSD 0x800
  expect(line("overlap").slice(0, 3)).toEqual(["0000112c", "0000112d", "00000000"]);
  // REPE CMPSB stops after the mismatch at byte 37: SI DI CX, then flags (CF set: 0x..<0xee)
  expect(line("cmps").slice(0, 3)).toEqual(["00005026", "00006026", "000000da"]);
  expect(line("cmps").at(-1)).toBe("000008d5"); // REPE with CX = 0 leaves flags alone
  expect(line("scas").slice(0, 4)).toEqual(["00005007", "00003056", "000000aa", "00000044"]);
  expect(common).toContain("io: Hello from REP OUTSB\nHel");
  expect(common).toContain("00000b25 00000305 00000000 e9e9e9e9 e9e9e9e9"); // REP INSB x5 from port 0xE9
  // #GP in iteration 16 of REP MOVSB / iteration 2 of REP MOVSD: earlier
  // iterations stay done, registers point at the faulting one, IP at the prefix.
  expect(rzOnly.trim()).toBe("GP 00010000 00000110 00000010 GP 00000208 00010000 00000002 ip-ok");
  const q = runQemu(bin);
  expect(q.output.split("rz-only: ")[0]).toBe(common);
});
