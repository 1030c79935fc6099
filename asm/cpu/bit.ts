// Bit test and scan (SDM vol. 2 BT, BTS, BTR, BTC, BSF, BSR).
// BTx: CF = the selected bit; ZF is unaffected; OF SF AF PF are undefined and
// left unchanged. With a register bit offset and a memory operand the offset is
// a signed bit index relative to the operand's address: the word or dword at
// eaOff + (offset >> 4) * 2, resp. (offset >> 5) * 4 (SDM vol. 2 BT, "bit base").
// With an immediate offset (or a register operand) the offset is taken modulo the
// operand width.
// BSF/BSR: ZF = (source == 0); the destination is left unchanged when the source
// is 0 (what P6 processors do; the SDM calls it undefined). Other flags unchanged.

import { CF, ZF } from "./state";
import { setArithFlags } from "./flags";
import {
  imm, modrm, eaSeg, eaOff, addrsize32, readE16, readE32, writeE16, writeE32, readG16, readG32,
  writeG16, writeG32,
} from "./decode";
import { read16, read32, write16, write32 } from "./mem";
import { faultPending } from "./fault";

// Operations: ModRM.reg of 0F BA (4 = BT, 5 = BTS, 6 = BTR, 7 = BTC).
const BT: u32 = 4, BTS: u32 = 5, BTR: u32 = 6, BTC: u32 = 7;

/** Test bit `bit` of v, set CF, and return the value to write back. */
@inline function btOp(op: u32, v: u32, bit: u32): u32 {
  let m: u32 = 1 << bit;
  setArithFlags(CF, (v & m) ? CF : 0);
  switch (op) {
    case BTS: return v | m;
    case BTR: return v & ~m;
    case BTC: return v ^ m;
    default: return v;
  }
}

@inline function bt16(op: u32, bit: u32): void {
  let v = readE16(); if (faultPending) return;
  let r = btOp(op, v, bit & 15);
  if (op != BT) writeE16(r);
}
@inline function bt32(op: u32, bit: u32): void {
  let v = readE32(); if (faultPending) return;
  let r = btOp(op, v, bit & 31);
  if (op != BT) writeE32(r);
}

// Register bit offset: a memory operand is addressed by the signed offset.
@inline function btReg16(op: u32): void {
  let off = readG16();
  if (modrm >= 0xc0) { bt16(op, off); return; }
  let a = (eaOff + ((<u32>(<i32><i16>off >> 4)) << 1)) & (addrsize32 ? 0xffffffff : 0xffff);
  let v = read16(eaSeg, a); if (faultPending) return;
  let r = btOp(op, v, off & 15);
  if (op != BT) write16(eaSeg, a, r);
}
@inline function btReg32(op: u32): void {
  let off = readG32();
  if (modrm >= 0xc0) { bt32(op, off); return; }
  let a = (eaOff + ((<u32>(<i32>off >> 5)) << 2)) & (addrsize32 ? 0xffffffff : 0xffff);
  let v = read32(eaSeg, a); if (faultPending) return;
  let r = btOp(op, v, off & 31);
  if (op != BT) write32(eaSeg, a, r);
}

export function bt_Ev_Gv16(): void { btReg16(BT); }
export function bt_Ev_Gv32(): void { btReg32(BT); }
export function bts_Ev_Gv16(): void { btReg16(BTS); }
export function bts_Ev_Gv32(): void { btReg32(BTS); }
export function btr_Ev_Gv16(): void { btReg16(BTR); }
export function btr_Ev_Gv32(): void { btReg32(BTR); }
export function btc_Ev_Gv16(): void { btReg16(BTC); }
export function btc_Ev_Gv32(): void { btReg32(BTC); }
export function bt_Ev_Ib16(): void { bt16(BT, imm); }
export function bt_Ev_Ib32(): void { bt32(BT, imm); }
export function bts_Ev_Ib16(): void { bt16(BTS, imm); }
export function bts_Ev_Ib32(): void { bt32(BTS, imm); }
export function btr_Ev_Ib16(): void { bt16(BTR, imm); }
export function btr_Ev_Ib32(): void { bt32(BTR, imm); }
export function btc_Ev_Ib16(): void { bt16(BTC, imm); }
export function btc_Ev_Ib32(): void { bt32(BTC, imm); }

export function bsf_Gv_Ev16(): void {
  let v = readE16(); if (faultPending) return;
  if (v == 0) { setArithFlags(ZF, ZF); return; }
  writeG16(ctz<u32>(v)); setArithFlags(ZF, 0);
}
export function bsf_Gv_Ev32(): void {
  let v = readE32(); if (faultPending) return;
  if (v == 0) { setArithFlags(ZF, ZF); return; }
  writeG32(ctz<u32>(v)); setArithFlags(ZF, 0);
}
export function bsr_Gv_Ev16(): void {
  let v = readE16(); if (faultPending) return;
  if (v == 0) { setArithFlags(ZF, ZF); return; }
  writeG16(31 - clz<u32>(v)); setArithFlags(ZF, 0);
}
export function bsr_Gv_Ev32(): void {
  let v = readE32(); if (faultPending) return;
  if (v == 0) { setArithFlags(ZF, ZF); return; }
  writeG32(31 - clz<u32>(v)); setArithFlags(ZF, 0);
}
