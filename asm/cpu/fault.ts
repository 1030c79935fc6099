// Faults as values (STYLE.md): an instruction that faults records the vector and
// error code here and returns; memory reads then yield 0 and writes are dropped
// until exec.ts unwinds the instruction (restoring the shadowed state) and
// delivers the exception. Nothing throws across the wasm boundary.

import { OFF_CR2 } from "./state";

export const DE: u32 = 0;  // divide error
export const DB: u32 = 1;  // debug
export const NMI: u32 = 2;
export const BP: u32 = 3;  // breakpoint (INT3)
export const OV: u32 = 4;  // overflow (INTO)
export const BR: u32 = 5;  // BOUND range exceeded
export const UD: u32 = 6;  // invalid opcode
export const NM: u32 = 7;  // device not available
export const DF: u32 = 8;  // double fault
export const TS: u32 = 10; // invalid TSS
export const NP: u32 = 11; // segment not present
export const SS: u32 = 12; // stack-segment fault
export const GP: u32 = 13; // general protection
export const PF: u32 = 14; // page fault
export const MF: u32 = 16; // x87 floating-point error
export const AC: u32 = 17; // alignment check

export let faultPending: bool = false;
export let faultVector: u32 = 0;
export let faultError: u32 = 0;
export let faultHasError: bool = false;

/** Record a fault. The first fault of an instruction wins; later ones are
 *  consequences of the values returned after it and are ignored. */
export function raise(vector: u32, error: u32, hasError: bool): void {
  if (faultPending) return;
  faultPending = true;
  faultVector = vector;
  faultError = error;
  faultHasError = hasError;
}

export function clearFault(): void { faultPending = false; }

@inline export function raiseUD(): void { raise(UD, 0, false); }
@inline export function raiseDE(): void { raise(DE, 0, false); }
@inline export function raiseNM(): void { raise(NM, 0, false); }
@inline export function raiseGP(error: u32): void { raise(GP, error, true); }
@inline export function raiseSS(error: u32): void { raise(SS, error, true); }
@inline export function raiseNP(error: u32): void { raise(NP, error, true); }
@inline export function raiseTS(error: u32): void { raise(TS, error, true); }

/** #PF: CR2 takes the faulting linear address (SDM vol. 3 §4.7). */
export let prevCr2: u32 = 0; // CR2 before the last #PF: a #PF that VM-exits leaves CR2 alone (vmxexit.ts)
export function raisePF(linear: u32, error: u32): void {
  if (faultPending) return;
  prevCr2 = load<u32>(OFF_CR2);
  store<u32>(OFF_CR2, linear);
  raise(PF, error, true);
}
