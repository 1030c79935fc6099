// Multiply, divide, NEG/NOT, decimal adjusts and SALC: RingZero against qemu
// (pentium2) on the same ROM, plus an independent BigInt model of the multiply
// and divide results, plus #DE delivery with explicit expected output.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";
import { sections, s8, s16, s32, u32, type Row } from "./arith_model";

// Model of MUL/IMUL/DIV/IDIV: [eax, edx, CF=OF] or "DE".
function model(name: string, a: number, b: number, dx: number): [number, number, boolean] | "DE" {
  const [op, form] = name.split(" ");
  const w = form.startsWith("r8") || form.startsWith("m8") ? 8 : form.startsWith("r16") || form.startsWith("m16") ? 16 : 32;
  const B = BigInt;
  if (op === "MUL" || op === "IMUL") {
    if (form.includes(",")) { // two- and three-operand IMUL: Gv = Gv * Ev or Ev * imm
      const parts = form.split(",");
      const imm = parts.length === 3 ? B(s32(Number(parts[2]))) : undefined;
      const sx = w === 16 ? s16 : s32;
      const p = imm !== undefined ? B(sx(b)) * (w === 16 ? B(s16(Number(imm & 0xffffn))) : imm) : B(sx(a)) * B(sx(b));
      const mask = (1n << B(w)) - 1n;
      const t = Number(p & mask);
      const ov = B(sx(t)) !== p;
      return [w === 16 ? u32((a & 0xffff0000) | t) : t >>> 0, dx, ov];
    }
    const signed = op === "IMUL";
    const cv = (x: number) => (signed ? B(w === 8 ? s8(x) : w === 16 ? s16(x) : s32(x)) : B(w === 8 ? x & 0xff : w === 16 ? x & 0xffff : u32(x)));
    const p = cv(a) * cv(b);
    const pm = p & ((1n << B(2 * w)) - 1n);
    const lo = Number(pm & ((1n << B(w)) - 1n)), hi = Number(pm >> B(w));
    const ov = signed ? p !== cv(lo) : hi !== 0;
    if (w === 8) return [u32((a & 0xffff0000) | Number(pm)), dx, ov];
    if (w === 16) return [u32((a & 0xffff0000) | lo), u32((dx & 0xffff0000) | hi), ov];
    return [lo >>> 0, hi >>> 0, ov];
  }
  // DIV / IDIV
  const signed = op === "IDIV";
  let num: bigint, den: bigint;
  if (w === 8) { num = signed ? B(s16(a)) : B(a & 0xffff); den = signed ? B(s8(b)) : B(b & 0xff); }
  else if (w === 16) { const v = u32(((dx & 0xffff) << 16) | (a & 0xffff)); num = signed ? B(s32(v)) : B(v); den = signed ? B(s16(b)) : B(b & 0xffff); }
  else { const v = (B(u32(dx)) << 32n) | B(u32(a)); num = signed ? BigInt.asIntN(64, v) : v; den = signed ? B(s32(b)) : B(u32(b)); }
  if (den === 0n) return "DE";
  const q = num / den, r = num % den; // BigInt division truncates, like IDIV
  const lim = 1n << B(w);
  if (signed ? q < -(lim >> 1n) || q >= lim >> 1n : q >= lim) return "DE";
  const m = lim - 1n;
  if (w === 8) return [u32((a & 0xffff0000) | (Number(r & m) << 8) | Number(q & m)), dx, false];
  if (w === 16) return [u32((a & 0xffff0000) | Number(q & m)), u32((dx & 0xffff0000) | Number(r & m)), false];
  return [Number(BigInt.asUintN(32, q)), Number(BigInt.asUintN(32, r)), false];
}

test("arith: MUL IMUL DIV IDIV NEG NOT DAA DAS AAA AAS AAM AAD SALC (same output as qemu, BigInt model)", async () => {
  const bin = assemble("arith");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  const secs = sections(rz.output);
  expect(secs.size).toBeGreaterThan(60);
  expect(rz.output).not.toContain("BADIP");
  expect(rz.output.endsWith("end\n")).toBe(true);

  // Multiplies and divides against the model.
  const dxOf = (name: string) => {
    const m = / dx=([0-9a-f]+)/.exec(name);
    if (m) return parseInt(m[1], 16) >>> 0;
    return /MUL/.test(name) ? 0x55aa55aa : 0;
  };
  let checked = 0;
  for (const [name, rows] of secs) {
    if (!/^(I?MUL|I?DIV) /.test(name)) continue;
    for (const r of rows as Row[]) {
      const want = model(name.replace(/ dx=.*/, ""), r.a, r.b, dxOf(name));
      if (want === "DE") { expect(r.de, `${name}: ${r.text}`).toBe(true); }
      else {
        expect(r.de, `${name}: ${r.text}`).toBe(false);
        expect([r.eax, r.edx], `${name}: ${r.text}`).toEqual([want[0], want[1]]);
        if (/MUL/.test(name)) expect(r.fl, `${name}: ${r.text}`).toBe(want[2] ? 0x801 : 0);
      }
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(8000);

  // A few results by hand.
  const find = (sec: string, a: number, b: number) => secs.get(sec)!.find((r) => r.a === a && r.b === b)!.text;
  expect(find("MUL r32", 0xffffffff, 0xffffffff)).toBe("ffffffff ffffffff 00000001 fffffffe 801");
  expect(find("IMUL r16", 0x8000, 0x8000)).toBe("00008000 00008000 00000000 55aa4000 801");
  expect(find("DIV r8", 0x0000ffff, 0x00000002)).toBe("0000ffff 00000002 DE 0000ffff 00000000");
  expect(find("NEG r8", 0x00000080, 0)).toBe("00000080 00000000 00000080 00000000 881");
  expect(find("NEG m32", 0, 0)).toBe("00000000 00000000 00000000 00000000 044");
  expect(find("DAA", 0xabcd3f9a, 0)).toBe("abcd3f9a 00000000 abcd3f00 00000000 055");
  expect(find("AAA", 0xabcdaf0a, 0)).toBe("abcdaf0a 00000000 abcdb000 00000000 011");
  expect(find("AAS", 0xabcda500, 0x10)).toBe("abcda500 00000010 abcda30a 00000000 011");
  expect(find("AAM", 0xabcdc663, 0)).toBe("abcdc663 00000000 abcd0909 00000000 004");
  expect(find("SALC", 0x12345678, 1)).toBe("12345678 00000001 123456ff 00000000 001");
  expect(secs.get("AAM 0")![0].de).toBe(true);

  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
}, 30_000);

test("arith: #DE in real mode restarts the faulting instruction (explicit, incl. INT_MIN / -1)", async () => {
  const rz = await runRingZero(assemble("arith_de"));
  expect(rz.stop).toBe("exit");
  expect(rz.output).toBe([
    "DE 22220000 11118000",
    "DE 00000000 80000000",
    "DE 80000000 ffffffff",
    "DE 80008000 ffffffff",
    "DE 8000ff80 ffffffff",
    "DE 00001234 ffffffff",
    "DE 00000042 ffffffff",
    "80000000 00000000",
    "c0000001 ffffffff",
    "end", ""].join("\n"));
});
