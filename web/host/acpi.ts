// ACPI tables for direct kernel boot (ACPI 1.0b §5.2; what firmware would leave
// in memory): RSDP -> RSDT -> FADT -> FACS and DSDT, MADT ("APIC"), HPET,
// describing:
//   - the fixed power-management hardware (asm/dev/acpipm.ts): the PM timer,
//     which Linux then uses as a clocksource and as the watchdog that checks the
//     TSC; the PM1 control register with an _S5 sleep type, so `poweroff` turns
//     the machine off; the SCI on IRQ 9; a fixed power button (FADT flags)
//   - the interrupt controllers (MADT, ACPI 1.0b §5.2.8): the local APIC at
//     0xFEE00000 with the 8259A pair present (PCAT_COMPAT), the I/O APIC at
//     0xFEC00000 from GSI 0, QEMU's overrides (ISA IRQ0 -> GSI 2, IRQ9 level
//     active-high for the SCI) and LINT1 as NMI, so Linux runs in APIC mode
//   - the HPET (IA-PC HPET spec 1.0a §3.2.4) at 0xFED00000 (asm/dev/hpet.ts),
//     left out for -no-hpet
//   - the PCI root bridge (DSDT).
// The same bytes as QEMU's 7.2 pc machine where the fields mean the same
// (tests/guest/acpi.test.ts compares them); the OEM IDs are RingZero's. Firmware
// boots get their tables from SeaBIOS instead.
//
//   const rsdp = writeAcpiTables(ram, ACPI_TABLES);   // then boot_params.acpi_rsdp_addr = rsdp

import { LOW_MEM_END, EBDA_END } from "./memmap";

/** Where direct boot puts the tables: the 1 KiB EBDA below 640 KiB, which the
 *  e820 map reserves. */
export const ACPI_TABLES = LOW_MEM_END;
export const ACPI_TABLES_END = EBDA_END;

// asm/dev/acpipm.ts: the PM blocks' ports
const PM_BASE = 0x600;
const PM1_EVT_BLK = PM_BASE, PM1_CNT_BLK = PM_BASE + 4, PM_TMR_BLK = PM_BASE + 8;
const SCI_IRQ = 9;
const CMOS_CENTURY = 0x32;
// FADT flags (ACPI 1.0b table 5-9): WBINVD works, C1 (HLT) supported, no fixed
// sleep button; PWR_BUTTON clear: the power button is the fixed-feature one
// (PM1 PWRBTN_STS), as on QEMU's PIIX4.
const FADT_WBINVD = 1 << 0, FADT_PROC_C1 = 1 << 2, FADT_SLP_BUTTON = 1 << 5;

// MADT (ACPI 1.0b §5.2.8): structure types and flags
const LAPIC_ADDR = 0xfee00000, IOAPIC_ADDR = 0xfec00000, HPET_ADDR = 0xfed00000;
const MADT_PCAT_COMPAT = 1;
const MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_LAPIC_NMI = 4;
/** MPS INTI flags: polarity bits 0-1 (01 active high), trigger bits 2-3 (11 level). */
const INTI_CONFORMS = 0, INTI_HIGH_LEVEL = 0x0d;
/** The interrupt source overrides: ISA IRQ -> GSI with INTI flags. */
const OVERRIDES: [number, number, number][] = [[0, 2, INTI_CONFORMS], [SCI_IRQ, SCI_IRQ, INTI_HIGH_LEVEL]];
const MADT_SIZE = 44 + 8 + 12 + 10 * OVERRIDES.length + 6;
// HPET table (IA-PC HPET 1.0a table 3): the block's GCAP_ID low half, as QEMU's
const HPET_BLOCK_ID = 0x8086a201;
const HPET_SIZE = 56;
/** A C2/C3 latency above 100/1000 us means "not supported". */
const NO_C2 = 0x0fff, NO_C3 = 0x0fff;
const OEM_ID = "RZERO ";
const OEM_TABLE_ID = "RINGZERO";

// DSDT body (AML, ACPI 1.0b §16 and the resource descriptors of §6.4), by hand:
//   Name (_S5, Package (4) { 0, 0, 0, 0 })   the SLP_TYP acpipm.ts takes as soft-off
//   Device (\_SB.PCI0) {                     the PCI root bridge: with ACPI on, Linux
//     Name (_HID, EisaId ("PNP0A03"))        enumerates PCI only below the root bridges
//     Name (_ADR, 0)                         in the namespace, and assigns BARs only
//     Name (_CRS, ResourceTemplate () {      inside their windows (_CRS)
//       WordBusNumber 0-255, WordIO 0-0xCF7 and 0xD00-0xFFFF,
//       DWordMemory 0xA0000-0xBFFFF (VGA) and RAM end-0xFEBFFFFF })
//   }
// No _PRT: interrupt routing falls back to the interrupt line registers (the IDE
// controller uses the legacy IRQs 14 and 15).
const AML_S5 = [0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00];

