// CLI and STI (SDM vol. 2 CLI, STI and their decision tables; vol. 3 §20.2.7,
// §20.3.2 and §20.4 for virtual-8086 mode and protected-mode virtual interrupts).
// IF may be changed in real mode, and in protected mode (v8086 mode: CPL 3) with
// CPL <= IOPL. Otherwise, in v8086 mode with CR4.VME or at CPL 3 with CR4.PVI
// (outside v8086 mode), the instruction works on VIF instead and IF stays; STI
// raises #GP(0) if VIP is set. Everything else is #GP(0). STI that sets IF holds
// off interrupts until after the next instruction (OFF_INHIBIT_IRQ, consumed by
// exec.ts runCpu); setting VIF masks nothing, so it holds off nothing.

import { OFF_EFLAGS, OFF_INHIBIT_IRQ, IF, IOPL_MASK, VM, VIF, VIP, CR4_VME, CR4_PVI, getCpl, cr4, needAttention } from "./state";
import { raiseGP } from "./fault";
import { protectedMode } from "./segments";

const IF_REAL: u32 = 0;  // IF itself may change
const IF_VIRT: u32 = 1;  // VIF stands in for IF (VME or PVI)
const IF_FAULT: u32 = 2; // #GP(0)

/** Which flag CLI/STI change here (the decision tables of SDM vol. 2 CLI, STI). */
@inline function ifTarget(): u32 {
  if (!protectedMode()) return IF_REAL;
  let f = load<u32>(OFF_EFLAGS);
  let iopl = (f & IOPL_MASK) >> 12;
  let cpl: u32 = (f & VM) ? 3 : getCpl();
  if (cpl <= iopl) return IF_REAL;
  let c4 = cr4();
  if (f & VM) return (c4 & CR4_VME) ? IF_VIRT : IF_FAULT;
  return (cpl == 3 && (c4 & CR4_PVI)) ? IF_VIRT : IF_FAULT;
}

export function cli(): void {
  let t = ifTarget();
  if (t == IF_FAULT) { raiseGP(0); return; }
  store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~(t == IF_VIRT ? VIF : IF));
}

export function sti(): void {
  let t = ifTarget();
  if (t == IF_FAULT) { raiseGP(0); return; }
  let f = load<u32>(OFF_EFLAGS);
  if (t == IF_VIRT) {
    if (f & VIP) { raiseGP(0); return; }
    store<u32>(OFF_EFLAGS, f | VIF);
    return;
  }
  if (!(f & IF)) {
    store<u32>(OFF_EFLAGS, f | IF);
    store<u32>(OFF_INHIBIT_IRQ, 1);
    needAttention();
  }
}
