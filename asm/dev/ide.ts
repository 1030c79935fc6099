// PIIX-style IDE controller: two ATA channels in ISA compatibility mode (command
// blocks 0x1F0-0x1F7 / 0x170-0x177, control 0x3F6 / 0x376, IRQ 14 / 15) with an
// ATA disk or an ATAPI CD-ROM as master and slave, and the bus-master DMA engine
// of the PCI function (BAR4, 16 bytes: 8 per channel).
//
// Follows: ATA/ATAPI-6 (T13/1410D): register descriptions (with the 48-bit HOB),
// command descriptions, protocols (PIO data-in/out, DMA, PACKET, software reset);
// SFF-8038i rev 1.0 (bus-master registers, PRD tables, the status interrupt/active
// table); the Intel 82371SB (PIIX3) datasheet (IDE function, BMIBA); SPC-2 and
// MMC-2/3 for the ATAPI (SCSI) commands. Where ATA-6 leaves a choice, QEMU's PIIX
// IDE is followed (tests/guest/ata*.test.ts compare the two).
//
// Sectors come from the host synchronously through the `blockIo` import (see
// web/host/block.ts for the contract): a command completes inside the guest's OUT,
// so BSY is never visible. Per channel, one 128 KiB bounce buffer (layout.ts IDE_BUF)
// holds a DRQ block or a DMA chunk.
//
// Not modelled: overlapped/queued commands, SMART, security, HPA (READ NATIVE MAX /
// SET MAX), 48-bit HOB readback of the error register, DMA timing (a DMA transfer
// runs to completion when the last of {command, start bit} arrives), the PIIX
// timing registers (PCI config, pci.ts), audio CD commands, multi-session or
// multi-track media (a CD is one data track), writing to a CD.

import { slotAddr, SLOT_IDE } from "./slots";
import { IDE_BUF } from "../layout";
import { physEntry, physRead8, physWrite8, PM_HOST, PM_ROM, PM_CODE } from "../mmu/phys";
import { jitCodeWritten } from "../cpu/jit";

@external("env", "blockIo")
declare function blockIo(drive: u32, write: u32, lbaLo: u32, lbaHi: u32, count: u32, ptr: u32): u32;

// ---- State (device state slots 0x40..0x45 of layout.ts DEV_STATE) ----
// Channel c: DEV_STATE + (0x40 + c) * 0x100; drive d (0..3, d >> 1 = channel):
// DEV_STATE + (0x42 + d) * 0x100.
export const IDE_STATE: u32 = slotAddr(SLOT_IDE);
@inline function chBase(ch: u32): u32 { return IDE_STATE + (ch << 8); }
@inline function drBase(d: u32): u32 { return IDE_STATE + 0x200 + (d << 8); }
@inline function bufBase(ch: u32): u32 { return IDE_BUF + (ch << 17); }
const BUF_SECTORS: u32 = 256;

// Task-file register offsets (per device, see t8): each keeps the previous value
// for 48-bit commands (HOB, ATA/ATAPI-6 48-bit Address feature set).
const C_FEATURE: u32 = 0, C_NSECTOR: u32 = 1, C_SECTOR: u32 = 2, C_LCYL: u32 = 3, C_HCYL: u32 = 4;
const C_HOB: u32 = 5;          // + the offsets above: previous values
// Channel fields.
const C_SELECT: u32 = 10;      // device/head register
const C_DEVCTL: u32 = 11;      // device control: nIEN (1), SRST (2), HOB (7)
const C_IRQ: u32 = 12;         // INTRQ pending (cleared by reading status)
const C_LINE: u32 = 13;        // what we last drove on the IRQ line
const C_BM_CMD: u32 = 14;      // SFF-8038i bus-master command: start (0), read/write (3)
const C_BM_STATUS: u32 = 15;   // active (0), error (1), interrupt (2), drive DMA capable (5,6)
const C_BM_PRD: u32 = 16;      // u32 PRD table address

// Drive fields.
const D_KIND: u32 = 0;         // KIND_*
const D_STATUS: u32 = 1, D_ERROR: u32 = 2;
const D_MULT: u32 = 3;         // sectors per DRQ block for READ/WRITE MULTIPLE (0 = not set)
const D_XFER: u32 = 4;         // X_*
const D_UA: u32 = 5;           // ATAPI unit attention pending
const D_SENSE: u32 = 6, D_ASC: u32 = 7, D_ASCQ: u32 = 8;
const D_LOCKED: u32 = 9;       // PREVENT MEDIUM REMOVAL
const D_MEDIUM: u32 = 10;      // a CD is in the tray
const D_EVENT: u32 = 11;       // media event for GET EVENT STATUS (0 none, 2 new, 3 removal)
const D_HEADS: u32 = 12, D_SPT: u32 = 13;     // current (translated) geometry
const D_PHEADS: u32 = 14, D_PSPT: u32 = 15;   // default geometry
const D_CYLS: u32 = 16, D_PCYLS: u32 = 18;    // u16
const D_MODE: u32 = 20;        // transfer mode from SET FEATURES 03h
const D_LBA48: u32 = 21;
const D_EJECTED: u32 = 22;     // the guest ejected the medium (for the host)
const D_DMA: u32 = 23;         // ATAPI: the running packet command transfers by DMA
const D_SECTORS: u32 = 24;     // u64 capacity in 512-byte sectors
const D_LBA: u32 = 32;         // u64 next sector (ATA) or u32 next 2048-byte block (ATAPI)
const D_REMAIN: u32 = 40;      // u32 sectors (ATA) / blocks (ATAPI READ) still to transfer
const D_PTR: u32 = 44;         // u32 data pointer into the bounce buffer
const D_END: u32 = 48;         // u32 end of the current DRQ block
const D_BLOCK: u32 = 52;       // u32 sectors per DRQ block of the running command
const D_BUFLEN: u32 = 56;      // u32 ATAPI: valid bytes in the bounce buffer
const D_BCL: u32 = 64;         // u32 ATAPI byte count limit from the PACKET command
const D_PACKET: u32 = 80;      // 12-byte ATAPI command packet

export const KIND_NONE: u32 = 0, KIND_DISK: u32 = 1, KIND_CDROM: u32 = 2;
const X_NONE: u32 = 0, X_PIO_IN: u32 = 1, X_PIO_OUT: u32 = 2, X_PACKET: u32 = 3,
      X_ATAPI_IN: u32 = 4, X_DMA_IN: u32 = 5, X_DMA_OUT: u32 = 6, X_ATAPI_DMA: u32 = 7;

// Status and error bits (ATA/ATAPI-6 Status and Error registers).
const ST_ERR: u32 = 0x01, ST_DRQ: u32 = 0x08, ST_DSC: u32 = 0x10, ST_DRDY: u32 = 0x40, ST_BSY: u32 = 0x80;
// An address outside the medium aborts (ATA/ATAPI-6 READ SECTORS error outputs: ABRT when the
// address is out of range and IDNF is not reported), as QEMU does.
const ER_ABRT: u32 = 0x04, ER_UNC: u32 = 0x40;
// ATAPI interrupt reason in the sector count register (ATA/ATAPI-6 PACKET protocol): CoD, IO.
const IR_COD: u32 = 1, IR_IO: u32 = 2;
// SCSI sense keys (SPC-2 table 107) and additional sense codes used here.
const SK_NOT_READY: u32 = 2, SK_MEDIUM_ERROR: u32 = 3, SK_ILLEGAL: u32 = 5, SK_UNIT_ATTENTION: u32 = 6;
const ASC_INVALID_OPCODE: u32 = 0x20, ASC_LBA_OUT_OF_RANGE: u32 = 0x21, ASC_INVALID_FIELD: u32 = 0x24,
      ASC_MEDIUM_CHANGED: u32 = 0x28, ASC_INCOMPATIBLE_FORMAT: u32 = 0x30,
      ASC_NO_MEDIUM: u32 = 0x3a, ASC_REMOVAL_PREVENTED: u32 = 0x53, ASC_READ_ERROR: u32 = 0x11;

