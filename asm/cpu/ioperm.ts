// I/O permission: IOPL and the TSS I/O permission bitmap (SDM vol. 1 §19.5).
// In protected mode with CPL > IOPL, and always in virtual-8086 mode, every bit
// for the accessed ports must be clear in the bitmap of a 32-bit TSS.

import { OFF_EFLAGS, S_TR, IOPL_MASK, VM, segBase, segLimit, segAttr, getCpl } from "./state";
import { protectedMode } from "./segments";
import { readSys16 } from "../mmu/linear";
import { raiseGP, faultPending } from "./fault";

/** true when the access may proceed; otherwise #GP(0) is raised. */
export function ioAllowed(port: u32, size: u32): bool {
  if (!protectedMode()) return true;
  let fl = load<u32>(OFF_EFLAGS);
  if (!(fl & VM) && getCpl() <= ((fl & IOPL_MASK) >> 12)) return true;
  // Only a 32-bit TSS (type 9/11) has a bitmap.
  let type = segAttr(S_TR) & 0xf;
  if (type != 9 && type != 11) { raiseGP(0); return false; }
  let base = segBase(S_TR), limit = segLimit(S_TR);
  if (limit < 0x67) { raiseGP(0); return false; }
  let mapOff = readSys16(base + 0x66);
  if (faultPending) return false;
  let byteOff = mapOff + (port >> 3);
  if (byteOff + 1 > limit) { raiseGP(0); return false; }
  let bits = readSys16(base + byteOff);
  if (faultPending) return false;
  let mask: u32 = ((1 << size) - 1) << (port & 7);
  if (bits & mask) { raiseGP(0); return false; }
  return true;
}
