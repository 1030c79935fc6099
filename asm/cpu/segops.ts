// Segment register moves: MOV Sreg, MOV r/m16 Sreg (SDM vol. 2 MOV).

import { S_CS, S_SS, OFF_INHIBIT_IRQ, segSel, setReg32, needAttention } from "./state";
import { modrm, readE16, writeE16, isRegForm } from "./decode";
import { raiseUD, faultPending } from "./fault";
import { loadSegment } from "./segments";

/** MOV Sreg, r/m16. Loading CS this way is #UD; a load of SS inhibits interrupts
 *  (and debug traps) until after the next instruction (SDM vol. 2 MOV). */
export function mov_Sw_Ew(): void {
  let seg = <i32>((modrm >> 3) & 7);
  if (seg == S_CS || seg > 5) { raiseUD(); return; }
  let v = readE16();
  if (faultPending) return;
  if (!loadSegment(seg, v)) return;
  if (seg == S_SS) { store<u32>(OFF_INHIBIT_IRQ, 2); needAttention(); } // 2: MOV SS (VMX tells it from STI's 1)
}

/** MOV r/m, Sreg: a register destination with a 32-bit operand size gets the
 *  selector zero-extended (P6 and later), a memory destination is 16 bits. */
export function mov_Ev_Sw16(): void {
  let seg = <i32>((modrm >> 3) & 7);
  if (seg > 5) { raiseUD(); return; }
  writeE16(segSel(seg));
}
export function mov_Ev_Sw32(): void {
  let seg = <i32>((modrm >> 3) & 7);
  if (seg > 5) { raiseUD(); return; }
  if (isRegForm()) setReg32(modrm & 7, segSel(seg)); else writeE16(segSel(seg));
}

// LDS, LES, LSS, LFS, LGS r, m16:16/m16:32 (SDM vol. 2 LDS/LES/LFS/LGS/LSS):
// the selector is loaded (with its checks) before the register is written; a
// register operand is #UD.
import { opsize32, readM16, readM32, writeG16, writeG32 } from "./decode";
import { S_ES, S_DS, S_FS, S_GS } from "./state";

function loadFarPointer(seg: i32): void {
  if (isRegForm()) { raiseUD(); return; }
  let off = opsize32 ? readM32(0) : readM16(0);
  let sel = readM16(opsize32 ? 4 : 2);
  if (faultPending) return;
  if (!loadSegment(seg, sel)) return;
  if (opsize32) writeG32(off); else writeG16(off);
}
export function les_Gv_Mp16(): void { loadFarPointer(S_ES); }
export function les_Gv_Mp32(): void { loadFarPointer(S_ES); }
export function lds_Gv_Mp16(): void { loadFarPointer(S_DS); }
export function lds_Gv_Mp32(): void { loadFarPointer(S_DS); }
export function lss_Gv_Mp16(): void { loadFarPointer(S_SS); }
export function lss_Gv_Mp32(): void { loadFarPointer(S_SS); }
export function lfs_Gv_Mp16(): void { loadFarPointer(S_FS); }
export function lfs_Gv_Mp32(): void { loadFarPointer(S_FS); }
export function lgs_Gv_Mp16(): void { loadFarPointer(S_GS); }
export function lgs_Gv_Mp32(): void { loadFarPointer(S_GS); }
