// Interrupt and exception delivery (SDM vol. 3 ch. 6): real mode through the IVT
// (§20.1.4); protected and virtual-8086 mode through the IDT (idt.ts).

import {
  OFF_IDTR_BASE, OFF_IDTR_LIMIT, OFF_EFLAGS, S_CS, IF, TF, AC, RF, segSel, getEip, setEip,
} from "./state";
import { getEflags } from "./flags";
import { push16, checkWrite, getSP } from "./mem";
import { raiseGP } from "./fault";
import { readLin16 } from "../mmu/linear";
import { protectedMode, loadSegmentReal } from "./segments";
import { deliverProtected } from "./idt";

// How an interrupt came about; decides privilege checks and error codes.
export const INT_EXT: u32 = 0;       // external (PIC/APIC) or NMI
export const INT_SOFT: u32 = 1;      // INT n: gate DPL checked, IOPL-sensitive in v8086 mode
export const INT_EXC: u32 = 2;       // processor exception
export const INT_SOFT_EXC: u32 = 3;  // INT3, INTO: gate DPL checked, not IOPL-sensitive
export const INT_ICEBP: u32 = 4;     // INT1 (F1): delivered like an external event, no DPL check

/** Deliver `vector`. On return either the handler is entered (CS:EIP, stack and
 *  flags updated) or a fault is pending (fault.ts) and the caller unwinds. */
export function deliverInterrupt(vector: u32, kind: u32, error: u32, hasError: bool): void {
  if (protectedMode()) { deliverProtected(vector, kind, error, hasError); return; }
  // Real mode: FLAGS, CS, IP pushed; CS:IP from the 4-byte IVT entry.
  let entry = vector << 2;
  if (entry + 3 > load<u32>(OFF_IDTR_LIMIT)) { raiseGP(0); return; }
  if (!checkWrite(2 /* SS */, (getSP() - 6) & 0xffff, 6)) return;
  let base = load<u32>(OFF_IDTR_BASE);
  let ip = readLin16(base + entry);
  let cs = readLin16(base + entry + 2);
  push16(getEflags());
  push16(segSel(S_CS));
  push16(getEip());
  store<u32>(OFF_EFLAGS, load<u32>(OFF_EFLAGS) & ~(IF | TF | AC | RF));
  loadSegmentReal(S_CS, cs);
  setEip(ip);
}
