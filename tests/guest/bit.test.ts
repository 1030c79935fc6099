// BT/BTS/BTR/BTC and BSF/BSR: RingZero against qemu (pentium2) on the same ROM,
// plus a model of the results: the bit offset taken modulo the width for register
// operands, and as a signed displacement into the bit string for memory ones.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";
import { sections, u32 } from "./arith_model";

const apply = (op: string, v: number, bit: number) => {
  const m = 1 << bit;
  const r = op === "BTS" ? v | m : op === "BTR" ? v & ~m : op === "BTC" ? v ^ m : v;
  return [u32(r), (v >>> bit) & 1];
};

// Memory form: the area 0x800..0x87f filled from `a`, bit string at 0x840.
function memModel(op: string, w: number, a: number, off: number): [number, number, number] {
  const area = new Uint32Array(32);
  for (let i = 0; i < 32; i++) area[i] = u32(a + i * 0x11111111);
  const bytes = new DataView(area.buffer);
  const sOff = w === 16 ? (off << 16) >> 16 : off | 0;
  const addr = 0x40 + (w === 16 ? Math.floor(sOff / 16) * 2 : Math.floor(sOff / 32) * 4);
  const bit = sOff & (w - 1);
  const v = w === 16 ? bytes.getUint16(addr, true) : bytes.getUint32(addr, true);
  const [r, cf] = apply(op, v, bit);
  if (w === 16) bytes.setUint16(addr, r, true); else bytes.setUint32(addr, r, true);
  let x = 0, s = 0, ws = 0;
  for (let i = 0; i < 32; i++) { x ^= area[i]; s = u32(s + area[i]); ws = u32(ws + s); }
  return [u32(x), ws, cf];
}

test("bit: BT BTS BTR BTC BSF BSR (same output as qemu, model)", async () => {
  const bin = assemble("bit");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.output.endsWith("end\n")).toBe(true);
  const secs = sections(rz.output);
  let checked = 0;
  for (const [name, rows] of secs) {
    const mm = /^(BT[SRC]?) ([rm])(16|32),r\d+( a32)?$/.exec(name);
    for (const r of rows) {
      const msg = `${name}: ${r.text}`;
      if (mm) {
        const op = mm[1], w = Number(mm[3]);
        if (mm[2] === "r") {
          const mask = w === 32 ? 0xffffffff : 0xffff;
          const [res, cf] = apply(op, r.a & mask, r.b & (w - 1));
          expect(r.eax, msg).toBe(u32((r.a & ~mask) | (res & mask)));
          expect(r.fl & 1, msg).toBe(cf);
        } else {
          const [x, ws, cf] = memModel(op, w, r.a, r.b);
          expect([r.eax, r.edx, r.fl & 1], msg).toEqual([x, ws, cf]);
        }
        checked++;
      }
      const sm = /^(BSF|BSR) r(16|32),[rm]\d+$/.exec(name);
      if (sm) {
        const w = Number(sm[2]), mask = w === 32 ? 0xffffffff : 0xffff;
        const src = r.b & mask;
        if (src === 0) { expect(r.eax, msg).toBe(r.a); expect(r.fl, msg).toBe(0x40); }
        else {
          const idx = sm[1] === "BSF" ? 31 - Math.clz32(src & -src) : 31 - Math.clz32(src);
          expect(r.eax, msg).toBe(u32((r.a & ~mask) | idx));
          expect(r.fl, msg).toBe(0);
        }
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(4000);

  const find = (sec: string, a: number, b: number) => secs.get(sec)!.find((r) => r.a === a && r.b === b)!.text;
  expect(find("BTS r32,r32", 0, 33)).toBe("00000000 00000021 00000002 00000000 000");
  expect(find("BTR r16,r16", 0xffffffff, 0x11)).toBe("ffffffff 00000011 fffffffd 00000000 001");
  expect(find("BTC r32,31", 0x80000000, 0)).toBe("80000000 00000000 00000000 00000000 001");
  expect(find("BSR r16,r16", 0x12345678, 0x00010000)).toBe("12345678 00010000 12345678 00000000 040");
  expect(find("BSF r32,r32", 0, 0x80000000)).toBe("00000000 80000000 0000001f 00000000 000");

  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
}, 30_000);
