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

/** A table's bytes after the 36-byte header (signature, length, checksum and OEM fields differ). */
function body(ram: Uint8Array, sigWanted: string): number[] {
  const v = new DataView(ram.buffer);
  const rsdt = v.getUint32(ACPI_TABLES + 16, true);
  const n = (v.getUint32(rsdt + 4, true) - 36) / 4;
  for (let i = 0; i < n; i++) {
    const t = v.getUint32(rsdt + 36 + 4 * i, true);
    if (sig(ram, t) === sigWanted) {
      expect(sum(ram, t, v.getUint32(t + 4, true))).toBe(0);
      return [...ram.subarray(t + 36, t + v.getUint32(t + 4, true))];
    }
  }
  throw new Error(`no ${sigWanted} in the RSDT`);
}
const bytes = (s: string) => s.trim().split(/\s+/).map((h) => parseInt(h, 16));

// Recorded from qemu-system-i386 7.2 (pc machine, -m 256, the default guest's
// /sys/firmware/acpi/tables/APIC and HPET, after the 36-byte header).
const QEMU_MADT_BODY = bytes(`
  00 00 e0 fe 01 00 00 00
  00 08 00 00 01 00 00 00
  01 0c 00 00 00 00 c0 fe 00 00 00 00
  02 0a 00 00 02 00 00 00 00 00
  02 0a 00 05 05 00 00 00 0d 00
  02 0a 00 09 09 00 00 00 0d 00
  02 0a 00 0a 0a 00 00 00 0d 00
  02 0a 00 0b 0b 00 00 00 0d 00
  04 06 ff 00 00 01`);
const QEMU_HPET_BODY = bytes("01 a2 86 80 00 00 00 00 00 00 d0 fe 00 00 00 00 00 00 00 00");

test("MADT and HPET tables: QEMU's bytes, without its PCI link overrides (IRQ 5, 10, 11)", () => {
  const ram = new Uint8Array(1 << 20);
  writeAcpiTables(ram);
  // QEMU marks IRQ 5, 10 and 11 level (its PCI interrupt links, _PRT); RingZero's
  // DSDT has no links (PCI INTx reach I/O APIC pins 16-19), so only the timer's and the SCI's.
  const pciLinks = [5, 10, 11];
  const expected: number[] = [];
  for (let i = 0; i < QEMU_MADT_BODY.length;) {
    const type = QEMU_MADT_BODY[i], len = type === 0 && i === 0 ? 8 : QEMU_MADT_BODY[i + 1];
    const entry = QEMU_MADT_BODY.slice(i, i + len);
    if (!(i > 0 && type === 2 && pciLinks.includes(entry[3]))) expected.push(...entry);
    i += len;
  }
  expect(body(ram, "APIC")).toEqual(expected);
  expect(body(ram, "HPET")).toEqual(QEMU_HPET_BODY);
  // FADT flags: WBINVD, PROC_C1, SLP_BUTTON; PWR_BUTTON clear (the fixed power button).
  const v = new DataView(ram.buffer);
  const fadt = v.getUint32(v.getUint32(ACPI_TABLES + 16, true) + 36, true);
  expect(v.getUint32(fadt + 112, true) & 0x3f).toBe(0x25);
});

test("without an HPET (-no-hpet) the RSDT lists FACP and APIC only", () => {
  const ram = new Uint8Array(1 << 20);
  writeAcpiTables(ram, ACPI_TABLES, { hpet: false });
  const v = new DataView(ram.buffer);
  const rsdt = v.getUint32(ACPI_TABLES + 16, true);
  expect(v.getUint32(rsdt + 4, true)).toBe(36 + 8);
  expect([sig(ram, v.getUint32(rsdt + 36, true)), sig(ram, v.getUint32(rsdt + 40, true))]).toEqual(["FACP", "APIC"]);
});

/** IRQ 9's bit in the slave 8259A's IRR (OCW3 read IRR). */
async function sciMachine() {
  const m = await makeMachine();
  m.outb(0x4d1, 0x02);              // ELCR: IRQ 9 level-triggered, as Linux sets it for the SCI
  const irq9 = () => { m.outb(0xa0, 0x0a); return (m.inb(0xa0) >> 1) & 1; };
  return { m, irq9 };
}

test("SCI: the power button sets PWRBTN_STS; IRQ 9 is high while it is set and enabled (ACPI 1.0b §4.7.2.5)", async () => {
  const { m, irq9 } = await sciMachine();
  expect(m.inw(0x600)).toBe(0);
  m.x.powerButton();
  expect(m.inw(0x600) & 0x100).toBe(0x100);
  expect(irq9()).toBe(0);           // PWRBTN_EN clear: status only
  m.outw(0x602, 0x100);
  expect(irq9()).toBe(1);
  m.outw(0x600, 0x100);             // write 1 to clear
  expect(m.inw(0x600) & 0x100).toBe(0);
  expect(irq9()).toBe(0);
});

test("SCI: TMR_STS when bit 23 of the PM timer changes (every 2^23 / 3.579545 MHz = 2.34 s)", async () => {
  const { m, irq9 } = await sciMachine();
  m.outw(0x600, 0xffff);
  const t0 = m.inl(0x608);
  const toCarry = (0x800000 - (t0 & 0x7fffff)) / 3579545 * 1e9; // ns until bit 23 next changes
  m.x.testAdvance(Math.max(0, toCarry - 1e6));
  expect(m.inw(0x600) & 1).toBe(0);
  m.outw(0x602, 0x001);             // TMR_EN
  expect(irq9()).toBe(0);
  m.x.testAdvance(2e6);
  expect(m.inw(0x600) & 1).toBe(1);
  expect(irq9()).toBe(1);
  m.outw(0x600, 0x001);
  expect(irq9()).toBe(0);
  // The next carry is 2^23 counts later.
  m.x.testAdvance(2.3e9);
  expect(m.inw(0x600) & 1).toBe(0);
  m.x.testAdvance(0.05e9);
  expect(m.inw(0x600) & 1).toBe(1);
});

test("-no-hpet: nothing answers at 0xFED00000", async () => {
  const m = await makeMachine();
  expect(m.x.testMemRead32(0xfed00000) >>> 0).toBe(0x8086a201);
  m.x.setHpet(0);
  expect(m.x.testMemRead32(0xfed00000) >>> 0).not.toBe(0x8086a201);
});