@inline function c8(ch: u32, f: u32): u32 { return <u32>load<u8>(chBase(ch) + f); }
@inline function sc8(ch: u32, f: u32, v: u32): void { store<u8>(chBase(ch) + f, <u8>v); }
// Task-file registers live per device (offset 0xa0 of its block): a host write
// goes to both devices of the channel, the device updates only its own.
@inline function t8(d: u32, f: u32): u32 { return <u32>load<u8>(drBase(d) + 0xa0 + f); }
@inline function st8(d: u32, f: u32, v: u32): void { store<u8>(drBase(d) + 0xa0 + f, <u8>v); }
@inline function d8(d: u32, f: u32): u32 { return <u32>load<u8>(drBase(d) + f); }
@inline function sd8(d: u32, f: u32, v: u32): void { store<u8>(drBase(d) + f, <u8>v); }
@inline function d32(d: u32, f: u32): u32 { return load<u32>(drBase(d) + f); }
@inline function sd32(d: u32, f: u32, v: u32): void { store<u32>(drBase(d) + f, v); }
@inline function d64(d: u32, f: u32): u64 { return load<u64>(drBase(d) + f); }
@inline function sd64(d: u32, f: u32, v: u64): void { store<u64>(drBase(d) + f, v); }

// ---- IRQ line ----
export type IrqHook = (line: u32, level: bool) => void;
function noIrq(line: u32, level: bool): void {}
let irqHook: IrqHook = noIrq;
/** machine.ts: how to drive IRQ 14 / 15. */
export function ideSetIrqHook(f: IrqHook): void { irqHook = f; }

function updateIrq(ch: u32): void {
  // INTRQ is driven by the selected device unless nIEN is set (ATA/ATAPI-6 Device Control register).
  let level: u32 = (c8(ch, C_IRQ) != 0 && (c8(ch, C_DEVCTL) & 2) == 0) ? 1 : 0;
  if (level != c8(ch, C_LINE)) {
    sc8(ch, C_LINE, level);
    // SFF-8038i: the bus master's interrupt bit latches a rising edge of INTRQ,
    // so nothing is latched while nIEN keeps the line low.
    if (level) sc8(ch, C_BM_STATUS, c8(ch, C_BM_STATUS) | 4);
    irqHook(14 + ch, level != 0);
  }
}
function raiseIrq(ch: u32): void {
  sc8(ch, C_IRQ, 1);
  updateIrq(ch);
}

@inline function selDrive(ch: u32): u32 { return (ch << 1) | ((c8(ch, C_SELECT) >> 4) & 1); }

// ---- Host interface ----

/** Attach a drive (0..3) of `kind` with `sectors` 512-byte sectors. For a CD,
 *  0 sectors is an empty tray; attaching a new medium to an existing CD drive is
 *  a media change (unit attention, GET EVENT STATUS "new media"). */
export function ideAttach(d: u32, kind: u32, sectorsLo: u32, sectorsHi: u32): void {
  d &= 3;
  let sectors = (<u64>sectorsHi << 32) | <u64>sectorsLo;
  let wasCd = d8(d, D_KIND) == KIND_CDROM;
  sd8(d, D_KIND, kind);
  sd64(d, D_SECTORS, sectors);
  if (kind == KIND_DISK) {
    // Default geometry for a disk without a BIOS-given one: 16 heads, 63 sectors
    // per track, cylinders from the size, at most 16383 (ATA/ATAPI-6 IDENTIFY DEVICE word 1).
    let cyls = sectors / (16 * 63);
    if (cyls > 16383) cyls = 16383;
    if (cyls < 1) cyls = 1;
    sd8(d, D_PHEADS, 16); sd8(d, D_PSPT, 63);
    store<u16>(drBase(d) + D_PCYLS, <u16>cyls);
  } else if (kind == KIND_CDROM) {
    let has: u32 = sectors != 0 ? 1 : 0;
    if (wasCd) {
      sd8(d, D_UA, has);
      sd8(d, D_EVENT, has ? 2 : 3);
    }
    sd8(d, D_MEDIUM, has);
    sd8(d, D_EJECTED, 0);
    // A new medium in a running CD drive is not a reset: the guest learns of it
    // through unit attention and media events only.
    if (wasCd) return;
  }
  resetDrive(d, true);
}
/** 1 when the guest ejected the CD in drive `d` (START STOP UNIT); reading clears it. */
export function ideTakeEject(d: u32): u32 {
  d &= 3;
  let e = d8(d, D_EJECTED);
  sd8(d, D_EJECTED, 0);
  return e;
}

/** Power-on reset of the controller and both channels. */
export function ideReset(): void {
  for (let ch: u32 = 0; ch < 2; ch++) {
    memory.fill(chBase(ch), 0, 0x100);
    sc8(ch, C_SELECT, 0xa0);
    // The drive-DMA-capable bits (5, 6) are the BIOS's to set; 0 after reset as in QEMU.
  }
  for (let d: u32 = 0; d < 4; d++) resetDrive(d, true);
}

function resetDrive(d: u32, powerOn: bool): void {
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, 1); // diagnostic code: no error (ATA/ATAPI-6 EXECUTE DEVICE DIAGNOSTIC)
  let kind = d8(d, D_KIND);
  // ATA/ATAPI-6 software reset protocol: afterwards a packet device leaves DRDY clear; at
  // power-on QEMU reports it ready like a disk, and so do we.
  sd8(d, D_STATUS, kind == KIND_DISK || powerOn ? ST_DRDY | ST_DSC : 0);
  if (powerOn) {
    sd8(d, D_MULT, 16);
    sd8(d, D_HEADS, d8(d, D_PHEADS)); sd8(d, D_SPT, d8(d, D_PSPT));
    store<u16>(drBase(d) + D_CYLS, load<u16>(drBase(d) + D_PCYLS));
    sd8(d, D_MODE, 0x0c); // PIO 4
    sd8(d, D_LOCKED, 0);
  }
  setSignature(d);
}

/** ATA/ATAPI-6 signature: it identifies the device type after reset/diagnostics. */
function setSignature(d: u32): void {
  let cd = d8(d, D_KIND) == KIND_CDROM;
  st8(d, C_NSECTOR, 1); st8(d, C_SECTOR, 1);
  st8(d, C_LCYL, cd ? 0x14 : 0);
  st8(d, C_HCYL, cd ? 0xeb : 0);
}

function softReset(ch: u32): void {
  for (let i: u32 = 0; i < 2; i++) {
    let d = (ch << 1) | i;
    resetDrive(d, false);
  }
  sc8(ch, C_SELECT, 0xa0);
  sc8(ch, C_IRQ, 0);
  updateIrq(ch);
}

// ---- Port handlers (machine.ts maps the ports) ----

/** Command block read: `port` is the offset 0..7 within 0x1F0 / 0x170. */
export function ideCmdRead(ch: u32, reg: u32, size: u32): u32 {
  let d = selDrive(ch);
  let kind = d8(d, D_KIND);
  if (reg == 0) return dataRead(ch, d, size);
  let none = kind == KIND_NONE;
  let noneAtAll = d8(ch << 1, D_KIND) == KIND_NONE && d8((ch << 1) | 1, D_KIND) == KIND_NONE;
  // Registers of a channel with no devices, and the status/error of an absent
  // device 1, read as 0 (as in QEMU's PIIX; ATA/ATAPI-6 leaves it to the host).
  if (noneAtAll) return 0;
  let hob = (c8(ch, C_DEVCTL) & 0x80) != 0 ? C_HOB : 0;
  switch (reg) {
    case 1: return none ? 0 : d8(d, D_ERROR);
    case 2: return t8(d, C_NSECTOR + hob);
    case 3: return t8(d, C_SECTOR + hob);
    case 4: return t8(d, C_LCYL + hob);
    case 5: return t8(d, C_HCYL + hob);
    case 6: return c8(ch, C_SELECT);
    default: {
      // Reading the status register acknowledges the interrupt (ATA/ATAPI-6 Status register).
      sc8(ch, C_IRQ, 0);
      updateIrq(ch);
      return none ? 0 : d8(d, D_STATUS);
    }
  }
}

