// National Semiconductor PC16550D UART (COM1-COM4 on the PC). Follows the
// PC16550D datasheet: register map with the divisor latch (LCR.DLAB), 16-byte
// receive and transmit FIFOs (FCR enable/reset, receiver trigger levels 1/4/8/14),
// the interrupt identification priorities of table 4 (line status > received
// data / character timeout > THR empty > modem status), LSR and MSR bits with
// their clear-on-read behaviour, loopback mode (MCR bit 4) with the modem outputs
// looped to the inputs, and the scratch register.
// Transmission is instantaneous: a byte written to THR leaves at once (into the
// host ring for COM1, nowhere for the others, or into the receiver in loopback),
// so THRE/TEMT read back set. Reception takes bytes from the host ring between
// CPU slices. The character timeout uses the programmed baud rate and frame.
// The IRQ line follows the interrupt output (IIR bit 0 clear) whatever MCR says,
// as QEMU's 16550 does (hw/char/serial.c raises its IRQ from the IIR alone): PC
// boards gate INTRPT with OUT2 and loopback forces OUT2 inactive, but xv6 leaves
// MCR = 0 and still expects its receive interrupts, which QEMU delivers.
// Not modelled: parity/framing/break errors (no line noise to report), the
// transmitter's baud-rate pacing, DMA mode signals (FCR bit 3), RXRDY/TXRDY pins.

import { slotAddr, SLOT_UART0 } from "./slots";
import { clockNow, NEVER } from "../clock";
import { ringPop, ringPush, ringUsed, RING_CAP, RING_COM1_TX, RING_COM1_RX, RING_COM2_RX } from "../rings";
import { requestStop, STOP_OUTPUT } from "../cpu/exec";

const U_RBR_FIFO: u32 = 0;   // 16 bytes
const U_RX_HEAD: u32 = 16;
const U_RX_COUNT: u32 = 17;
const U_IER: u32 = 18;
const U_FCR: u32 = 19;       // bits 0 (enable) and 7..6 (trigger) as written
const U_LCR: u32 = 20;
const U_MCR: u32 = 21;
const U_LSR: u32 = 22;       // error bits (1..4) only; DR/THRE/TEMT computed
const U_MSR: u32 = 23;       // delta bits (0..3) only; the state bits computed
const U_SCR: u32 = 24;
const U_DLL: u32 = 25;
const U_DLM: u32 = 26;
const U_THRI: u32 = 27;      // THR-empty interrupt pending
const U_IRQ: u32 = 28;       // last IRQ output level
const U_TIMEOUT: u32 = 29;   // character timeout indicated
const U_LAST_MSR: u32 = 30;  // last modem input state (for the deltas)
const U_RX_TIME: u32 = 32;   // u64 ns of the last receive FIFO activity

@inline function ua(n: u32, f: u32): u32 { return slotAddr(SLOT_UART0 + n) + f; }
@inline function g(n: u32, f: u32): u32 { return <u32>load<u8>(ua(n, f)); }
@inline function s(n: u32, f: u32, v: u32): void { store<u8>(ua(n, f), <u8>v); }

type IrqOut = (uart: u32, level: bool) => void;
function noIrq(uart: u32, level: bool): void {}
let irqOut: IrqOut = noIrq;
export function uartSetIrq(f: IrqOut): void { irqOut = f; }

export function uartReset(n: u32): void {
  memory.fill(slotAddr(SLOT_UART0 + n), 0, 256);
  s(n, U_DLL, 0x0c); // 9600 baud, as many BIOSes leave it; any value is legal
  s(n, U_THRI, 0);
  s(n, U_LAST_MSR, modemInputs(n));
  store<u64>(ua(n, U_RX_TIME), clockNow());
}

@inline function fifoOn(n: u32): bool { return (g(n, U_FCR) & 1) != 0; }
@inline function rxCap(n: u32): u32 { return fifoOn(n) ? 16 : 1; }
function trigger(n: u32): u32 {
  switch (g(n, U_FCR) >> 6) { case 0: return 1; case 1: return 4; case 2: return 8; default: return 14; }
}

