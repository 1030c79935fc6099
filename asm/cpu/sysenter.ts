// SYSENTER and SYSEXIT (SDM vol. 2 SYSENTER, SYSEXIT; vol. 3 §5.8.7): fast calls
// to CPL 0 and back to CPL 3 with flat segments derived from IA32_SYSENTER_CS
// (state.ts OFF_SYSENTER_*; the MSRs are written by WRMSR in system.ts). The
// descriptors in the GDT are not read: the caches are set to fixed flat values.

import {
  OFF_EFLAGS, OFF_SYSENTER_CS, OFF_SYSENTER_ESP, OFF_SYSENTER_EIP, S_CS, S_SS, R_ECX, R_EDX, R_ESP,
  VM, IF, RF, ATTR_S, ATTR_CODE, ATTR_RW, ATTR_ACCESSED, ATTR_P, ATTR_DB, ATTR_G, ATTR_DPL_SHIFT,
  getCpl, reg32, setReg32, setEip,
} from "./state";
import { raiseGP } from "./fault";
import { protectedMode, setSegmentCache, setCpl, csChanged, refreshSegmentRanges } from "./segments";
import { setEflagsRaw } from "./idt";
import { getEflags } from "./flags";

const FLAT: u32 = ATTR_S | ATTR_P | ATTR_DB | ATTR_G | ATTR_ACCESSED;

export function sysenter(): void {
  let cs = load<u32>(OFF_SYSENTER_CS) & 0xffff;
  if (!protectedMode() || (cs & 0xfffc) == 0) { raiseGP(0); return; }
  let wasVm = (load<u32>(OFF_EFLAGS) & VM) != 0;
  setEflagsRaw(getEflags() & ~(VM | IF | RF));
  setCpl(0);
  setSegmentCache(S_CS, cs & 0xfffc, 0, 0xffffffff, FLAT | ATTR_CODE | ATTR_RW, true);
  setSegmentCache(S_SS, (cs + 8) & 0xfffc, 0, 0xffffffff, FLAT | ATTR_RW, true);
  if (wasVm) refreshSegmentRanges();
  csChanged();
  setReg32(R_ESP, load<u32>(OFF_SYSENTER_ESP));
  setEip(load<u32>(OFF_SYSENTER_EIP));
}

export function sysexit(): void {
  let cs = load<u32>(OFF_SYSENTER_CS) & 0xffff;
  if (!protectedMode() || (load<u32>(OFF_EFLAGS) & VM) || getCpl() != 0 || (cs & 0xfffc) == 0) {
    raiseGP(0); return;
  }
  let dpl3: u32 = 3 << ATTR_DPL_SHIFT;
  setCpl(3);
  setSegmentCache(S_CS, ((cs + 16) & 0xfffc) | 3, 0, 0xffffffff, FLAT | dpl3 | ATTR_CODE | ATTR_RW, true);
  setSegmentCache(S_SS, ((cs + 24) & 0xfffc) | 3, 0, 0xffffffff, FLAT | dpl3 | ATTR_RW, true);
  csChanged();
  setReg32(R_ESP, reg32(R_ECX));
  setEip(reg32(R_EDX));
}