/** Alternate status (0x3F6 / 0x376): the status without acknowledging. */
export function ideCtrlRead(ch: u32): u32 {
  let d = selDrive(ch);
  if (d8(d, D_KIND) == KIND_NONE) return 0;
  return d8(d, D_STATUS);
}

export function ideCtrlWrite(ch: u32, v: u32): void {
  let old = c8(ch, C_DEVCTL);
  sc8(ch, C_DEVCTL, v);
  // SRST: the devices reset while it is set and come back when it clears (ATA/ATAPI-6 software reset protocol).
  if ((v & 4) != 0 && (old & 4) == 0) {
    for (let i: u32 = 0; i < 2; i++) {
      let d = (ch << 1) | i;
      if (d8(d, D_KIND) != KIND_NONE) { sd8(d, D_STATUS, ST_BSY | ST_DSC); sd8(d, D_XFER, X_NONE); }
    }
  } else if ((v & 4) == 0 && (old & 4) != 0) {
    softReset(ch);
  }
  updateIrq(ch);
}

export function ideCmdWrite(ch: u32, reg: u32, size: u32, v: u32): void {
  if (reg == 0) { dataWrite(ch, selDrive(ch), size, v); return; }
  v &= 0xff;
  // ATA/ATAPI-6: the host must not write the command block while BSY or DRQ is set;
  // such writes are dropped (as QEMU does), except DEVICE RESET for ATAPI.
  if ((d8(selDrive(ch), D_STATUS) & (ST_BSY | ST_DRQ)) != 0 && !(reg == 7 && v == 0x08)) return;
  if (reg >= 1 && reg <= 5) {
    // 48-bit Address feature set: each write pushes the old value to the HOB copy; HOB clears.
    let f: u32 = reg - 1; // C_FEATURE..C_HCYL
    for (let i: u32 = 0; i < 2; i++) {
      let d = (ch << 1) | i;
      st8(d, C_HOB + f, t8(d, f));
      st8(d, f, v);
    }
    sc8(ch, C_DEVCTL, c8(ch, C_DEVCTL) & 0x7f);
    return;
  }
  if (reg == 6) {
    sc8(ch, C_SELECT, v | 0xa0);
    sc8(ch, C_DEVCTL, c8(ch, C_DEVCTL) & 0x7f);
    updateIrq(ch);
    return;
  }
  command(ch, selDrive(ch), v);
}

// ---- Data port ----

function dataRead(ch: u32, d: u32, size: u32): u32 {
  let x = d8(d, D_XFER);
  if (x != X_PIO_IN && x != X_ATAPI_IN) return 0;
  let p = d32(d, D_PTR);
  let a = bufBase(ch) + p;
  let v: u32 = size == 4 ? load<u32>(a) : size == 2 ? <u32>load<u16>(a) : <u32>load<u8>(a);
  p += size;
  sd32(d, D_PTR, p);
  if (p >= d32(d, D_END)) {
    if (x == X_PIO_IN) ataReadBlockDone(ch, d);
    else atapiDrqDone(ch, d);
  }
  return v;
}

function dataWrite(ch: u32, d: u32, size: u32, v: u32): void {
  let x = d8(d, D_XFER);
  if (x == X_PACKET) {
    let p = d32(d, D_PTR);
    if (p + size <= 12) {
      let a = drBase(d) + D_PACKET + p;
      if (size == 4) store<u32>(a, v); else if (size == 2) store<u16>(a, <u16>v); else store<u8>(a, <u8>v);
    }
    p += size;
    sd32(d, D_PTR, p);
    if (p >= 12) atapiCommand(ch, d);
    return;
  }
  if (x != X_PIO_OUT) return;
  let p = d32(d, D_PTR);
  let a = bufBase(ch) + p;
  if (size == 4) store<u32>(a, v); else if (size == 2) store<u16>(a, <u16>v); else store<u8>(a, <u8>v);
  p += size;
  sd32(d, D_PTR, p);
  if (p >= d32(d, D_END)) ataWriteBlockDone(ch, d);
}

// ---- ATA commands (ATA/ATAPI-6 command descriptions) ----

// Errors end with DRDY and ERR only (DSC clear), as QEMU's PIIX reports them.
function abortCommand(ch: u32, d: u32): void {
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, ER_ABRT);
  sd8(d, D_STATUS, ST_DRDY | ST_ERR);
  raiseIrq(ch);
}
function completeNoData(ch: u32, d: u32): void {
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, 0);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC);
  raiseIrq(ch);
}

function command(ch: u32, d: u32, cmd: u32): void {
  let kind = d8(d, D_KIND);
  // A command to an absent device 1 is ignored, except EXECUTE DEVICE
  // DIAGNOSTIC, which device 0 answers for both (ATA/ATAPI-6 EXECUTE DEVICE DIAGNOSTIC).
  if (kind == KIND_NONE) {
    if (cmd == 0x90 && d8(ch << 1, D_KIND) != KIND_NONE) diagnostic(ch);
    return;
  }
  sc8(ch, C_DEVCTL, c8(ch, C_DEVCTL) & 0x7f);
  if (kind == KIND_CDROM) { atapiAtaCommand(ch, d, cmd); return; }
  switch (cmd) {
    case 0xec: identifyDisk(ch, d); break;
    case 0x20: case 0x21: pioStart(ch, d, false, false, false); break;
    case 0x24: pioStart(ch, d, false, true, false); break;
    case 0x30: case 0x31: pioStart(ch, d, true, false, false); break;
    case 0x34: pioStart(ch, d, true, true, false); break;
    case 0xc4: pioStart(ch, d, false, false, true); break;
    case 0x29: pioStart(ch, d, false, true, true); break;
    case 0xc5: pioStart(ch, d, true, false, true); break;
    case 0x39: pioStart(ch, d, true, true, true); break;
    case 0xc8: case 0xc9: dmaStart(ch, d, false, false); break;
    case 0x25: dmaStart(ch, d, false, true); break;
    case 0xca: case 0xcb: dmaStart(ch, d, true, false); break;
    case 0x35: dmaStart(ch, d, true, true); break;
    case 0x40: case 0x41: readVerify(ch, d, false); break;
    case 0x42: readVerify(ch, d, true); break;
    case 0xc6: {
      // SET MULTIPLE MODE: a power of two up to the maximum in IDENTIFY word 47 (16).
      let n = t8(d, C_NSECTOR);
      if (n > 16 || (n & (n - 1)) != 0) { abortCommand(ch, d); break; }
      sd8(d, D_MULT, n);
      completeNoData(ch, d);
      break;
    }
    case 0x91: {
      // INITIALIZE DEVICE PARAMETERS: the CHS translation the host wants.
      let spt = t8(d, C_NSECTOR), heads = (c8(ch, C_SELECT) & 0xf) + 1;
      if (spt == 0) { abortCommand(ch, d); break; }
      sd8(d, D_SPT, spt); sd8(d, D_HEADS, heads);
      let cyls = d64(d, D_SECTORS) / <u64>(spt * heads);
      store<u16>(drBase(d) + D_CYLS, <u16>(cyls > 65535 ? 65535 : cyls));
      completeNoData(ch, d);
      break;
    }
    case 0xef: setFeatures(ch, d); break;
    case 0xe5: case 0x98: // CHECK POWER MODE: FFh = active or idle
      st8(d, C_NSECTOR, 0xff);
      completeNoData(ch, d);
      break;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0xe7: case 0xea: // power management, FLUSH CACHE (EXT): nothing is cached
    case 0x70: // SEEK
      completeNoData(ch, d);
      break;
    case 0x90: diagnostic(ch); break;
    default:
      // RECALIBRATE (1xh) is obsolete but still sent by old BIOSes.
      if ((cmd & 0xf0) == 0x10) completeNoData(ch, d);
      else abortCommand(ch, d);
  }
}

