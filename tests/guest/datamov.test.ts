import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

// Differential against qemu -cpu pentium2 for everything above the "rz-only:" line.
test("datamov: XCHG MOVZX/MOVSX LEA CMOVcc SETcc BSWAP XADD CMPXCHG(8B) CBW CWD XLAT LAHF/SAHF flag ops (same as qemu)", async () => {
  const bin = assemble("datamov");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const [common, rzOnly] = rz.output.split("rz-only: ");
  const line = (name: string) => common.split("\n").find((l) => l.startsWith(name + ": "))!.slice(name.length + 2).trim().split(" ");
  // key values, independent of qemu
  expect(line("xchg").slice(0, 6)).toEqual(["112233cc", "aabb44dd", "aabb5566", "4477dd88", "4477dd88", "01020304"]);
  expect(line("lea")).toEqual(["0000479c", "0000479c", "0000e349", "f92c5f09", "0000fffe", "fffe7002", "00001234", "UD"]);
  const cmov = line("cmov");
  expect(cmov[0]).toBe("00005555"); // no flags: every "not" condition true
  for (let i = 0; i < 20; i += 2) expect(cmov[i]).toBe(cmov[i + 1]); // CMOVcc and SETcc agree
  expect(cmov.slice(20)).toEqual(["12345678", "cafef00d", "1234cafe", "12345678", "00000001", "00000000"]);
  expect(line("bswap")).toEqual(["44332211", "01000080", "ff00ff00"]);
  expect(line("cmpxchg8b")).toEqual(["000008d5", "11111111", "22222222", "33333333", "44444444",
    "00000895", "33333333", "44444444", "33333333", "44444444", "UD"]);
  expect(line("lahf").slice(0, 2)).toEqual(["0000d700", "00000200"]);
  expect(rzOnly.trim()).toBe("11220000");
  const q = runQemu(bin);
  expect(q.output.split("rz-only: ")[0]).toBe(common);
});
