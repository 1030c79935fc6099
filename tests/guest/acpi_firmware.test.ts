// Firmware boot: SeaBIOS (Debian's, unmodified) installs RingZero's ACPI tables
// from fw_cfg "etc/acpi/rsdp", "etc/acpi/tables" and "etc/table-loader" (the
// BIOS linker/loader script, web/host/acpi.ts), as it does QEMU's. Read back from
// guest memory after SeaBIOS ran: the RSDP in the F segment, the other tables in
// high memory where SeaBIOS allocates them for QEMU too, every pointer followed
// and every checksum right.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { Machine, STOP } from "../../web/host/machine";
import { prepareFirmwareBoot } from "../../web/host/firmware";
import { buildAcpiTables } from "../../web/host/acpi";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const IMAGES = join(ROOT, "public/images");

const sum = (b: Uint8Array, at: number, len: number) => b.subarray(at, at + len).reduce((s, x) => (s + x) & 0xff, 0);
const sig = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

test("SeaBIOS installs the tables from fw_cfg: RSDP in F segment, RSDT/FADT/MADT/HPET/DSDT/FACS linked and checksummed", async () => {
  const ramBytes = 256 << 20;
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes });
  m.loadBios(readFileSync(join(IMAGES, "bios-256k.bin")));
  m.reset();
  prepareFirmwareBoot(m, "c");           // no drives: SeaBIOS sets up the machine, then finds nothing to boot
  for (let i = 0; i < 200; i++) {         // 200 M instructions: POST is long done
    const r = m.run(1_000_000);
    expect(r === STOP.RESET || r === STOP.POWEROFF).toBe(false);
  }
  const ram = m.ram();
  const v = new DataView(ram.buffer, ram.byteOffset, ram.length);
  let rsdp = -1;
  for (let a = 0xe0000; a < 0x100000; a += 16) {
    if (sig(ram, a) === "RSD " && sig(ram, a + 4) === "PTR " && sum(ram, a, 20) === 0) { rsdp = a; break; }
  }
  expect(rsdp, "an RSDP with a valid checksum in E0000-FFFFF").toBeGreaterThanOrEqual(0xf0000);
  console.log(`SeaBIOS placed the RSDP at ${rsdp.toString(16)}, the RSDT at ${v.getUint32(rsdp + 16, true).toString(16)}`);
  expect(String.fromCharCode(...ram.subarray(rsdp + 9, rsdp + 15))).toBe("RZERO ");
  const rsdt = v.getUint32(rsdp + 16, true);
  // QEMU 7.2 with -m 256: RSDP 0xF59D0, RSDT 0x0FFE1AD8 (SeaBIOS's high zone, just
  // below the top of RAM); the same allocator places RingZero's.
  expect(rsdt).toBeGreaterThan(ramBytes - (1 << 20));
  expect(rsdt).toBeLessThan(ramBytes);
  expect(sig(ram, rsdt)).toBe("RSDT");
  const len = v.getUint32(rsdt + 4, true);
  expect(sum(ram, rsdt, len)).toBe(0);
  const tables = new Map<string, number>();
  for (let o = 36; o < len; o += 4) {
    const t = v.getUint32(rsdt + o, true);
    expect(sum(ram, t, v.getUint32(t + 4, true))).toBe(0);
    tables.set(sig(ram, t), t);
  }
  expect([...tables.keys()]).toEqual(["FACP", "APIC", "HPET"]);
  const fadt = tables.get("FACP")!;
  const facs = v.getUint32(fadt + 36, true), dsdt = v.getUint32(fadt + 40, true);
  expect(sig(ram, facs)).toBe("FACS");
  expect(facs % 64).toBe(0);
  expect(sig(ram, dsdt)).toBe("DSDT");
  expect(sum(ram, dsdt, v.getUint32(dsdt + 4, true))).toBe(0);
  // The tables are the host's, byte for byte apart from the relocated pointers
  // and checksums: compare the MADT and the DSDT's AML with the blob.
  const blob = buildAcpiTables(ramBytes);
  const at = (s: string) => { for (let o = 0; o < blob.tables.length; o += 4) if (sig(blob.tables, o) === s) return o; return -1; };
  const madtLen = v.getUint32(tables.get("APIC")! + 4, true);
  expect([...ram.subarray(tables.get("APIC")! + 10, tables.get("APIC")! + madtLen)])
    .toEqual([...blob.tables.subarray(at("APIC") + 10, at("APIC") + madtLen)]);
  const dsdtLen = v.getUint32(dsdt + 4, true);
  expect([...ram.subarray(dsdt + 36, dsdt + dsdtLen)]).toEqual([...blob.tables.subarray(at("DSDT") + 36, at("DSDT") + dsdtLen)]);
  // Addresses as in direct boot: the PM blocks and the SCI.
  expect([v.getUint32(fadt + 56, true), v.getUint32(fadt + 64, true), v.getUint32(fadt + 76, true), v.getUint16(fadt + 46, true)])
    .toEqual([0x600, 0x604, 0x608, 9]);
}, 120_000);
