// Shifts, rotates, SHLD/SHRD: RingZero against qemu (pentium2) on the same ROM,
// plus an independent BigInt model of the results, CF, and OF for a count of 1.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";
import { sections } from "./arith_model";

// [result, CF, OF] of `op` on a w-bit value (SDM vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR).
function model(op: string, w: number, v0: number, c: number, cfIn: number): [number, number, number] {
  const W = BigInt(w), m = (1n << W) - 1n;
  const v = BigInt(v0) & m;
  const bit = (x: bigint, i: number) => Number((x >> BigInt(i)) & 1n);
  const C = BigInt(c);
  let r: bigint, cf: number, of: number;
  switch (op) {
    case "shl": r = (v << C) & m; cf = c <= w ? bit(v, w - c) : 0; of = bit(r, w - 1) ^ cf; break;
    case "shr": r = v >> C; cf = bit(v, c - 1); of = bit(v, w - 1); break;
    case "sar": { const s = BigInt.asIntN(w, v); r = (s >> C) & m; cf = Number((s >> BigInt(c - 1)) & 1n); of = 0; break; }
    case "rol": { const n = BigInt(c % w); r = ((v << n) | (v >> (W - n))) & m; cf = bit(r, 0); of = bit(r, w - 1) ^ cf; break; }
    case "ror": { const n = BigInt(c % w); r = ((v >> n) | (v << (W - n))) & m; cf = bit(r, w - 1); of = bit(r, w - 1) ^ bit(r, w - 2); break; }
    default: { // rcl, rcr on the (w+1)-bit value CF:v
      const n = BigInt(c % (w + 1)), M = (1n << (W + 1n)) - 1n;
      const x = (BigInt(cfIn) << W) | v;
      const y = op === "rcl" ? ((x << n) | (x >> (W + 1n - n))) & M : ((x >> n) | (x << (W + 1n - n))) & M;
      r = y & m; cf = bit(y, w);
      of = op === "rcl" ? bit(r, w - 1) ^ cf : bit(v, w - 1) ^ cfIn;
      if (n === 0n) cf = cfIn;
    }
  }
  return [Number(r), cf, of];
}

test("shift: ROL ROR RCL RCR SHL SHR SAR SHLD SHRD (same output as qemu, BigInt model)", async () => {
  const bin = assemble("shift");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.output.endsWith("end\n")).toBe(true);
  const secs = sections(rz.output);
  let checked = 0;
  for (const [name, rows] of secs) {
    const mm = /^(shl|shr|sar|rol|ror|rcl|rcr) [rm](8|16|32) fin=(\w+)$/.exec(name);
    if (!mm) continue;
    const op = mm[1], w = Number(mm[2]), fin = Number(mm[3]);
    const mask = w === 32 ? 0xffffffff : (1 << w) - 1;
    for (const r of rows) {
      const c = r.b & 31;
      const msg = `${name}: ${r.text}`;
      if (c === 0) { expect(r.eax, msg).toBe(r.a); expect(r.fl, msg).toBe(fin & 0x8d5); continue; }
      const [res, cf, of] = model(op, w, r.a, c, fin & 1);
      expect(r.eax, msg).toBe(((r.a & ~mask) | res) >>> 0);
      if (!((op === "shl" || op === "shr") && c > w)) expect(r.fl & 1, msg).toBe(cf);
      if (c === 1) expect((r.fl >> 11) & 1, msg).toBe(of);
      if (op.startsWith("r")) expect(r.fl & 0xd4, msg).toBe(fin & 0xd4); // SF ZF AF PF untouched
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(10000);

  const find = (sec: string, a: number, b: number) => secs.get(sec)!.find((r) => r.a === a && r.b === b)!.text;
  expect(find("shl r32 fin=0x8d5", 0x80000001, 1)).toBe("80000001 00000001 00000002 00000000 801");
  expect(find("sar r16 fin=0x8d5", 0x00008001, 15)).toBe("00008001 0000000f 0000ffff 00000000 084");
  expect(find("rcr m8 fin=0x8d5", 0x00000001, 1)).toBe("00000001 00000001 00000080 00000000 8d5");
  expect(find("rol r16 fin=0", 0x00008000, 0x11)).toBe("00008000 00000011 00000001 00000000 001");
  expect(find("SHLD r32 src=9abcdef0", 0x12345678, 4)).toBe("12345678 00000004 23456789 9abcdef0 001");
  expect(find("SHRD r32 src=9abcdef0", 0x12345678, 8)).toBe("12345678 00000008 f0123456 9abcdef0 084");
  expect(find("SHLD r16 src=9abc", 0x12345678, 16)).toBe("12345678 00000010 12349abc 12349abc 080");
  expect(find("SHR r8 (AH),CL", 0x0000ffff, 4)).toBe("0000ffff 00000004 00000fff 00000000 005");

  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
}, 30_000);
