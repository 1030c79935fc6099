// CLI and STI (SDM vol. 2 CLI, STI; vol. 3 §20.2.7 for virtual-8086 mode). IF may
// be changed in real mode, in protected mode with CPL <= IOPL, and in v8086 mode
// with IOPL = 3; otherwise #GP(0) (CR4.VME/PVI and the virtual flags VIF/VIP are
// not modelled). STI that sets IF holds off interrupts until after the next
// instruction (OFF_INHIBIT_IRQ, consumed by exec.ts runCpu).

import { OFF_EFLAGS, OFF_INHIBIT_IRQ, IF, IOPL_MASK, VM, getCpl, needAttention } from "./state";
import { raiseGP } from "./fault";
import { protectedMode } from "./segments";

@inline function ifWritable(): bool {
  if (!protectedMode()) return true;
  let f = load<u32>(OFF_EFLAGS);
  let iopl = (f & IOPL_MASK) >> 12;
  if (f & VM) return iopl == 3;
  return getCpl() <= iopl;
}

export function cli(): void {
  if (!ifWritable()) { raiseGP(0); return; }
  store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~IF);
}

export function sti(): void {
  if (!ifWritable()) { raiseGP(0); return; }
  let f = load<u32>(OFF_EFLAGS);
  if (!(f & IF)) {
    store<u32>(OFF_EFLAGS, f | IF);
    store<u32>(OFF_INHIBIT_IRQ, 1);
    needAttention();
  }
}
