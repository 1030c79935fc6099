// Intel 82093AA I/O APIC at 0xFEC00000 (82093AA datasheet, register description: IOREGSEL at +0x00,
// IOWIN at +0x10; IOAPICID, IOAPICVER (24 entries), IOAPICARB, and the 24
// redirection table entries with vector, delivery mode, destination mode,
// delivery status, polarity, remote IRR, trigger mode, mask and destination).
// Edge-triggered inputs deliver on a rising edge; level-triggered ones deliver
// while asserted and remote IRR is clear, and the local APIC's EOI for that
// vector clears remote IRR (and re-delivers if the line is still asserted).
// Wiring as QEMU's pc machine: ISA IRQ n -> pin n except IRQ0 -> pin 2; PIIX3
// PIRQA-D -> pins 16-19.
// Not modelled: input polarity (lines arrive active high, as QEMU delivers
// them), NMI/SMI/INIT/ExtINT delivery modes (only fixed and lowest priority,
// both to the one CPU), the APIC bus arbitration, register 0x03 (PIIX4's).

import { slotAddr, SLOT_IOAPIC } from "./slots";
import { lapicAccept, lapicMatches } from "./lapic";

const IO_SEL: u32 = 0;
const IO_ID: u32 = 4;
const IO_LEVELS: u32 = 8;     // u32 pin levels
const IO_RED: u32 = 0x10;     // 24 x u64
const PINS: u32 = 24;

@inline function ia(f: u32): u32 { return slotAddr(SLOT_IOAPIC) + f; }
@inline function ent(pin: u32): u64 { return load<u64>(ia(IO_RED + (pin << 3))); }
@inline function setEnt(pin: u32, e: u64): void { store<u64>(ia(IO_RED + (pin << 3)), e); }

const MASK: u64 = 1 << 16;
const LEVEL: u64 = 1 << 15;
const REMOTE_IRR: u64 = 1 << 14;

export function ioapicReset(): void {
  memory.fill(slotAddr(SLOT_IOAPIC), 0, 0x100);
  for (let p: u32 = 0; p < PINS; p++) setEnt(p, MASK);
}

function deliver(pin: u32): void {
  let e = ent(pin);
  let mode = <u32>(e >> 8) & 7;
  if (mode != 0 && mode != 1) return;
  let dest = <u32>(e >> 56);
  if (!lapicMatches(dest, (e & (1 << 11)) != 0)) return;
  if (e & LEVEL) setEnt(pin, e | REMOTE_IRR);
  lapicAccept(<u32>e & 0xff, (e & LEVEL) != 0);
}

function service(pin: u32): void {
  let e = ent(pin);
  if (e & MASK) return;
  let up = (load<u32>(ia(IO_LEVELS)) & (1 << pin)) != 0;
  if ((e & LEVEL) && up && !(e & REMOTE_IRR)) deliver(pin);
}

export function ioapicSetIrq(pin: u32, level: bool): void {
  if (pin >= PINS) return;
  let lv = load<u32>(ia(IO_LEVELS));
  let bit: u32 = 1 << pin;
  let was = (lv & bit) != 0;
  store<u32>(ia(IO_LEVELS), level ? lv | bit : lv & ~bit);
  let e = ent(pin);
  if (e & MASK) return;
  if (e & LEVEL) service(pin);
  else if (level && !was) deliver(pin);
}

/** EOI broadcast from the local APIC for a level-triggered `vector`. */
export function ioapicEoi(vector: u32): void {
  for (let p: u32 = 0; p < PINS; p++) {
    let e = ent(p);
    if ((<u32>e & 0xff) == vector && (e & REMOTE_IRR)) {
      setEnt(p, e & ~REMOTE_IRR);
      service(p);
    }
  }
}

function readReg(r: u32): u32 {
  if (r == 0) return load<u32>(ia(IO_ID));
  if (r == 1) return 0x00170011;          // version 0x11, 24 entries
  if (r == 2) return load<u32>(ia(IO_ID)); // arbitration ID follows the APIC ID
  if (r >= 0x10 && r < 0x10 + PINS * 2) {
    let e = ent((r - 0x10) >> 1);
    return (r & 1) ? <u32>(e >> 32) : <u32>e;
  }
  return 0;
}

function writeReg(r: u32, v: u32): void {
  if (r == 0) { store<u32>(ia(IO_ID), v & 0x0f000000); return; }
  if (r >= 0x10 && r < 0x10 + PINS * 2) {
    let pin = (r - 0x10) >> 1;
    let e = ent(pin);
    if (r & 1) e = (e & 0xffffffff) | (<u64>(v & 0xff000000) << 32);
    else {
      // delivery status (12) and remote IRR (14) are read-only
      let keep: u64 = (e & 0xffffffff00000000) | (e & REMOTE_IRR);
      e = keep | <u64>(v & 0x1afff);
      if ((e & LEVEL) == 0) e &= ~REMOTE_IRR;
    }
    setEnt(pin, e);
    service(pin);
  }
}

export function ioapicRead(addr: u32): u32 {
  let off = addr & 0xff;
  if (off == 0x00) return load<u32>(ia(IO_SEL));
  if (off == 0x10) return readReg(load<u32>(ia(IO_SEL)) & 0xff);
  return 0;
}
export function ioapicWrite(addr: u32, v: u32): void {
  let off = addr & 0xff;
  if (off == 0x00) store<u32>(ia(IO_SEL), v & 0xff);
  else if (off == 0x10) writeReg(load<u32>(ia(IO_SEL)) & 0xff, v);
}
