// The event timeline for the lab bench: what a student wants to see happen, in
// a ring buffer the host reads (web/host/events.ts decodes it). Recorded where
// the CPU already does the work - interrupt delivery, CPL changes, CR0/CR3
// loads, EFLAGS.VM changes, task switches - never per instruction, so it costs
// nothing on the instruction path. An event kind can also stop the machine
// (teaching breakpoints: "stop at the next #PF", "stop on a ring change").
//
// Layout at EVENTS (layout.ts):
//   +0  u32 total events recorded since power-on (entry = total % EV_CAPACITY)
//   +4  u32 kinds that stop the machine (bit 1 << EV_*)
//   +8  u32 exception vectors that stop it when EV_EXCEPTION does (0: all)
//   +12 u32 the total at the event that stopped it last (its entry: total - 1)
//   +64 EV_CAPACITY entries of EV_SIZE bytes:
//       +0  u64 instruction count
//       +8  u32 kind (EV_*)
//       +12 u32 EIP when recorded (faults: the faulting instruction; interrupts
//               and traps: where execution resumes; ring and mode changes: as
//               the instruction that made them left it)
//       +16 u32 CS selector then
//       +20 u32 a, +24 u32 b, +28 u32 c: per kind, below

import { EVENTS } from "../layout";
import { OFF_ICOUNT, OFF_EIP, OFF_SEGS, SEG_SIZE, SEGF_SEL, S_CS } from "./state";
import { hostEventHit } from "./hostdebug";
import { requestStop, stopReason, STOP_BREAKPOINT } from "./exec";

export const EV_EXCEPTION: u32 = 1;  // a vector, b error code (EV_NO_ERROR: none), c CR2
export const EV_INTERRUPT: u32 = 2;  // a vector (external: PIC/APIC)
export const EV_SOFTINT: u32 = 3;    // a vector (INT n, INT3, INTO, INT1)
export const EV_RING: u32 = 4;       // a CPL before, b CPL after
export const EV_MODE: u32 = 5;       // a CR0 before, b CR0 after (PE or PG changed)
export const EV_CR3: u32 = 6;        // a CR3 before, b CR3 after
export const EV_TASK: u32 = 7;       // a new TSS selector, b reason (task.ts TS_*)
export const EV_V86: u32 = 8;        // a 1 entering virtual-8086 mode, 0 leaving
export const EV_VMENTRY: u32 = 9;    // a 1 VMLAUNCH, 0 VMRESUME; b the guest's RIP (vmxentry.ts)
export const EV_VMEXIT: u32 = 10;    // a exit reason (bit 31: a failed entry), b qualification, c the guest's RIP
export const EV_NO_ERROR: u32 = 0xffffffff;

export const EV_CAPACITY: u32 = 4096;
export const EV_SIZE: u32 = 32;
const EV_TOTAL: u32 = EVENTS;
const EV_STOP_KINDS: u32 = EVENTS + 4;
const EV_STOP_VECTORS: u32 = EVENTS + 8;
const EV_STOP_AT: u32 = EVENTS + 12;
export const EV_ENTRIES: u32 = EVENTS + 64;

/** Append an event; stop the machine if its kind is one the host asked for. */
export function recordEvent(kind: u32, a: u32, b: u32, c: u32): void {
  let total = load<u32>(EV_TOTAL);
  let e = EV_ENTRIES + (total & (EV_CAPACITY - 1)) * EV_SIZE;
  store<u64>(e, load<u64>(OFF_ICOUNT));
  store<u32>(e + 8, kind);
  store<u32>(e + 12, load<u32>(OFF_EIP));
  store<u32>(e + 16, load<u32>(OFF_SEGS + S_CS * SEG_SIZE + SEGF_SEL));
  store<u32>(e + 20, a);
  store<u32>(e + 24, b);
  store<u32>(e + 28, c);
  store<u32>(EV_TOTAL, total + 1);
  let stops = load<u32>(EV_STOP_KINDS);
  if ((stops & (1 << kind)) == 0) return;
  if (kind == EV_EXCEPTION) {
    let vectors = load<u32>(EV_STOP_VECTORS);
    if (vectors != 0 && (a >= 32 || (vectors & (1 << a)) == 0)) return;
  }
  // The first stop asked for in an instruction is the one reported: a VM entry
  // whose guest exits at once (entry, INT, exit in one instruction) stops at
  // the entry, with the rest after it in the timeline.
  if (stopReason != 0) return;
  store<u32>(EV_STOP_AT, total + 1);
  hostEventHit(load<u32>(OFF_EIP));
  requestStop(STOP_BREAKPOINT);
}

/** Power-on: an empty timeline; the stop settings are the host's and stay. */
export function eventsReset(): void { store<u32>(EV_TOTAL, 0); store<u32>(EV_STOP_AT, 0); }