/** CTS DSR RI DCD (MSR bits 4..7) as the line presents them. */
function modemInputs(n: u32): u32 {
  let mcr = g(n, U_MCR);
  if (mcr & 0x10) {
    // loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD
    return ((mcr & 2) << 3) | ((mcr & 1) << 5) | ((mcr & 4) << 4) | ((mcr & 8) << 4);
  }
  // A connected null-modem line: CTS, DSR and DCD asserted (as QEMU reports).
  return 0xb0;
}

function modemChanged(n: u32): void {
  let now = modemInputs(n), old = g(n, U_LAST_MSR);
  let d: u32 = 0;
  if ((now ^ old) & 0x10) d |= 1;           // DCTS
  if ((now ^ old) & 0x20) d |= 2;           // DDSR
  if ((old & 0x40) && !(now & 0x40)) d |= 4; // TERI: RI trailing edge
  if ((now ^ old) & 0x80) d |= 8;           // DDCD
  s(n, U_MSR, g(n, U_MSR) | d);
  s(n, U_LAST_MSR, now);
}

/** Nanoseconds per character frame (start + data + parity + stop bits). */
function charTime(n: u32): u64 {
  let lcr = g(n, U_LCR);
  let bits: u64 = 1 + 5 + <u64>(lcr & 3) + ((lcr & 8) ? 1 : 0) + ((lcr & 4) ? 2 : 1);
  let div: u64 = <u64>(g(n, U_DLL) | (g(n, U_DLM) << 8));
  if (div == 0) div = 0x10000;
  // baud = 1.8432 MHz / (16 * divisor)
  return bits * div * 16 * 1000000000 / 1843200;
}

function iirValue(n: u32): u32 {
  let ier = g(n, U_IER);
  let lsr = g(n, U_LSR);
  let cnt = g(n, U_RX_COUNT);
  if ((ier & 4) && (lsr & 0x1e)) return 0x06;
  if (ier & 1) {
    if (fifoOn(n)) {
      if (cnt >= trigger(n)) return 0x04;
      if (g(n, U_TIMEOUT) && cnt > 0) return 0x0c;
    } else if (cnt > 0) return 0x04;
  }
  if ((ier & 2) && g(n, U_THRI)) return 0x02;
  if ((ier & 8) && (g(n, U_MSR) & 0x0f)) return 0x00;
  return 0x01;
}

function updateIrq(n: u32): void {
  // not gated by MCR OUT2 (see the opening comment)
  let level = (iirValue(n) & 1) == 0;
  if ((g(n, U_IRQ) != 0) != level) { s(n, U_IRQ, level ? 1 : 0); irqOut(n, level); }
}

function rxPush(n: u32, b: u32): void {
  let cnt = g(n, U_RX_COUNT);
  if (cnt >= rxCap(n)) {
    // overrun: the FIFO keeps its contents (non-FIFO mode: RBR is overwritten)
    s(n, U_LSR, g(n, U_LSR) | 0x02);
    if (!fifoOn(n)) store<u8>(ua(n, U_RBR_FIFO + g(n, U_RX_HEAD)), <u8>b);
    return;
  }
  store<u8>(ua(n, U_RBR_FIFO + ((g(n, U_RX_HEAD) + cnt) & 15)), <u8>b);
  s(n, U_RX_COUNT, cnt + 1);
  s(n, U_TIMEOUT, 0);
  store<u64>(ua(n, U_RX_TIME), clockNow());
}

function transmit(n: u32, b: u32): void {
  if (g(n, U_MCR) & 0x10) { rxPush(n, b); return; }
  if (n == 0) {
    ringPush(RING_COM1_TX, b);
    if (ringUsed(RING_COM1_TX) >= RING_CAP / 2) requestStop(STOP_OUTPUT);
  }
}