function diagnostic(ch: u32): void {
  for (let i: u32 = 0; i < 2; i++) {
    let d = (ch << 1) | i;
    if (d8(d, D_KIND) == KIND_NONE) continue;
    sd8(d, D_ERROR, 1);
    sd8(d, D_XFER, X_NONE);
    sd8(d, D_STATUS, d8(d, D_KIND) == KIND_DISK ? ST_DRDY | ST_DSC : 0);
    setSignature(d);
  }
  raiseIrq(ch);
}

function setFeatures(ch: u32, d: u32): void {
  let f = t8(d, C_FEATURE);
  if (f == 0x03) {
    // Set transfer mode: 08h|n PIO n, 20h|n multiword DMA n, 40h|n UDMA n.
    let m = t8(d, C_NSECTOR);
    let t = m >> 3;
    if (m > 0x45 || (t != 0 && t != 1 && t != 4 && t != 8) || (t == 4 && (m & 7) > 2)) { abortCommand(ch, d); return; }
    sd8(d, D_MODE, m);
  }
  // Write cache, read look-ahead, reverting to defaults: accepted, nothing to do.
  completeNoData(ch, d);
}

/** Put the 20-word-max ASCII string `s` into IDENTIFY words, byte-swapped and
 *  space-padded (ATA/ATAPI-6 IDENTIFY DEVICE: the first character is in bits 15:8). */
function idString(base: u32, word: u32, words: u32, s: string): void {
  for (let i: u32 = 0; i < words * 2; i++) {
    let c: u32 = i < <u32>s.length ? <u32>s.charCodeAt(i) : 0x20;
    store<u8>(base + word * 2 + (i ^ 1), <u8>c);
  }
}
@inline function idWord(base: u32, word: u32, v: u32): void { store<u16>(base + word * 2, <u16>v); }

function idSerial(base: u32, d: u32): void {
  idString(base, 10, 10, "RZ000000000000000000");
  store<u8>(base + 20 + (19 ^ 1), <u8>(0x31 + d)); // ...01..04, unique per drive
}

function modeWords(base: u32, d: u32): void {
  let m = d8(d, D_MODE);
  // Word 63: multiword DMA 0-2 supported, bit 8+n = selected; word 88 the same for UDMA 0-5.
  idWord(base, 63, 0x07 | ((m >> 3) == 4 ? (0x100 << (m & 7)) : 0));
  idWord(base, 88, 0x3f | ((m >> 3) == 8 ? (0x100 << (m & 7)) : 0));
  idWord(base, 64, 0x03);                 // PIO 3 and 4
  idWord(base, 65, 120); idWord(base, 66, 120); idWord(base, 67, 120); idWord(base, 68, 120);
}

function identifyDisk(ch: u32, d: u32): void {
  let b = bufBase(ch);
  memory.fill(b, 0, 512);
  let sectors = d64(d, D_SECTORS);
  let b28 = sectors > 0x0fffffff ? <u64>0x0fffffff : sectors;
  idWord(b, 0, 0x0040);                   // fixed device, not removable
  idWord(b, 1, <u32>load<u16>(drBase(d) + D_PCYLS));
  idWord(b, 3, d8(d, D_PHEADS));
  idWord(b, 6, d8(d, D_PSPT));
  idSerial(b, d);
  idString(b, 23, 4, "1.0");
  idString(b, 27, 20, "RingZero HARDDISK");
  idWord(b, 47, 0x8000 | 16);             // READ/WRITE MULTIPLE up to 16 sectors
  idWord(b, 49, 0x0b00);                  // IORDY, LBA, DMA
  idWord(b, 50, 0x4000);
  idWord(b, 51, 0x0200); idWord(b, 52, 0x0200);
  idWord(b, 53, 0x0007);                  // words 54-58, 64-70 and 88 are valid
  let cyls = <u32>load<u16>(drBase(d) + D_CYLS), heads = d8(d, D_HEADS), spt = d8(d, D_SPT);
  idWord(b, 54, cyls); idWord(b, 55, heads); idWord(b, 56, spt);
  let chs = cyls * heads * spt;
  idWord(b, 57, chs & 0xffff); idWord(b, 58, chs >> 16);
  let mult = d8(d, D_MULT);
  idWord(b, 59, mult != 0 ? 0x100 | mult : 0);
  idWord(b, 60, <u32>b28 & 0xffff); idWord(b, 61, <u32>(b28 >> 16));
  modeWords(b, d);
  idWord(b, 80, 0x00f0);                  // ATA/ATAPI-4 to -7
  idWord(b, 82, 0x4028);                  // NOP, write cache, power management
  idWord(b, 83, 0x7400);                  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit
  idWord(b, 84, 0x4000);
  idWord(b, 85, 0x4028);
  idWord(b, 86, 0x3400);
  idWord(b, 87, 0x4000);
  idWord(b, 93, 0x4001);
  store<u64>(b + 200, sectors);           // words 100-103: 48-bit capacity
  pioDataIn(ch, d, 512);
}

/** Give the guest `bytes` of the bounce buffer as one PIO data-in block. */
function pioDataIn(ch: u32, d: u32, bytes: u32): void {
  sd32(d, D_PTR, 0); sd32(d, D_END, bytes);
  sd32(d, D_REMAIN, 0);
  sd8(d, D_XFER, X_PIO_IN);
  sd8(d, D_ERROR, 0);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  raiseIrq(ch);
}

/** The command's address and count from the task file; false (and the command
 *  aborted) when the address is invalid. */
function decodeAddress(ch: u32, d: u32, lba48: bool): bool {
  let lba: u64, count: u32;
  if (lba48) {
    lba = <u64>t8(d, C_SECTOR) | (<u64>t8(d, C_LCYL) << 8) | (<u64>t8(d, C_HCYL) << 16) |
      (<u64>t8(d, C_HOB + C_SECTOR) << 24) | (<u64>t8(d, C_HOB + C_LCYL) << 32) | (<u64>t8(d, C_HOB + C_HCYL) << 40);
    count = t8(d, C_NSECTOR) | (t8(d, C_HOB + C_NSECTOR) << 8);
    if (count == 0) count = 65536;
  } else {
    count = t8(d, C_NSECTOR);
    if (count == 0) count = 256;
    let sel = c8(ch, C_SELECT);
    if (sel & 0x40) {
      lba = <u64>t8(d, C_SECTOR) | (<u64>t8(d, C_LCYL) << 8) | (<u64>t8(d, C_HCYL) << 16) | (<u64>(sel & 0xf) << 24);
    } else {
      // CHS through the current translation (ATA/ATAPI-6 CHS translation).
      let cyl = t8(d, C_LCYL) | (t8(d, C_HCYL) << 8), head = sel & 0xf, sec = t8(d, C_SECTOR);
      let heads = d8(d, D_HEADS), spt = d8(d, D_SPT);
      if (sec == 0 || sec > spt || head >= heads) return false;
      lba = (<u64>cyl * heads + head) * spt + sec - 1;
    }
  }
  sd8(d, D_LBA48, lba48 ? 1 : 0);
  sd64(d, D_LBA, lba);
  sd32(d, D_REMAIN, count);
  return lba + <u64>count <= d64(d, D_SECTORS);
}

/** Write sector address `lba` back into the task file. On an error it is the
 *  failing sector (the commands' error outputs); as a transfer goes on it is the next
 *  sector and the sector count what is left, as QEMU does (ATA-6 leaves the
 *  normal outputs of the read/write commands unspecified). */
