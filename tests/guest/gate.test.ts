// Gate and far-transfer checks with their error codes: call gates (not present,
// DPL, non-code target), IDT gates to bad segments, the EXT bit of a fault during
// exception delivery, LFS/LGS/LES/LSS, RETF and IRET to ring 3 with a bad SS.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("gate: far-transfer and gate faults with their error codes (same as qemu but the EXT bit)", async () => {
  const bin = assemble("gate");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const lines = rz.output.split("\n").map((l) => l.replace(/ @([0-9a-f]{4}):[0-9a-f]{8}$/, " @$1"));
  expect(lines).toEqual([
    "#0b e=00000040 @0008", // CALL to a not-present call gate
    "#0d e=00000010 @0008", // call gate to a data segment
    "#0b e=00000058 @0008", // CALL to a not-present code segment
    "#0b e=00000058 @0008", // INT to a gate whose segment is not present (INT n: EXT = 0)
    "#0d e=00000010 @0008", // INT to a gate whose segment is data
    "#0b e=00000059 @0008", // #UD whose delivery faults: EXT = 1 (SDM vol. 3 §6.13)
    "lfs 0023:12345678 lgs 0010:1234",
    "#0b e=00000058 @0008", // LES with a not-present segment ...
    "esi=55555555",         // ... leaves the register unchanged
    "#0d e=00000020 @0008", // LSS with DPL 3 at CPL 0
    "#0d e=00000010 @0008", // RETF to ring 3 with SS RPL 0
    "r3",
    "#0d e=00000048 @001b", // call gate DPL 0 from CPL 3
    "cg_target cs=0008",
    "r3 back from gate",
    "#0d e=00000010 @0008", // IRET to ring 3 with SS RPL 0
    "real mode again",
    "",
  ]);
  // QEMU sets EXT only for hardware interrupts, not for a fault while delivering
  // an exception; everything else must match.
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output.replace("#0b e=00000059", "#0b e=00000058"));
});
