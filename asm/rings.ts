// Byte rings between the machine and the host, in linear memory (layout.ts RINGS).
// Ring header: write index, read index (both free-running u32), capacity (power of
// two). The producer only moves the write index and the consumer only the read
// index, so the host can drain a ring between run slices without a call.
// web/host/rings.ts is the host side of the same layout.

import { RINGS } from "./layout";

export const RING_HDR: u32 = 16;
export const RING_DEBUGCON: u32 = 0; // port 0xE9 output
export const RING_COM1_TX: u32 = 1;  // COM1 transmit; run() stops with STOP_OUTPUT past half full
export const RING_COM1_RX: u32 = 2;
export const RING_KBD: u32 = 3;      // host key events in: PS/2 scan code set 2 bytes (dev/i8042.ts)
export const RING_COM2_RX: u32 = 4;  // COM2 receive (the default guest's clock agent reads it)
export const RING_COUNT: u32 = 5;
export const RING_CAP: u32 = 0x2000; // bytes per ring
export const RING_STRIDE: u32 = RING_HDR + RING_CAP;

@inline export function ringAddr(r: u32): u32 { return RINGS + r * RING_STRIDE; }

export function ringsInit(): void {
  for (let r: u32 = 0; r < RING_COUNT; r++) {
    let a = ringAddr(r);
    store<u32>(a, 0); store<u32>(a + 4, 0); store<u32>(a + 8, RING_CAP); store<u32>(a + 12, 0);
  }
}
export function ringUsed(r: u32): u32 { let a = ringAddr(r); return load<u32>(a) - load<u32>(a + 4); }
export function ringFree(r: u32): u32 { return RING_CAP - ringUsed(r); }

/** Append a byte; false when the ring is full (the byte is not written). */
export function ringPush(r: u32, b: u32): bool {
  let a = ringAddr(r);
  let w = load<u32>(a);
  if (w - load<u32>(a + 4) >= RING_CAP) return false;
  store<u8>(a + RING_HDR + (w & (RING_CAP - 1)), <u8>b);
  store<u32>(a, w + 1);
  return true;
}
/** Take a byte, or -1 when empty. */
export function ringPop(r: u32): i32 {
  let a = ringAddr(r);
  let rd = load<u32>(a + 4);
  if (rd == load<u32>(a)) return -1;
  let b = <i32>load<u8>(a + RING_HDR + (rd & (RING_CAP - 1)));
  store<u32>(a + 4, rd + 1);
  return b;
}