function setTaskfileLba(ch: u32, d: u32, lba: u64): void {
  if (d8(d, D_LBA48)) {
    st8(d, C_SECTOR, <u32>lba); st8(d, C_LCYL, <u32>(lba >> 8)); st8(d, C_HCYL, <u32>(lba >> 16));
    st8(d, C_HOB + C_SECTOR, <u32>(lba >> 24)); st8(d, C_HOB + C_LCYL, <u32>(lba >> 32)); st8(d, C_HOB + C_HCYL, <u32>(lba >> 40));
  } else if (c8(ch, C_SELECT) & 0x40) {
    st8(d, C_SECTOR, <u32>lba); st8(d, C_LCYL, <u32>(lba >> 8)); st8(d, C_HCYL, <u32>(lba >> 16));
    sc8(ch, C_SELECT, (c8(ch, C_SELECT) & 0xf0) | (<u32>(lba >> 24) & 0xf));
  } else {
    let heads = <u64>d8(d, D_HEADS), spt = <u64>d8(d, D_SPT);
    let cyl = lba / (heads * spt), rem = lba % (heads * spt);
    st8(d, C_SECTOR, <u32>(rem % spt) + 1);
    st8(d, C_LCYL, <u32>cyl); st8(d, C_HCYL, <u32>(cyl >> 8));
    sc8(ch, C_SELECT, (c8(ch, C_SELECT) & 0xf0) | (<u32>(rem / spt) & 0xf));
  }
}

function setTaskfileCount(d: u32, n: u32): void {
  st8(d, C_NSECTOR, n & 0xff);
  if (d8(d, D_LBA48)) st8(d, C_HOB + C_NSECTOR, (n >> 8) & 0xff);
}

function ataError(ch: u32, d: u32, err: u32): void {
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, err);
  sd8(d, D_STATUS, ST_DRDY | ST_ERR);
  raiseIrq(ch);
}

/** One host transfer of `n` sectors at the current address; false on error. */
function hostIo(d: u32, write: bool, lba: u64, n: u32, ptr: u32): bool {
  return blockIo(d, write ? 1 : 0, <u32>lba, <u32>(lba >> 32), n, ptr) == 0;
}

function pioStart(ch: u32, d: u32, write: bool, lba48: bool, multiple: bool): void {
  let block: u32 = 1;
  if (multiple) {
    block = d8(d, D_MULT);
    if (block == 0) { abortCommand(ch, d); return; } // multiple mode not enabled (ATA/ATAPI-6 READ MULTIPLE)
  }
  if (!decodeAddress(ch, d, lba48)) { ataError(ch, d, ER_ABRT); return; }
  sd32(d, D_BLOCK, block);
  if (write) {
    // PIO data-out: DRQ for the first block at once, no interrupt (ATA/ATAPI-6 PIO data-out protocol).
    let n = d32(d, D_REMAIN) < block ? d32(d, D_REMAIN) : block;
    sd32(d, D_PTR, 0); sd32(d, D_END, n << 9);
    sd8(d, D_XFER, X_PIO_OUT);
    sd8(d, D_ERROR, 0);
    sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  } else {
    ataReadBlock(ch, d);
  }
}

/** PIO data-in: fetch the next DRQ block and interrupt (ATA/ATAPI-6 PIO data-in protocol). */
function ataReadBlock(ch: u32, d: u32): void {
  let remain = d32(d, D_REMAIN), block = d32(d, D_BLOCK);
  let n = remain < block ? remain : block;
  let lba = d64(d, D_LBA);
  if (!hostIo(d, false, lba, n, bufBase(ch))) { setTaskfileLba(ch, d, lba); ataError(ch, d, ER_UNC); return; }
  sd64(d, D_LBA, lba + n);
  sd32(d, D_REMAIN, remain - n);
  setTaskfileLba(ch, d, lba + n);
  setTaskfileCount(d, remain - n);
  sd32(d, D_PTR, 0); sd32(d, D_END, n << 9);
  sd8(d, D_XFER, X_PIO_IN);
  sd8(d, D_ERROR, 0);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  raiseIrq(ch);
}
function ataReadBlockDone(ch: u32, d: u32): void {
  if (d32(d, D_REMAIN) > 0) { ataReadBlock(ch, d); return; }
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC);
}
function ataWriteBlockDone(ch: u32, d: u32): void {
  let remain = d32(d, D_REMAIN), block = d32(d, D_BLOCK);
  let n = remain < block ? remain : block;
  let lba = d64(d, D_LBA);
  if (!hostIo(d, true, lba, n, bufBase(ch))) { setTaskfileLba(ch, d, lba); ataError(ch, d, ER_ABRT); return; }
  sd64(d, D_LBA, lba + n);
  remain -= n;
  sd32(d, D_REMAIN, remain);
  setTaskfileLba(ch, d, lba + n);
  setTaskfileCount(d, remain);
  if (remain > 0) {
    let m = remain < block ? remain : block;
    sd32(d, D_PTR, 0); sd32(d, D_END, m << 9);
    sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  } else {
    sd8(d, D_XFER, X_NONE);
    sd8(d, D_STATUS, ST_DRDY | ST_DSC);
  }
  raiseIrq(ch);
}

function readVerify(ch: u32, d: u32, lba48: bool): void {
  if (!decodeAddress(ch, d, lba48)) { ataError(ch, d, ER_ABRT); return; }
  // The medium is always readable; the task file is left as it was (as QEMU does).
  completeNoData(ch, d);
}

// ---- Bus-master DMA (SFF-8038i) ----

function dmaStart(ch: u32, d: u32, write: bool, lba48: bool): void {
  if (!decodeAddress(ch, d, lba48)) { ataError(ch, d, ER_ABRT); return; }
  sd8(d, D_XFER, write ? X_DMA_OUT : X_DMA_IN);
  sd8(d, D_ERROR, 0);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  if (c8(ch, C_BM_CMD) & 1) runDma(ch);
}

/** Bus-master register read; `off` is the offset 0..15 within BAR4. */
export function ideBmRead(off: u32, size: u32): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < size; i++) v |= bmRead8((off + i) & 15) << (i << 3);
  return v;
}
export function ideBmWrite(off: u32, size: u32, value: u32): void {
  for (let i: u32 = 0; i < size; i++) bmWrite8((off + i) & 15, (value >> (i << 3)) & 0xff);
}
function bmRead8(off: u32): u32 {
  let ch = off >> 3, r = off & 7;
  if (r == 0) return c8(ch, C_BM_CMD);
  if (r == 2) return c8(ch, C_BM_STATUS);
  if (r >= 4) return <u32>load<u8>(chBase(ch) + C_BM_PRD + r - 4);
  return 0;
}
function bmWrite8(off: u32, v: u32): void {
  let ch = off >> 3, r = off & 7;
  if (r == 0) {
    let old = c8(ch, C_BM_CMD);
    sc8(ch, C_BM_CMD, v & 0x09);
    let st = c8(ch, C_BM_STATUS);
    if ((v & 1) != 0 && (old & 1) == 0) {
      sc8(ch, C_BM_STATUS, st | 1);
      runDma(ch);
    } else if ((v & 1) == 0) {
      // Clearing start stops the engine; an interrupted transfer is lost (SFF-8038i Bus Master IDE Command register).
      sc8(ch, C_BM_STATUS, st & ~1);
    }
  } else if (r == 2) {
    // Bits 1 and 2 are write-one-to-clear; 5 and 6 are plain read/write.
    let st = c8(ch, C_BM_STATUS);
    st = (st & ~(v & 0x06)) & ~0x60 | (v & 0x60);
    sc8(ch, C_BM_STATUS, st);
  } else if (r >= 4) {
    let a = chBase(ch) + C_BM_PRD + r - 4;
    store<u8>(a, <u8>v);
    store<u32>(chBase(ch) + C_BM_PRD, load<u32>(chBase(ch) + C_BM_PRD) & ~3); // dword aligned
  }
}

// PRD walk state for one transfer (not saved: a transfer never spans run slices).
let prdPtr: u32 = 0, prdAddr: u32 = 0, prdLeft: u32 = 0, prdLast: bool = false, prdDone: bool = false;

