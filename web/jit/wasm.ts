// WebAssembly binary encoding for the translator: opcodes by name, value types,
// LEB128 integers (WebAssembly core spec §5.2.2), and a probe for tail calls.
// The lowest layer: it knows nothing of x86.
//
//   const out: number[] = [];
//   out.push(W.const_); sleb(out, -1); out.push(W.end);

export const enum W {
  block = 0x02, loop = 0x03, if_ = 0x04, else_ = 0x05, end = 0x0b, br = 0x0c, br_if = 0x0d, br_table = 0x0e, return_ = 0x0f,
  call = 0x10, return_call = 0x12, return_call_indirect = 0x13,
  drop = 0x1a, select = 0x1b,
  get = 0x20, set = 0x21, tee = 0x22, global_get = 0x23, global_set = 0x24,
  load = 0x28, load8u = 0x2d, load16u = 0x2f, store = 0x36, store8 = 0x3a, store16 = 0x3b,
  const_ = 0x41, i64const = 0x42,
  eqz = 0x45, eq = 0x46, ne = 0x47, lts = 0x48, ltu = 0x49, gts = 0x4a, gtu = 0x4b, les = 0x4c, leu = 0x4d,
  ges = 0x4e, geu = 0x4f,
  i64leu = 0x58, i64ne = 0x52, i64ltu = 0x54, i64gtu = 0x56,
  clz = 0x67, ctz = 0x68, popcnt = 0x69, add = 0x6a, sub = 0x6b, mul = 0x6c, divs = 0x6d, divu = 0x6e, rems = 0x6f, remu = 0x70,
  and = 0x71, or = 0x72, xor = 0x73, shl = 0x74, shrs = 0x75, shru = 0x76, rotl = 0x77, rotr = 0x78,
  i64add = 0x7c, i64mul = 0x7e, i64divs = 0x7f, i64divu = 0x80, i64rems = 0x81, i64remu = 0x82, i64or = 0x84, i64shl = 0x86,
  i64shru = 0x88,
  wrap = 0xa7, ext64s = 0xac, ext64u = 0xad, ext8s = 0xc0, ext16s = 0xc1,
}
export const VOID = 0x40, I32 = 0x7f, I64 = 0x7e, V128 = 0x7b;
/** SIMD opcodes (after the 0xFD prefix, as LEB128; WebAssembly core spec 2.0 §5.4.8). */
export const enum S {
  v128load = 0x00, v128store = 0x0b, v128const = 0x0c, i8x16shuffle = 0x0d,
  i32x4extractLane = 0x1b, i32x4replaceLane = 0x1c,
  i8x16eq = 0x23, i8x16gtS = 0x27, i16x8eq = 0x2d, i16x8gtS = 0x31, i32x4eq = 0x37, i32x4gtS = 0x3b,
  v128and = 0x4e, v128andnot = 0x4f, v128or = 0x50, v128xor = 0x51,
  i8x16bitmask = 0x64, i8x16narrowI16x8s = 0x65, i8x16narrowI16x8u = 0x66,
  i8x16add = 0x6e, i8x16addSatS = 0x6f, i8x16addSatU = 0x70, i8x16sub = 0x71, i8x16subSatS = 0x72, i8x16subSatU = 0x73,
  i8x16minU = 0x77, i8x16maxU = 0x79, i8x16avgrU = 0x7b,
  i16x8narrowI32x4s = 0x85,
  i16x8shl = 0x8b, i16x8shrS = 0x8c, i16x8shrU = 0x8d, i16x8add = 0x8e, i16x8addSatS = 0x8f, i16x8addSatU = 0x90,
  i16x8sub = 0x91, i16x8subSatS = 0x92, i16x8subSatU = 0x93, i16x8mul = 0x95, i16x8minS = 0x96, i16x8maxS = 0x98, i16x8avgrU = 0x9b,
  i32x4shl = 0xab, i32x4shrS = 0xac, i32x4shrU = 0xad, i32x4add = 0xae, i32x4sub = 0xb1, i32x4dotI16x8s = 0xba,
  i32x4splat = 0x11, i32x4ltU = 0x3a, i32x4leU = 0x3e, i32x4allTrue = 0xa3,
  f32x4add = 0xe4, f32x4sub = 0xe5, f32x4mul = 0xe6, i32x4truncSatF32x4s = 0xf8, f32x4convertI32x4s = 0xfa,
  i64x2shl = 0xcb, i64x2shrU = 0xcd, i64x2add = 0xce, i64x2sub = 0xd1, i64x2extmulLowI32x4u = 0xde,
}

// The module around the code (core spec §5.5): preamble, sections, and what an
// import or export is.
export const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
export const enum Section { type = 1, import = 2, function = 3, global = 6, export = 7, code = 10 }
export const FUNC_TYPE = 0x60;
export const enum Extern { func = 0x00, table = 0x01, memory = 0x02 }
export const FUNCREF = 0x70;
export const MUT = 0x01; // a global's mutability: var
export const LIMITS_MIN = 0x00; // memory limits with a minimum and no maximum

/** A name as the binary format stores it (§5.2.4): length, then the bytes (ASCII here). */
export function name(s: string): number[] {
  const out: number[] = [];
  uleb(out, s.length);
  for (const ch of s) out.push(ch.charCodeAt(0));
  return out;
}

export function uleb(out: number[], v: number): void {
  v >>>= 0;
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
}
/** v as a LEB128 of five bytes, the most a u32 takes (§5.2.2 allows the padding):
 *  a number patched in place later (read5, write5), as a global's index. */
export function uleb5(out: number[], v: number): void {
  const at = out.length;
  out.push(0, 0, 0, 0, 0);
  write5(out, at, v);
}
export function read5(b: ArrayLike<number>, at: number): number {
  let v = 0;
  for (let k = 0; k < 5; k++) v |= (b[at + k] & 0x7f) << (7 * k);
  return v >>> 0;
}
export function write5(b: number[] | Uint8Array, at: number, v: number): void {
  for (let k = 0; k < 4; k++) b[at + k] = ((v >>> (7 * k)) & 0x7f) | 0x80;
  b[at + 4] = (v >>> 28) & 0x0f;
}
export function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && (b & 0x40))) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Whether this engine has wasm tail calls (block chaining needs them). */
export function tailCalls(): boolean {
  // (import "m" "f" (func (param i32) (result i32))) (func (param i32) (result i32) local.get 0 return_call 0)
  const probe = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, I32, 1, I32, 2, 7, 1, 1, 0x6d, 1, 0x66, 0, 0,
    3, 2, 1, 0, 10, 8, 1, 6, 0, 0x20, 0, 0x12, 0, 0x0b];
  try { new WebAssembly.Module(new Uint8Array(probe)); return true; } catch { return false; }
}
