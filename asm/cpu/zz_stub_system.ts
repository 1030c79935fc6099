// TEMPORARY STUB, to be deleted at merge: minimal MOV to/from CR0/CR2/CR3/CR4 so
// that the protection tests of this branch can enter protected mode before the
// system family's system.ts (which owns mov_Cd_Rd / mov_Rd_Cd) is merged. If
// both are present the generator stops with "handler exported twice": delete
// this file then.

import { OFF_CR0, OFF_CR2, OFF_CR3, OFF_CR4, getCpl, reg32, setReg32 } from "./state";
import { modrm } from "./decode";
import { raiseGP, raiseUD } from "./fault";
import { protectedMode, refreshSegmentRanges, csChanged } from "./segments";
import { tlbFlush } from "../mmu/paging";

export function mov_Cd_Rd(): void {
  if (protectedMode() && getCpl() != 0) { raiseGP(0); return; }
  let n = (modrm >> 3) & 7, v = reg32(modrm & 7);
  if (n == 0) { store<u32>(OFF_CR0, v | 0x10); refreshSegmentRanges(); csChanged(); tlbFlush(false); }
  else if (n == 2) store<u32>(OFF_CR2, v);
  else if (n == 3) { store<u32>(OFF_CR3, v); tlbFlush(false); }
  else if (n == 4) { store<u32>(OFF_CR4, v); tlbFlush(false); }
  else raiseUD();
}
export function mov_Rd_Cd(): void {
  if (protectedMode() && getCpl() != 0) { raiseGP(0); return; }
  let n = (modrm >> 3) & 7;
  if (n == 0) setReg32(modrm & 7, load<u32>(OFF_CR0));
  else if (n == 2) setReg32(modrm & 7, load<u32>(OFF_CR2));
  else if (n == 3) setReg32(modrm & 7, load<u32>(OFF_CR3));
  else if (n == 4) setReg32(modrm & 7, load<u32>(OFF_CR4));
  else raiseUD();
}