function prdBegin(ch: u32): void {
  prdPtr = load<u32>(chBase(ch) + C_BM_PRD);
  prdLeft = 0; prdLast = false; prdDone = false;
}
/** Load the next PRD entry when the current one is used up; false at the end. */
function prdFill(): bool {
  while (prdLeft == 0) {
    if (prdLast) { prdDone = true; return false; }
    prdAddr = dmaRead32(prdPtr) & ~1;
    let w = dmaRead32(prdPtr + 4);
    prdLeft = w & 0xfffe;
    if (prdLeft == 0) prdLeft = 0x10000;   // a count of 0 means 64 KiB
    prdLast = (w & 0x80000000) != 0;       // EOT
    prdPtr += 8;
  }
  return true;
}
/** Move up to `n` bytes between the bounce buffer at `buf` and guest memory along
 *  the PRD list; returns how many moved (fewer when the table runs out). */
function prdTransfer(buf: u32, n: u32, toMemory: bool): u32 {
  let done: u32 = 0;
  while (done < n) {
    if (!prdFill()) break;
    let k = n - done < prdLeft ? n - done : prdLeft;
    if (toMemory) dmaCopyTo(prdAddr, buf + done, k); else dmaCopyFrom(prdAddr, buf + done, k);
    prdAddr += k; prdLeft -= k; done += k;
  }
  return done;
}

// Guest physical memory for the bus master: not subject to A20 (a CPU-side gate).
function dmaRead32(addr: u32): u32 {
  let e = physEntry(addr);
  if ((e & PM_HOST) != 0 && (addr & 0xfff) <= 0xffc) return load<u32>((e & ~0xfff) | (addr & 0xfff));
  return physRead8(addr) | (physRead8(addr + 1) << 8) | (physRead8(addr + 2) << 16) | (physRead8(addr + 3) << 24);
}
function dmaCopyTo(addr: u32, src: u32, n: u32): void {
  while (n > 0) {
    let k: u32 = 0x1000 - (addr & 0xfff);
    if (k > n) k = n;
    let e = physEntry(addr);
    // DMA writes behind the MMU: drop translated code on the page (cpu/jit.ts)
    if (e & PM_CODE) { jitCodeWritten(addr >>> 12); e = physEntry(addr); }
    if ((e & (PM_HOST | PM_ROM)) == PM_HOST) memory.copy((e & ~0xfff) | (addr & 0xfff), src, k);
    else for (let i: u32 = 0; i < k; i++) physWrite8(addr + i, <u32>load<u8>(src + i));
    addr += k; src += k; n -= k;
  }
}
function dmaCopyFrom(addr: u32, dst: u32, n: u32): void {
  while (n > 0) {
    let k: u32 = 0x1000 - (addr & 0xfff);
    if (k > n) k = n;
    let e = physEntry(addr);
    if (e & PM_HOST) memory.copy(dst, (e & ~0xfff) | (addr & 0xfff), k);
    else for (let i: u32 = 0; i < k; i++) store<u8>(dst + i, <u8>physRead8(addr + i));
    addr += k; dst += k; n -= k;
  }
}

/** Finish a DMA transfer: SFF-8038i table "interrupt/active": active stays set
 *  when the PRD table had room left. */
function dmaFinish(ch: u32, short: bool): void {
  let st = c8(ch, C_BM_STATUS);
  if (short) {
    // The PRD table ran out before the device's data: the engine stops, the
    // device keeps DRQ and raises no interrupt (the error case of the table).
    sc8(ch, C_BM_STATUS, st & ~1);
    return;
  }
  let exhausted = prdDone || (prdLast && prdLeft == 0);
  if (exhausted) st &= ~1;
  sc8(ch, C_BM_STATUS, st);
}

function runDma(ch: u32): void {
  if ((c8(ch, C_BM_STATUS) & 1) == 0) return;
  let d = selDrive(ch);
  let x = d8(d, D_XFER);
  if (x == X_ATAPI_DMA) { atapiDma(ch, d); return; }
  if (x != X_DMA_IN && x != X_DMA_OUT) return;
  let toMem = x == X_DMA_IN;
  prdBegin(ch);
  let buf = bufBase(ch);
  while (d32(d, D_REMAIN) > 0) {
    let remain = d32(d, D_REMAIN);
    let n = remain < BUF_SECTORS ? remain : BUF_SECTORS;
    let lba = d64(d, D_LBA);
    if (toMem) {
      if (!hostIo(d, false, lba, n, buf)) { setTaskfileLba(ch, d, lba); ataError(ch, d, ER_UNC); dmaFinish(ch, false); return; }
      let moved = prdTransfer(buf, n << 9, true);
      if (moved < (n << 9)) { dmaFinish(ch, true); return; }
    } else {
      let moved = prdTransfer(buf, n << 9, false);
      if (moved < (n << 9)) { dmaFinish(ch, true); return; }
      if (!hostIo(d, true, lba, n, buf)) { setTaskfileLba(ch, d, lba); ataError(ch, d, ER_ABRT); dmaFinish(ch, false); return; }
    }
    sd64(d, D_LBA, lba + n);
    sd32(d, D_REMAIN, remain - n);
    setTaskfileLba(ch, d, lba + n);
    setTaskfileCount(d, remain - n);
  }
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC);
  dmaFinish(ch, false);
  raiseIrq(ch);
}

// ---- ATAPI (ATA/ATAPI-6 PACKET protocol; MMC-2 commands) ----

function atapiAtaCommand(ch: u32, d: u32, cmd: u32): void {
  switch (cmd) {
    case 0xa0: {
      // PACKET: the features register says DMA (bit 0); the byte count limit
      // is in the cylinder registers.
      let bcl = t8(d, C_LCYL) | (t8(d, C_HCYL) << 8);
      if (bcl == 0 || bcl == 0xffff) bcl = 0xfffe;
      sd32(d, D_BCL, bcl & ~1);
      sd8(d, D_XFER, X_PACKET);
      sd32(d, D_PTR, 0);
      sd8(d, D_DMA, t8(d, C_FEATURE) & 1);
      memory.fill(drBase(d) + D_PACKET, 0, 16);
      st8(d, C_NSECTOR, IR_COD);
      sd8(d, D_ERROR, 0);
      sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
      break;
    }
    case 0xa1: identifyPacket(ch, d); break;
    case 0x08: // DEVICE RESET
      resetDrive(d, false);
      break;
    case 0xec:
      // IDENTIFY DEVICE on a packet device aborts with the signature in place,
      // which is how hosts tell the two apart (ATA/ATAPI-6 IDENTIFY DEVICE).
      setSignature(d);
      abortCommand(ch, d);
      break;
    case 0xef: setFeatures(ch, d); break;
    case 0xe5: case 0x98: st8(d, C_NSECTOR, 0xff); completeNoData(ch, d); break;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe7: completeNoData(ch, d); break;
    case 0x90: diagnostic(ch); break;
    default: abortCommand(ch, d);
  }
}

function identifyPacket(ch: u32, d: u32): void {
  let b = bufBase(ch);
  memory.fill(b, 0, 512);
  // ATAPI, CD-ROM (type 5), removable, DRQ within 50 us, 12-byte packets.
  idWord(b, 0, 0x85c0);
  idSerial(b, d);
  idString(b, 23, 4, "1.0");
  idString(b, 27, 20, "RingZero CD-ROM");
  idWord(b, 49, 0x0b00);                  // IORDY, LBA, DMA
  idWord(b, 53, 0x0006);                  // words 64-70 and 88 valid
  modeWords(b, d);
  idWord(b, 71, 30); idWord(b, 72, 30);   // release / service times
  idWord(b, 80, 0x00f0);
  idWord(b, 82, 0x4014);                  // NOP, PACKET, removable media
  idWord(b, 83, 0x4000);
  idWord(b, 84, 0x4000);
  idWord(b, 85, 0x4014);
  idWord(b, 87, 0x4000);
  idWord(b, 93, 0x4001);
  pioDataIn(ch, d, 512);
}