const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number) => [...le16(v & 0xffff), ...le16(v >>> 16)];
/** Word address space descriptor (§6.4.3.5.3): type 1 I/O, 2 bus numbers; min and max fixed. */
const wordSpace = (type: number, min: number, max: number) =>
  [0x88, 0x0d, 0x00, type, 0x0c, type === 1 ? 0x03 : 0x00, ...le16(0), ...le16(min), ...le16(max), ...le16(0), ...le16(max - min + 1)];
/** DWord memory descriptor (§6.4.3.5.2): read/write, non-cacheable; min and max fixed. */
const dwordMemory = (min: number, max: number) =>
  [0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, ...le32(0), ...le32(min), ...le32(max), ...le32(0), ...le32(max - min + 1)];
/** PkgLength (§16.2.4) of a package whose contents after the PkgLength are `n` bytes. */
function pkgLength(n: number): number[] {
  if (n + 1 < 0x40) return [n + 1];
  const total = n + 2;
  if (total >= 0x1000) throw new Error("AML package too long");
  return [0x40 | (total & 0x0f), total >>> 4];
}
const nameSeg = (s: string) => [...s].map((c) => c.charCodeAt(0));

function amlPci0(ramBytes: number): number[] {
  const crs = [
    ...wordSpace(2, 0x00, 0xff),
    ...wordSpace(1, 0x0000, 0x0cf7),
    ...wordSpace(1, 0x0d00, 0xffff),
    ...dwordMemory(0x000a0000, 0x000bffff),
    ...dwordMemory(Math.max(ramBytes, 0x10000000), 0xfebfffff),
    0x79, 0x00,                                         // end tag
  ];
  const buffer = [0x0a, crs.length, ...crs];          // BufferSize (ByteConst), bytes
  const crsName = [0x08, ...nameSeg("_CRS"), 0x11, ...pkgLength(buffer.length), ...buffer];
  const body = [
    0x5c, 0x2e, ...nameSeg("_SB_"), ...nameSeg("PCI0"),                 // \_SB_.PCI0
    0x08, ...nameSeg("_HID"), 0x0c, 0x41, 0xd0, 0x0a, 0x03,             // EisaId "PNP0A03"
    0x08, ...nameSeg("_ADR"), 0x00,
    ...crsName,
  ];
  return [0x5b, 0x82, ...pkgLength(body.length), ...body];
}

const HEADER = 36;
const FADT_SIZE = 116;
const FACS_SIZE = 64;

function checksum(b: Uint8Array, at: number, len: number, field: number): void {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += b[at + i];
  b[at + field] = (b[at + field] - sum) & 0xff;
}

function ascii(b: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) b[at + i] = text.charCodeAt(i);
}

/** The standard table header (ACPI 1.0b table 5-4); the checksum is set last. */
function header(b: Uint8Array, at: number, sig: string, length: number, revision: number): DataView {
  const v = new DataView(b.buffer, b.byteOffset + at, length);
  ascii(b, at, sig);
  v.setUint32(4, length, true);
  v.setUint8(8, revision);
  ascii(b, at + 10, OEM_ID);
  ascii(b, at + 16, OEM_TABLE_ID);
  v.setUint32(24, 1, true);          // OEM revision
  ascii(b, at + 28, "RZ  ");         // creator ID
  v.setUint32(32, 1, true);          // creator revision
  return v;
}

export interface AcpiOptions {
  /** The machine has an HPET (QEMU's default; false for -no-hpet): an HPET table. */
  hpet?: boolean;
}

/** MADT: one processor (ACPI ID 0, APIC ID 0), the I/O APIC (ID 0, GSI base
 *  0), the overrides, and LINT1 of every processor as NMI (flags 0: conforms). */
function writeMadt(ram: Uint8Array, at: number): void {
  const v = header(ram, at, "APIC", MADT_SIZE, 1);
  v.setUint32(36, LAPIC_ADDR, true);
  v.setUint32(40, MADT_PCAT_COMPAT, true);
  let o = 44;
  const bytes = (...b: number[]) => { ram.set(b, at + o); o += b.length; };
  bytes(MADT_LAPIC, 8, 0, 0, ...le32(1));                              // enabled
  bytes(MADT_IOAPIC, 12, 0, 0, ...le32(IOAPIC_ADDR), ...le32(0));
  for (const [irq, gsi, flags] of OVERRIDES) bytes(MADT_ISO, 10, 0, irq, ...le32(gsi), ...le16(flags));
  bytes(MADT_LAPIC_NMI, 6, 0xff, ...le16(0), 1);
  checksum(ram, at, MADT_SIZE, 9);
}