export function uartRead(n: u32, reg: u32): u32 {
  let dlab = (g(n, U_LCR) & 0x80) != 0;
  switch (reg & 7) {
    case 0: {
      if (dlab) return g(n, U_DLL);
      let cnt = g(n, U_RX_COUNT);
      if (cnt == 0) return 0;
      let h = g(n, U_RX_HEAD);
      let b = <u32>load<u8>(ua(n, U_RBR_FIFO + h));
      s(n, U_RX_HEAD, (h + 1) & 15);
      s(n, U_RX_COUNT, cnt - 1);
      s(n, U_TIMEOUT, 0);
      store<u64>(ua(n, U_RX_TIME), clockNow());
      if (n == 0) uartPoll(n);
      updateIrq(n);
      return b;
    }
    case 1: return dlab ? g(n, U_DLM) : g(n, U_IER);
    case 2: {
      let iir = iirValue(n);
      // reading IIR while it reports THR empty clears that interrupt
      if (iir == 0x02) { s(n, U_THRI, 0); updateIrq(n); }
      return iir | (fifoOn(n) ? 0xc0 : 0);
    }
    case 3: return g(n, U_LCR);
    case 4: return g(n, U_MCR);
    case 5: {
      let lsr = g(n, U_LSR);
      let v = lsr | 0x60 | (g(n, U_RX_COUNT) > 0 ? 1 : 0);
      // bit 7: an error in the FIFO (only errors we produce are overruns, not in the FIFO)
      s(n, U_LSR, 0);
      if (lsr & 0x1e) updateIrq(n);
      return v;
    }
    case 6: {
      let v = modemInputs(n) | (g(n, U_MSR) & 0x0f);
      s(n, U_MSR, 0);
      updateIrq(n);
      return v;
    }
    default: return g(n, U_SCR);
  }
}

export function uartWrite(n: u32, reg: u32, v: u32): void {
  v &= 0xff;
  let dlab = (g(n, U_LCR) & 0x80) != 0;
  switch (reg & 7) {
    case 0:
      if (dlab) { s(n, U_DLL, v); return; }
      s(n, U_THRI, 0);
      transmit(n, v);
      // the byte left at once: THR is empty again
      s(n, U_THRI, 1);
      break;
    case 1: {
      if (dlab) { s(n, U_DLM, v); return; }
      let old = g(n, U_IER);
      s(n, U_IER, v & 0x0f);
      // enabling the THRE interrupt with THR empty raises it (PC16550D datasheet, IER description; QEMU does the same)
      if ((v & 2) && !(old & 2)) s(n, U_THRI, 1);
      break;
    }
    case 2: {
      let was = fifoOn(n);
      let on = (v & 1) != 0;
      if (was != on || (v & 2)) { s(n, U_RX_COUNT, 0); s(n, U_RX_HEAD, 0); s(n, U_TIMEOUT, 0); }
      // bit 2 resets the transmit FIFO (always empty here): THR empty is
      // signalled again, as QEMU does
      if (v & 4) s(n, U_THRI, 1);
      s(n, U_FCR, on ? (v & 0xc1) : 0);
      break;
    }
    case 3: s(n, U_LCR, v); return;
    case 4: s(n, U_MCR, v & 0x1f); modemChanged(n); break;
    case 5: return; // LSR writes are for factory test
    case 6: return;
    default: s(n, U_SCR, v); return;
  }
  updateIrq(n);
}

/** Take received bytes from the host (COM1 and COM2 have input rings). */
export function uartPoll(n: u32): void {
  if (n <= 1 && (g(n, U_MCR) & 0x10) == 0) {
    let ring = n == 0 ? RING_COM1_RX : RING_COM2_RX;
    while (g(n, U_RX_COUNT) < rxCap(n)) {
      let b = ringPop(ring);
      if (b < 0) break;
      rxPush(n, <u32>b);
    }
  }
}

export function uartUpdate(n: u32, now: u64): void {
  uartPoll(n);
  let cnt = g(n, U_RX_COUNT);
  if (fifoOn(n) && cnt > 0 && !g(n, U_TIMEOUT)) {
    // datasheet: timeout after four character times without FIFO activity
    if (now >= load<u64>(ua(n, U_RX_TIME)) + 4 * charTime(n)) s(n, U_TIMEOUT, 1);
  }
  updateIrq(n);
}

export function uartNextDeadline(n: u32): u64 {
  let cnt = g(n, U_RX_COUNT);
  if (fifoOn(n) && cnt > 0 && cnt < trigger(n) && !g(n, U_TIMEOUT) && (g(n, U_IER) & 1)) {
    return load<u64>(ua(n, U_RX_TIME)) + 4 * charTime(n);
  }
  return NEVER;
}
