// ACPI for direct boot: the tables the host writes (web/host/acpi.ts, ACPI 1.0b
// §5.2) and the PM registers they name (asm/dev/acpipm.ts), at register level.
import { test, expect } from "vitest";
import { makeMachine } from "./machine";
import { writeAcpiTables, ACPI_TABLES } from "../../web/host/acpi";

const sum = (b: Uint8Array, at: number, len: number) => b.subarray(at, at + len).reduce((s, x) => (s + x) & 0xff, 0);
const sig = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

test("RSDP -> RSDT -> FADT -> FACS, DSDT: signatures, lengths and checksums as ACPI 1.0b requires", () => {
  const ram = new Uint8Array(1 << 20);
  const rsdp = writeAcpiTables(ram);
  const v = new DataView(ram.buffer);
  expect(rsdp).toBe(ACPI_TABLES);
  expect(rsdp % 16).toBe(0);
  expect(String.fromCharCode(...ram.subarray(rsdp, rsdp + 8))).toBe("RSD PTR ");
  expect(sum(ram, rsdp, 20)).toBe(0);
  const rsdt = v.getUint32(rsdp + 16, true);
  expect(sig(ram, rsdt)).toBe("RSDT");
  expect(sum(ram, rsdt, v.getUint32(rsdt + 4, true))).toBe(0);
  const fadt = v.getUint32(rsdt + 36, true);
  expect(sig(ram, fadt)).toBe("FACP");
  expect(v.getUint32(fadt + 4, true)).toBe(116);
  expect(sum(ram, fadt, 116)).toBe(0);
  const facs = v.getUint32(fadt + 36, true), dsdt = v.getUint32(fadt + 40, true);
  expect(sig(ram, facs)).toBe("FACS");
  expect(facs % 64).toBe(0);
  expect(sig(ram, dsdt)).toBe("DSDT");
  expect(sum(ram, dsdt, v.getUint32(dsdt + 4, true))).toBe(0);
  // The PM blocks of asm/dev/acpipm.ts, the SCI on IRQ 9, everything below 640 KiB.
  expect([v.getUint32(fadt + 56, true), v.getUint32(fadt + 64, true), v.getUint32(fadt + 76, true)]).toEqual([0x600, 0x604, 0x608]);
  expect([ram[fadt + 88], ram[fadt + 89], ram[fadt + 91]]).toEqual([4, 2, 4]);
  expect(v.getUint16(fadt + 46, true)).toBe(9);
  expect(dsdt + v.getUint32(dsdt + 4, true)).toBeLessThanOrEqual(0xa0000);
});

test("the PM timer counts at 3.579545 MHz on the virtual clock, 24 bits wide", async () => {
  const m = await makeMachine();
  const t0 = m.inl(0x608);
  m.x.testAdvance(1e9);
  expect((m.inl(0x608) - t0) & 0xffffff).toBe(3579545 % 0x1000000);
  m.x.testAdvance(5e9);               // 17.9 M counts: past 2^24, it wraps
  expect((m.inl(0x608) - t0) & 0xffffff).toBe((3579545 * 6) % 0x1000000);
  expect(m.inl(0x608) >>> 24).toBe(0);
  expect(m.inw(0x608)).toBe(m.inl(0x608) & 0xffff);
});

test("PM1 control: SCI_EN reads 1 (always in ACPI mode); the enable register holds what is written", async () => {
  const m = await makeMachine();
  expect(m.inw(0x604) & 1).toBe(1);
  m.outw(0x602, 0x0120);
  expect(m.inw(0x602)).toBe(0x0120);
  expect(m.inl(0x600) >>> 16).toBe(0x0120);
  // SLP_EN with SLP_TYP 0 (the _S5 of the DSDT) powers off: tests/system/linux-boot.test.ts's poweroff.
});