/** A 32-bit field in "rsdp" or "tables" holding an offset into "tables", to
 *  which the tables' final address is added. */
interface Pointer { file: AcpiFile; offset: number }
/** A table's checksum byte at `field`, over `length` bytes from `start`. */
interface Checksum { file: AcpiFile; start: number; length: number; field: number }
type AcpiFile = "rsdp" | "tables";

/** The tables as two relocatable blobs, as QEMU hands them to firmware: the RSDP
 *  alone, and every other table in one blob (RSDT first; FACS 64-byte aligned
 *  within it), with the pointers between them as offsets and the checksums left
 *  to compute after relocation. */
export interface AcpiBlobs { rsdp: Uint8Array; tables: Uint8Array; pointers: Pointer[]; checksums: Checksum[] }

const align = (v: number, a: number) => (v + a - 1) & ~(a - 1);

export function buildAcpiTables(ramBytes: number, opts: AcpiOptions = {}): AcpiBlobs {
  const hpet = opts.hpet ?? true;
  const n = hpet ? 3 : 2;
  const rsdt = 0;                             // 36 + 4 per table
  const facs = align(HEADER + 4 * n, 64);     // 64-byte aligned (ACPI 1.0b §5.2.6)
  const fadt = facs + FACS_SIZE;
  const madt = align(fadt + FADT_SIZE, 4);
  const hpetAt = align(madt + MADT_SIZE, 4);
  const dsdt = align(hpetAt + (hpet ? HPET_SIZE : 0), 4);
  const aml = [...AML_S5, ...amlPci0(ramBytes)];
  const tables = new Uint8Array(dsdt + HEADER + aml.length);
  const rsdp = new Uint8Array(20);
  const pointers: Pointer[] = [];
  const checksums: Checksum[] = [];
  const ptr = (file: AcpiFile, b: Uint8Array, offset: number, target: number) => {
    new DataView(b.buffer).setUint32(offset, target, true);
    pointers.push({ file, offset });
  };
  const table = (at: number, length: number) => checksums.push({ file: "tables", start: at, length, field: at + 9 });

  ascii(rsdp, 0, "RSD PTR ");
  ascii(rsdp, 9, OEM_ID);
  rsdp[15] = 0;                               // revision 0: ACPI 1.0, RSDT only
  ptr("rsdp", rsdp, 16, rsdt);

  const list = hpet ? [fadt, madt, hpetAt] : [fadt, madt];
  header(tables, rsdt, "RSDT", HEADER + 4 * n, 1);
  list.forEach((t, i) => ptr("tables", tables, rsdt + HEADER + 4 * i, t));
  table(rsdt, HEADER + 4 * n);

  ascii(tables, facs, "FACS");
  new DataView(tables.buffer).setUint32(facs + 4, FACS_SIZE, true);

  const f = header(tables, fadt, "FACP", FADT_SIZE, 1);
  ptr("tables", tables, fadt + 36, facs);     // FIRMWARE_CTRL
  ptr("tables", tables, fadt + 40, dsdt);     // DSDT
  f.setUint16(46, SCI_IRQ, true);             // SCI_INT
  f.setUint32(48, 0, true);                   // SMI_CMD 0: always in ACPI mode
  f.setUint32(56, PM1_EVT_BLK, true);
  f.setUint32(64, PM1_CNT_BLK, true);
  f.setUint32(76, PM_TMR_BLK, true);
  f.setUint8(88, 4);                          // PM1_EVT_LEN
  f.setUint8(89, 2);                          // PM1_CNT_LEN
  f.setUint8(91, 4);                          // PM_TMR_LEN
  f.setUint16(96, NO_C2, true);
  f.setUint16(98, NO_C3, true);
  f.setUint8(108, CMOS_CENTURY);
  f.setUint32(112, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON, true);
  table(fadt, FADT_SIZE);

  writeMadt(tables, madt);
  table(madt, MADT_SIZE);
  if (hpet) {
    const h = header(tables, hpetAt, "HPET", HPET_SIZE, 1);
    h.setUint32(36, HPET_BLOCK_ID, true);     // event timer block ID
    h.setUint8(40, 0);                        // base address: GAS, system memory space
    h.setUint32(44, HPET_ADDR, true);
    h.setUint8(52, 0);                        // HPET number
    h.setUint16(53, 0, true);                 // minimum periodic tick: not given (as QEMU)
    h.setUint8(55, 0);                        // no page protection
    table(hpetAt, HPET_SIZE);
  }

  header(tables, dsdt, "DSDT", HEADER + aml.length, 1);
  tables.set(aml, dsdt + HEADER);
  table(dsdt, HEADER + aml.length);
  checksums.push({ file: "rsdp", start: 0, length: 20, field: 8 });
  return { rsdp, tables, pointers, checksums };
}