@inline function pk(d: u32, i: u32): u32 { return <u32>load<u8>(drBase(d) + D_PACKET + i); }
@inline function pk16(d: u32, i: u32): u32 { return (pk(d, i) << 8) | pk(d, i + 1); }
@inline function pk32(d: u32, i: u32): u32 { return (pk16(d, i) << 16) | pk16(d, i + 2); }
@inline function put16be(a: u32, v: u32): void { store<u8>(a, <u8>(v >> 8)); store<u8>(a + 1, <u8>v); }
@inline function put32be(a: u32, v: u32): void { put16be(a, v >> 16); put16be(a + 2, v); }

function setSense(d: u32, key: u32, asc: u32, ascq: u32): void {
  sd8(d, D_SENSE, key); sd8(d, D_ASC, asc); sd8(d, D_ASCQ, ascq);
}

/** CHECK CONDITION: error register = sense key << 4 (ATA/ATAPI-6 PACKET command error outputs). */
function atapiError(ch: u32, d: u32, key: u32, asc: u32): void {
  setSense(d, key, asc, 0);
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, key << 4);
  sd8(d, D_STATUS, ST_DRDY | ST_ERR);
  st8(d, C_NSECTOR, IR_IO | IR_COD);
  raiseIrq(ch);
}
function atapiOk(ch: u32, d: u32): void {
  setSense(d, 0, 0, 0);
  sd8(d, D_XFER, X_NONE);
  sd8(d, D_ERROR, 0);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC);
  st8(d, C_NSECTOR, IR_IO | IR_COD);
  raiseIrq(ch);
}

@inline function cdBlocks(d: u32): u32 { return <u32>(d64(d, D_SECTORS) >> 2); }

function atapiCommand(ch: u32, d: u32): void {
  let op = pk(d, 0);
  // A pending unit attention fails the next command except these (SPC-2 unit attention condition).
  if (d8(d, D_UA) && op != 0x03 && op != 0x12 && op != 0x46 && op != 0x4a) {
    sd8(d, D_UA, 0);
    atapiError(ch, d, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
    return;
  }
  let needsMedium = op == 0x00 || op == 0x25 || op == 0x28 || op == 0xa8 || op == 0x43 || op == 0x2b || op == 0x51;
  if (needsMedium && !d8(d, D_MEDIUM)) { atapiError(ch, d, SK_NOT_READY, ASC_NO_MEDIUM); return; }
  let b = bufBase(ch);
  switch (op) {
    case 0x00: atapiOk(ch, d); break;                    // TEST UNIT READY
    case 0x03: {                                          // REQUEST SENSE (fixed format)
      memory.fill(b, 0, 18);
      store<u8>(b, 0xf0);                                 // valid, current error
      store<u8>(b + 2, <u8>d8(d, D_SENSE));
      store<u8>(b + 7, 10);
      store<u8>(b + 12, <u8>d8(d, D_ASC));
      store<u8>(b + 13, <u8>d8(d, D_ASCQ));
      setSense(d, 0, 0, 0);
      atapiReply(ch, d, 18, pk(d, 4));
      break;
    }
    case 0x12: {                                          // INQUIRY (SPC-2 INQUIRY)
      if (pk(d, 1) & 1) { atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_FIELD); break; } // no VPD pages
      memory.fill(b, 0, 36);
      store<u8>(b, 0x05);                                 // CD/DVD device
      store<u8>(b + 1, 0x80);                             // removable
      store<u8>(b + 2, 0x00);
      store<u8>(b + 3, 0x21);                             // ATAPI; response data format 1
      store<u8>(b + 4, 31);                               // additional length
      putAscii(b + 8, "RINGZERO", 8);
      putAscii(b + 16, "RingZero CD-ROM", 16);
      putAscii(b + 32, "1.0", 4);
      atapiReply(ch, d, 36, pk16(d, 3));
      break;
    }
    case 0x25: {                                          // READ CAPACITY
      put32be(b, cdBlocks(d) - 1);
      put32be(b + 4, 2048);
      atapiReply(ch, d, 8, 8);
      break;
    }
    case 0x28: atapiRead(ch, d, pk32(d, 2), pk16(d, 7)); break;   // READ(10)
    case 0xa8: atapiRead(ch, d, pk32(d, 2), pk32(d, 6)); break;   // READ(12)
    case 0x2b: atapiOk(ch, d); break;                              // SEEK(10)
    case 0x5a: modeSense(ch, d); break;                            // MODE SENSE(10)
    case 0x46: getConfiguration(ch, d); break;
    case 0x43: readToc(ch, d); break;
    case 0x4a: getEventStatus(ch, d); break;
    case 0x1b: {                                          // START STOP UNIT
      let loej = (pk(d, 4) & 2) != 0, start = (pk(d, 4) & 1) != 0;
      if (loej && !start) {
        if (d8(d, D_LOCKED)) { atapiError(ch, d, SK_NOT_READY, ASC_REMOVAL_PREVENTED); break; }
        if (d8(d, D_MEDIUM)) { sd8(d, D_MEDIUM, 0); sd8(d, D_EVENT, 3); sd8(d, D_EJECTED, 1); }
      }
      atapiOk(ch, d);
      break;
    }
    case 0x1e: sd8(d, D_LOCKED, pk(d, 4) & 1); atapiOk(ch, d); break; // PREVENT ALLOW MEDIUM REMOVAL
    case 0xbb: atapiOk(ch, d); break;                     // SET CD SPEED
    case 0xbd: {                                          // MECHANISM STATUS
      memory.fill(b, 0, 8);
      store<u8>(b + 5, 1);                                // one slot
      atapiReply(ch, d, 8, pk16(d, 8));
      break;
    }
    case 0x51: {                                          // READ DISC INFORMATION
      memory.fill(b, 0, 34);
      put16be(b, 32);
      store<u8>(b + 2, 0x0e);                             // complete disc, complete last session
      store<u8>(b + 3, 1); store<u8>(b + 4, 1); store<u8>(b + 5, 1); store<u8>(b + 6, 1);
      atapiReply(ch, d, 34, pk16(d, 7));
      break;
    }
    default: atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_OPCODE);
  }
}

function putAscii(a: u32, s: string, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(a + i, <u8>(i < <u32>s.length ? s.charCodeAt(i) : 0x20));
}

/** MMC-2 MSF addressing: LBA to minutes:seconds:frames (75 frames/s, 2 s pre-gap). */
function putMsf(a: u32, lba: u32): void {
  let f = lba + 150;
  store<u8>(a, 0);
  store<u8>(a + 1, <u8>(f / 4500));
  store<u8>(a + 2, <u8>((f / 75) % 60));
  store<u8>(a + 3, <u8>(f % 75));
}

function readToc(ch: u32, d: u32): void {
  let b = bufBase(ch);
  let msf = (pk(d, 1) & 2) != 0;
  let format = pk(d, 2) & 0x0f;
  if (format == 0) format = pk(d, 9) >> 6;   // the old SFF-8020 place for it
  let alloc = pk16(d, 7);
  if (format == 0) {
    let start = pk(d, 6);
    if (start > 1 && start != 0xaa) { atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_FIELD); return; }
    let p = b + 4;
    store<u8>(b + 2, 1); store<u8>(b + 3, 1);  // first and last track
    if (start <= 1) {
      store<u8>(p, 0); store<u8>(p + 1, 0x14); store<u8>(p + 2, 1); store<u8>(p + 3, 0); // data track 1
      if (msf) putMsf(p + 4, 0); else put32be(p + 4, 0);
      p += 8;
    }
    store<u8>(p, 0); store<u8>(p + 1, 0x16); store<u8>(p + 2, 0xaa); store<u8>(p + 3, 0);  // lead-out
    if (msf) putMsf(p + 4, cdBlocks(d)); else put32be(p + 4, cdBlocks(d));
    p += 8;
    put16be(b, p - b - 2);
    atapiReply(ch, d, p - b, alloc);
  } else if (format == 1) {
    // Session information: one session, its first track at LBA 0.
    memory.fill(b, 0, 12);
    put16be(b, 10);
    store<u8>(b + 2, 1); store<u8>(b + 3, 1);
    store<u8>(b + 5, 0x14); store<u8>(b + 6, 1);
    if (msf) putMsf(b + 8, 0);
    atapiReply(ch, d, 12, alloc);
  } else {
    atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_FIELD);
  }
}

