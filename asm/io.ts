// The I/O port bus. The CPU calls portIn/portOut after its permission checks;
// machine.ts installs the dispatcher (a device-id byte per port, layout.ts
// PORT_MAP, then a switch over device ids). Nothing here knows a device.

import { PORT_MAP } from "./layout";

export type PortRead = (dev: u32, port: u32, size: u32) => u32;
export type PortWrite = (dev: u32, port: u32, size: u32, value: u32) => void;
function floatRead(dev: u32, port: u32, size: u32): u32 { return 0xffffffff; }
function floatWrite(dev: u32, port: u32, size: u32, value: u32): void {}
let readHook: PortRead = floatRead;
let writeHook: PortWrite = floatWrite;
export function setPortHandlers(r: PortRead, w: PortWrite): void { readHook = r; writeHook = w; }

/** Claim ports [first, first+count) for device `dev` (1..255; 0 = nothing there). */
export function claimPorts(first: u32, count: u32, dev: u32): void {
  for (let p = first; p < first + count; p++) store<u8>(PORT_MAP + (p & 0xffff), <u8>dev);
}
@inline export function portDevice(port: u32): u32 { return <u32>load<u8>(PORT_MAP + (port & 0xffff)); }

/** Read `size` bytes (1, 2, 4) from `port`. A port with no device floats high. */
export function portIn(port: u32, size: u32): u32 {
  port &= 0xffff;
  let dev = portDevice(port);
  let mask: u32 = size == 4 ? 0xffffffff : size == 2 ? 0xffff : 0xff;
  if (dev == 0) return mask;
  return readHook(dev, port, size) & mask;
}
export function portOut(port: u32, size: u32, value: u32): void {
  port &= 0xffff;
  let dev = portDevice(port);
  if (dev == 0) return;
  writeHook(dev, port, size, size == 4 ? value : value & (size == 2 ? 0xffff : 0xff));
}