/** Do what firmware's loader does: add the tables' address to every pointer and
 *  set the checksums (the RSDP's last, over its final bytes). */
function relocate(b: AcpiBlobs, tablesAddr: number): void {
  for (const p of b.pointers) {
    const v = new DataView(b[p.file].buffer);
    v.setUint32(p.offset, v.getUint32(p.offset, true) + tablesAddr, true);
  }
  for (const c of b.checksums) checksum(b[c.file], c.start, c.length, c.field - c.start);
}

/** Write the tables at `base` in guest RAM (`ram` from physical 0): the RSDP at
 *  `base`, the rest from `base` + 40h; returns the RSDP's address. */
export function writeAcpiTables(ram: Uint8Array, base = ACPI_TABLES, opts: AcpiOptions = {}): number {
  const b = buildAcpiTables(ram.length, opts);
  const tablesAddr = base + 0x40;
  if (tablesAddr + b.tables.length > base + (ACPI_TABLES_END - ACPI_TABLES)) throw new Error("ACPI tables do not fit their area");
  relocate(b, tablesAddr);
  ram.fill(0, base, tablesAddr);
  ram.set(b.rsdp, base);
  ram.set(b.tables, tablesAddr);
  return base;
}

// QEMU's BIOS linker/loader script ("etc/table-loader", hw/acpi/bios-linker-
// loader.c's format, which SeaBIOS's romfile_loader.c executes): 128-byte
// commands, little-endian, file names NUL-padded to 56 bytes.
const LOADER_ENTRY = 128, LOADER_FILESZ = 56;
const LOADER_ALLOCATE = 1, LOADER_ADD_POINTER = 2, LOADER_ADD_CHECKSUM = 3;
const ZONE_HIGH = 1, ZONE_FSEG = 2;
export const ACPI_FILES = { rsdp: "etc/acpi/rsdp", tables: "etc/acpi/tables", loader: "etc/table-loader" } as const;

/** The three fw_cfg files through which SeaBIOS installs the tables, as QEMU
 *  provides them: the RSDP in the F segment (16-byte aligned), the tables in
 *  high memory (64-byte aligned, for the FACS), then the pointers and checksums. */
export function acpiFwCfgFiles(ramBytes: number, opts: AcpiOptions = {}): { name: string; data: Uint8Array }[] {
  const b = buildAcpiTables(ramBytes, opts);
  const cmds: Uint8Array[] = [];
  const cmd = (type: number) => {
    const e = new Uint8Array(LOADER_ENTRY);
    new DataView(e.buffer).setUint32(0, type, true);
    cmds.push(e);
    return { e, v: new DataView(e.buffer) };
  };
  const name = (e: Uint8Array, at: number, file: AcpiFile) => ascii(e, at, ACPI_FILES[file]);
  const alloc = (file: AcpiFile, alignment: number, zone: number) => {
    const { e, v } = cmd(LOADER_ALLOCATE);
    name(e, 4, file);
    v.setUint32(4 + LOADER_FILESZ, alignment, true);
    e[8 + LOADER_FILESZ] = zone;
  };
  alloc("tables", 64, ZONE_HIGH);
  alloc("rsdp", 16, ZONE_FSEG);
  for (const p of b.pointers) {
    const { e, v } = cmd(LOADER_ADD_POINTER);
    name(e, 4, p.file);
    name(e, 4 + LOADER_FILESZ, "tables");
    v.setUint32(4 + 2 * LOADER_FILESZ, p.offset, true);
    e[8 + 2 * LOADER_FILESZ] = 4;
  }
  for (const c of b.checksums) {
    const { e, v } = cmd(LOADER_ADD_CHECKSUM);
    name(e, 4, c.file);
    v.setUint32(4 + LOADER_FILESZ, c.field, true);
    v.setUint32(8 + LOADER_FILESZ, c.start, true);
    v.setUint32(12 + LOADER_FILESZ, c.length, true);
  }
  const loader = new Uint8Array(cmds.length * LOADER_ENTRY);
  cmds.forEach((c, i) => loader.set(c, i * LOADER_ENTRY));
  return [
    { name: ACPI_FILES.rsdp, data: b.rsdp },
    { name: ACPI_FILES.tables, data: b.tables },
    { name: ACPI_FILES.loader, data: loader },
  ];
}