function modeSense(ch: u32, d: u32): void {
  let b = bufBase(ch);
  let page = pk(d, 2) & 0x3f, pc = pk(d, 2) >> 6;
  if (pc == 3) { atapiError(ch, d, SK_ILLEGAL, 0x39); return; } // saving parameters not supported
  memory.fill(b, 0, 64);
  let p = b + 8;   // header; no block descriptors
  if (page == 0x01 || page == 0x3f) {
    // Read error recovery page: retry count 5.
    store<u8>(p, 0x01); store<u8>(p + 1, 6); store<u8>(p + 3, 5);
    p += 8;
  }
  if (page == 0x2a || page == 0x3f) {
    // CD capabilities and mechanical status (MMC-2 mode page 2Ah).
    store<u8>(p, 0x2a); store<u8>(p + 1, 0x12);
    store<u8>(p + 2, 0x00);                       // reads CD-ROM only
    store<u8>(p + 4, 0x70);                        // multi-session, mode 2 form 1/2
    store<u8>(p + 5, 0x00);
    store<u8>(p + 6, <u8>(0x29 | (d8(d, D_LOCKED) << 1))); // tray, eject, lock (+ locked state)
    put16be(p + 8, 706 * 8);                       // max speed, kB/s
    put16be(p + 10, 0);
    put16be(p + 12, 512);                          // buffer, KiB
    put16be(p + 14, 706 * 8);
    p += 20;
  }
  if (p == b + 8) { atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_FIELD); return; }
  put16be(b, p - b - 2);
  store<u8>(b + 2, d8(d, D_MEDIUM) ? 0x01 : 0x70); // medium type: data CD / door closed, no disc
  atapiReply(ch, d, p - b, pk16(d, 7));
}

function getConfiguration(ch: u32, d: u32): void {
  let b = bufBase(ch);
  let has = d8(d, D_MEDIUM) != 0;
  memory.fill(b, 0, 32);
  put16be(b + 6, has ? 0x0008 : 0);   // current profile: CD-ROM
  let p = b + 8;
  // Feature 0000h profile list: one profile, CD-ROM.
  put16be(p, 0x0000); store<u8>(p + 2, 0x03); store<u8>(p + 3, 4);
  put16be(p + 4, 0x0008); store<u8>(p + 6, has ? 1 : 0);
  p += 8;
  // Feature 0001h core: ATAPI physical interface.
  put16be(p, 0x0001); store<u8>(p + 2, 0x03); store<u8>(p + 3, 4);
  put32be(p + 4, 2);
  p += 8;
  let rt = pk(d, 1) & 3, first = pk16(d, 2);
  let end = p;
  if (rt == 2) {
    // Only the starting feature.
    if (first == 0) end = b + 16;
    else if (first == 1) { memory.copy(b + 8, b + 16, 8); end = b + 16; }
    else end = b + 8;
  }
  put32be(b, end - b - 4);
  atapiReply(ch, d, end - b, pk16(d, 7));
}

function getEventStatus(ch: u32, d: u32): void {
  // Only the polled form is supported (MMC-3 GET EVENT STATUS NOTIFICATION).
  if ((pk(d, 1) & 1) == 0) { atapiError(ch, d, SK_ILLEGAL, ASC_INVALID_FIELD); return; }
  let b = bufBase(ch);
  memory.fill(b, 0, 8);
  let classes = pk(d, 4);
  store<u8>(b + 3, 0x10);                     // supported: media class
  if (classes & 0x10) {
    put16be(b, 6);
    store<u8>(b + 2, 0x04);                   // media class
    let ev = d8(d, D_EVENT);
    store<u8>(b + 4, <u8>ev);
    store<u8>(b + 5, d8(d, D_MEDIUM) ? 0x02 : 0x00);
    sd8(d, D_EVENT, 0);
    atapiReply(ch, d, 8, pk16(d, 7));
  } else {
    put16be(b, 2);
    store<u8>(b + 2, 0x80);                   // no event available
    atapiReply(ch, d, 4, pk16(d, 7));
  }
}

/** Send `len` bytes from the bounce buffer, cut to the allocation length. */
function atapiReply(ch: u32, d: u32, len: u32, alloc: u32): void {
  if (alloc < len) len = alloc;
  if (len == 0) { atapiOk(ch, d); return; }
  sd32(d, D_REMAIN, 0);
  sd32(d, D_BUFLEN, len);
  atapiDataStart(ch, d);
}

function atapiRead(ch: u32, d: u32, lba: u32, count: u32): void {
  if (<u64>lba + <u64>count > <u64>cdBlocks(d)) { atapiError(ch, d, SK_ILLEGAL, ASC_LBA_OUT_OF_RANGE); return; }
  if (count == 0) { atapiOk(ch, d); return; }
  sd64(d, D_LBA, <u64>lba);
  sd32(d, D_REMAIN, count);
  if (!atapiFill(ch, d)) return;
  atapiDataStart(ch, d);
}

/** Refill the bounce buffer with up to 64 CD blocks; false (and CHECK CONDITION) on error. */
function atapiFill(ch: u32, d: u32): bool {
  let remain = d32(d, D_REMAIN);
  let n: u32 = remain < 64 ? remain : 64;
  let lba = <u32>d64(d, D_LBA);
  if (!hostIo(d, false, <u64>lba << 2, n << 2, bufBase(ch))) {
    atapiError(ch, d, SK_MEDIUM_ERROR, ASC_READ_ERROR);
    return false;
  }
  sd64(d, D_LBA, <u64>(lba + n));
  sd32(d, D_REMAIN, remain - n);
  sd32(d, D_BUFLEN, n << 11);
  sd32(d, D_PTR, 0);
  return true;
}

function atapiDataStart(ch: u32, d: u32): void {
  sd32(d, D_PTR, 0);
  if (d8(d, D_DMA)) {
    // The packet asked for DMA: wait for (or use) the bus master.
    sd8(d, D_XFER, X_ATAPI_DMA);
    sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
    if (c8(ch, C_BM_STATUS) & 1) atapiDma(ch, d);
    return;
  }
  atapiDrq(ch, d);
}

/** Offer the next PIO DRQ block: at most the byte count limit (ATA/ATAPI-6 PACKET protocol). */
function atapiDrq(ch: u32, d: u32): void {
  let p = d32(d, D_PTR);
  let n = d32(d, D_BUFLEN) - p;
  let bcl = d32(d, D_BCL);
  if (n > bcl) n = bcl;
  sd32(d, D_END, p + n);
  sd32(d, D_BLOCK, n);
  st8(d, C_LCYL, n & 0xff); st8(d, C_HCYL, n >> 8);
  st8(d, C_NSECTOR, IR_IO);
  sd8(d, D_XFER, X_ATAPI_IN);
  sd8(d, D_STATUS, ST_DRDY | ST_DSC | ST_DRQ);
  raiseIrq(ch);
}

/** A DRQ block was read: the next one, a refill of the buffer, or the end
 *  (the buffer is used up and no blocks remain). */
function atapiDrqDone(ch: u32, d: u32): void {
  let end = d32(d, D_END);
  sd32(d, D_PTR, end);
  if (end >= d32(d, D_BUFLEN)) {
    if (d32(d, D_REMAIN) == 0) { atapiOk(ch, d); return; }
    if (!atapiFill(ch, d)) return;
  }
  atapiDrq(ch, d);
}

function atapiDma(ch: u32, d: u32): void {
  prdBegin(ch);
  let buf = bufBase(ch);
  for (;;) {
    let len = d32(d, D_BUFLEN);
    let moved = prdTransfer(buf, len, true);
    if (moved < len) { dmaFinish(ch, true); return; }
    if (d32(d, D_REMAIN) == 0) break;
    if (!atapiFill(ch, d)) { dmaFinish(ch, false); return; }
  }
  dmaFinish(ch, false);
  atapiOk(ch, d);
}
