// Segment register moves: MOV Sreg, MOV r/m16 Sreg (SDM vol. 2 MOV).

import { S_CS, S_SS, OFF_INHIBIT_IRQ, segSel, setReg32 } from "./state";
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
  if (seg == S_SS) store<u32>(OFF_INHIBIT_IRQ, 1);
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
