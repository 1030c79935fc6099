// Snapshot round trips device by device (issue 14, "every device's state equal
// after save/restore"). Each test puts one device of the PC into a state that is
// not its reset state through its I/O ports or MMIO, saves the machine with
// the API the command line's `migrate file:` uses (web/host/snapshot.ts save,
// with the CLI's zlib codec), restores the file into a fresh Machine made with
// the same settings (`-incoming file:`), and checks
//   (a) the state regions (docs/SNAPSHOT.md: cpu, devices, rings, events, vga,
//       ide) and RAM of the two machines are byte-equal, and the device's own
//       slots (asm/dev/slots.ts) did change from a fresh machine's, so the test
//       is not comparing two reset states;
//   (b) every register the test can read back through ports or MMIO reads the
//       same on both machines: reads without side effects, or the same
//       side-effecting sequence on both (then the regions are compared again);
//       state the machine derives rather than saves (A20, PAM, the bus-master
//       port claim, the VBE framebuffer mapping) is used on the restored one;
//   (c) a save of the restored machine, and a second save of the saved one,
//       are the same file as the first save (less the time of the save).
// Where a value is asserted it comes from the part's datasheet (8259A, 8254,
// 8042, MC146818, 16550A, 82093AA, SDM vol. 3 ch. 10, IA-PC HPET 1.0a, ACPI,
// PCI 2.1, ATA-4, IBM VGA, QEMU's fw_cfg.rst), not from the implementation.
// Time: the machines run in icount mode, and the host clock
// (MachineOptions.hostNow) is a constant. A test may move the virtual clock
// (testAdvance) while it programs machine A, to leave a counter mid-count;
// from the save on, no time passes on either machine until the reads, which
// do the same on both. One test runs in real time with the host clock still.
// Not here, because they hold no state: the debug exit port F4h (its exit code
// ends the run, and is not machine state) and the POST port 80h (no device).

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { Machine, RING } from "../../web/host/machine";
import { MemoryBackend, DRIVE } from "../../web/host/block";
import { save, restore, readHeader, REGION_NAMES, type RunIdentity } from "../../web/host/snapshot";
import { zlibCodec } from "../../web/cli/snapshot";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const wasm = new WebAssembly.Module(readFileSync(join(ROOT, "build/ringzero.wasm")));
const RAM = 32 << 20;
const identity: RunIdentity = { settings: { "-m": "32" }, images: [] };
/** The host clock stands still (ns). */
const HOST_NS = 1_765_000_000e9;

/** Device slot numbers, read from asm/dev/slots.ts (the one source of truth). */
const SLOT: Record<string, number> = (() => {
  const src = readFileSync(join(ROOT, "asm/dev/slots.ts"), "utf8");
  const out: Record<string, number> = {};
  for (const m of src.matchAll(/export const SLOT_(\w+): u32 = (0x[0-9a-fA-F]+|\d+);/g)) out[m[1]] = Number(m[2]);
  return out;
})();
const DEV_SLOT_SIZE = (() => {
  const m = /export const DEV_SLOT_SIZE: u32 = (0x[0-9a-fA-F]+|\d+);/.exec(readFileSync(join(ROOT, "asm/layout.ts"), "utf8"));
  return Number(m![1]);
})();

/** The module's test surface (asm/index.ts) that the host Machine keeps to
 *  itself: MMIO as the CPU's physical accesses make it, the clock, IRQ lines. */
interface TestHooks {
  testMemRead32(addr: number): number;
  testMemWrite32(addr: number, v: number): void;
  testAdvance(ns: number): void;
  testSetIrq(line: number, level: number): void;
  testAck(): number;
}
const hooks = (m: Machine) => (m as unknown as { x: TestHooks }).x;

/** The run's settings: what every machine of a round trip is made with (the
 *  command line's flags and images: here, drives attached by `setup`). */
type Setup = (m: Machine) => void;
async function fresh(setup?: Setup): Promise<Machine> {
  const m = await Machine.create({ wasm, ramBytes: RAM, hostNow: () => HOST_NS });
  setup?.(m);
  return m;
}

/** Port and MMIO access on one machine. */
function io(m: Machine) {
  const h = hooks(m);
  return {
    inb: (p: number) => m.portIn(p, 1), outb: (p: number, v: number) => m.portOut(p, 1, v),
    inw: (p: number) => m.portIn(p, 2), outw: (p: number, v: number) => m.portOut(p, 2, v),
    inl: (p: number) => m.portIn(p, 4), outl: (p: number, v: number) => m.portOut(p, 4, v),
    rd: (a: number) => h.testMemRead32(a) >>> 0, wr: (a: number, v: number) => h.testMemWrite32(a, v >>> 0),
    advance: (ns: number) => h.testAdvance(ns),
    irq: (line: number, level: number) => h.testSetIrq(line, level),
    ack: () => h.testAck(),
  };
}
type IO = ReturnType<typeof io>;

function regions(m: Machine): { name: string; bytes: Uint8Array }[] {
  const mem = new Uint8Array(m.memory.buffer);
  return m.stateRegions().map((r, i) => ({ name: REGION_NAMES[i], bytes: mem.subarray(r.base, r.base + r.size) }));
}
function devSlots(m: Machine, slot: number, count: number): Uint8Array {
  const d = regions(m).find((r) => r.name === "devices")!.bytes;
  return d.slice(slot * DEV_SLOT_SIZE, (slot + count) * DEV_SLOT_SIZE);
}

/** The first differing bytes of each state region and of RAM, as "region+offset: a b". */
function differences(a: Machine, b: Machine): string[] {
  const out: string[] = [];
  const ra = regions(a), rb = regions(b);
  const cmp = (name: string, x: Uint8Array, y: Uint8Array) => {
    if (x.length !== y.length) { out.push(`${name}: ${x.length} bytes against ${y.length}`); return; }
    if (Buffer.compare(x, y) === 0) return;
    for (let i = 0, n = 0; i < x.length && n < 8; i++) {
      if (x[i] !== y[i]) { out.push(`${name}+0x${i.toString(16)}: ${x[i]} ${y[i]}`); n++; }
    }
  };
  ra.forEach((r, i) => cmp(r.name, r.bytes, rb[i].bytes));
  cmp("ram", a.ram(), b.ram());
  return out;
}

/** Save `a` as `migrate file:` does and restore it into a fresh machine. */
async function roundTrip(a: Machine, setup?: Setup): Promise<{ b: Machine; file: Uint8Array }> {
  const file = await save(a, { identity }, zlibCodec);
  const b = await fresh(setup);
  await restore(b, file, "unit round trip", identity, zlibCodec);
  return { b, file };
}

/** A snapshot file without the time of the save: the header less `created`,
 *  and the sections' bytes (the CRC-32 covers the header too: left out). */
function content(file: Uint8Array): { header: object; body: Uint8Array } {
  const { created: _created, ...header } = readHeader(file, "content");
  const n = new DataView(file.buffer, file.byteOffset).getUint32(8, true);
  return { header, body: file.subarray(12 + n, file.length - 4) };
}

/**
 * The round trip for one device: `program` puts machine A's device into its
 * state; the device's `slots` ([first slot name, count]) must then differ from
 * a fresh machine's; after the round trip every region is equal, and `readBack`
 * (run on both) gives the same values, after which the regions are still equal.
 * Saving the restored machine, and the saved one again, gives the same file.
 * Returns what readBack gave on the restored machine, for datasheet checks.
 */
async function deviceRoundTrip<T>(slots: [string, number][], program: (x: IO, m: Machine) => void, readBack: (x: IO, m: Machine) => T,
  setup?: Setup): Promise<T> {
  const a = await fresh(setup);
  const pristine = await fresh(setup);
  program(io(a), a);
  for (const [name, count] of slots) {
    expect(SLOT[name], `slot ${name}`).toBeTypeOf("number");
    expect(Buffer.compare(devSlots(a, SLOT[name], count), devSlots(pristine, SLOT[name], count)), `${name} slots changed`).not.toBe(0);
  }
  const { b, file } = await roundTrip(a, setup);
  expect(differences(a, b)).toEqual([]);
  for (const [name, count] of slots) expect(devSlots(b, SLOT[name], count)).toEqual(devSlots(a, SLOT[name], count));
  // Idempotence, with no time passing: the restored machine saves the same
  // snapshot, and so does the saved one, saving again.
  expect(content(await save(b, { identity }, zlibCodec))).toEqual(content(file));
  expect(content(await save(a, { identity }, zlibCodec))).toEqual(content(file));
  const ra = readBack(io(a), a);
  const rb = readBack(io(b), b);
  expect(rb).toEqual(ra);
  expect(differences(a, b)).toEqual([]);
  return rb;
}

test("the comparison sees a one-byte change in a device slot, and a save of it differs", async () => {
  const a = await fresh();
  const { b, file } = await roundTrip(a);
  expect(differences(a, b)).toEqual([]);
  const dev = regions(b).find((r) => r.name === "devices")!.bytes;
  dev[SLOT.PIT * DEV_SLOT_SIZE + 5] ^= 0x40;
  expect(differences(a, b)).toEqual([`devices+0x${(SLOT.PIT * DEV_SLOT_SIZE + 5).toString(16)}: ${dev[SLOT.PIT * DEV_SLOT_SIZE + 5] ^ 0x40} ${dev[SLOT.PIT * DEV_SLOT_SIZE + 5]}`]);
  expect(content(await save(b, { identity }, zlibCodec))).not.toEqual(content(file));
});

// --- 8259A PICs (and the PIIX3 ELCR) ---

test("8259A master and slave: ICWs, IMR, IRR, ISR, the OCW3 read select and the ELCR survive a round trip", async () => {
  const got = await deviceRoundTrip([["PIC", 1]], (x) => {
    // LAPIC LINT0 as ExtINT (virtual wire) so that the 8259A's INT can be acknowledged.
    x.wr(0xfee000f0, 0x1ff); x.wr(0xfee00350, 0x700);
    x.outb(0x20, 0x11); x.outb(0x21, 0x30); x.outb(0x21, 0x04); x.outb(0x21, 0x01); // ICW1-4: vector base 30h, slave on IR2
    x.outb(0xa0, 0x11); x.outb(0xa1, 0x70); x.outb(0xa1, 0x02); x.outb(0xa1, 0x01);
    x.outb(0x21, 0xf2);                     // OCW1: IR0, IR2, IR3 unmasked
    x.outb(0xa1, 0x3c);
    x.irq(3, 1);
    expect(x.ack()).toBe(0x33);             // 8259A: vector = ICW2 T7-T3 | IR number
    x.irq(4, 1);                            // masked: stays in the IRR
    x.irq(10, 1);                           // slave IR2, masked
    x.outb(0x20, 0x0b);                     // OCW3: read the ISR on the next read of 20h
    x.outb(0x4d0, 0x20); x.outb(0x4d1, 0x0e);
  }, (x, m) => ({
    regs: [m.picRegisters(0), m.picRegisters(1)],
    ports: [x.inb(0x20), x.inb(0x21), x.inb(0xa0), x.inb(0xa1), x.inb(0x4d0), x.inb(0x4d1)],
  }));
  // 20h reads the ISR (OCW3 RR=1 RIS=1), A0h the IRR (the default read select).
  expect(got.ports).toEqual([0x08, 0xf2, 0x04, 0x3c, 0x20, 0x0e]);
  expect(got.regs[0]).toMatchObject({ isr: 0x08, imr: 0xf2, base: 0x30, readIsr: true, elcr: 0x20 });
  expect(got.regs[0].irr & 0x10).toBe(0x10);
  expect(got.regs[1]).toMatchObject({ irr: 0x04, isr: 0, imr: 0x3c, base: 0x70, readIsr: false, elcr: 0x0e });
});

// --- 8254 PIT (and port 61h, which gates counter 2) ---

const PIT_HZ = 1193182;
const pitNs = (ticks: number) => Math.ceil((ticks * 1e9) / PIT_HZ);

test("8254: counters mid-count, a latched status and count, a half-read count and the gate survive a round trip", async () => {
  const got = await deviceRoundTrip([["PIT", 1], ["SYSCTL", 1]], (x) => {
    x.outb(0x61, 0x01);                     // counter 2 gate high
    x.outb(0x43, 0x34); x.outb(0x40, 1000 & 0xff); x.outb(0x40, 1000 >> 8); // counter 0: LSB/MSB, mode 2, binary
    x.outb(0x43, 0x56); x.outb(0x41, 0x64);  // counter 1: LSB only, mode 3, count 100
    x.outb(0x43, 0xb0); x.outb(0x42, 0x34); x.outb(0x42, 0x12); // counter 2: mode 0, count 1234h
    x.advance(pitNs(100));
    x.outb(0x43, 0xc2);                     // read-back: latch status and count of counter 0
    x.outb(0x43, 0x40);                     // counter latch command for counter 1
    x.inb(0x42);                            // counter 2: LSB read, the MSB is next
  }, (x) => [
    x.inb(0x40), x.inb(0x40), x.inb(0x40), // status, then the latched count, LSB and MSB
    x.inb(0x41), x.inb(0x41),              // the latched count, then the live one
    x.inb(0x42),                           // counter 2's MSB (the LSB was read before the save)
    x.inb(0x61) & 0x0f,
  ]);
  expect(got.slice(0, 3)).toEqual([0xb4, 900 & 0xff, 900 >> 8]);
  // Counter 2, mode 0 from 1234h, 100 clocks on: 11D0h, whose MSB is 11h.
  expect(got[5]).toBe(0x11);
  expect(got[6]).toBe(0x01);
});

// --- 8042 keyboard controller, port 92h and A20 ---

test("8042: the command byte, queued keyboard bytes and the output port (A20 off) survive a round trip", async () => {
  const got = await deviceRoundTrip([["I8042", 2]], (x) => {
    x.outb(0x64, 0x60); x.outb(0x60, 0x64); // command byte: XLAT, aux disabled, system flag; no IRQs
    x.outb(0x64, 0xd1); x.outb(0x60, 0xcd); // write output port: A20 gate (bit 1) low
    x.outb(0x60, 0xf2);                     // keyboard: read ID -> ACK and two ID bytes waiting
  }, (x, m) => {
    const status = x.inb(0x64);
    const data: number[] = [];
    while (x.inb(0x64) & 1) data.push(x.inb(0x60));
    x.outb(0x64, 0x20); const cmd = x.inb(0x60);
    x.outb(0x64, 0xd0); const outport = x.inb(0x60);
    // With A20 off, 0x100500 wraps to 0x500: the restored machine's address mask follows the 8042.
    x.wr(0x500, 0x11111111); x.wr(0x100500, 0x22222222);
    return { status, data, cmd, outport, a20: m.registers().a20, low: x.rd(0x500) };
  });
  expect(got.status & 0x05).toBe(0x05);      // OBF and the system flag
  expect(got.data).toEqual([0xfa, 0xab, 0x41]); // MF2 ID AB 83h, 83h translated to 41h (XLAT)
  expect(got.cmd).toBe(0x64);
  expect(got.outport & 0x03).toBe(0x01);     // reset line inactive, A20 gate low
  expect(got.a20).toBe(false);
  expect(got.low).toBe(0x22222222);
});

test("8042 aux port: a PS/2 IntelliMouse's mode, resolution, rate, scaling and a queued movement packet survive a round trip", async () => {
  const got = await deviceRoundTrip([["I8042", 2]], (x, m) => {
    const mc = (b: number) => { x.outb(0x64, 0xd4); x.outb(0x60, b); };
    const drain = () => { while (x.inb(0x64) & 1) x.inb(0x60); };
    x.outb(0x64, 0x60); x.outb(0x60, 0x44); // command byte: XLAT, aux enabled, no IRQs
    mc(0xf3); mc(200); mc(0xf3); mc(100); mc(0xf3); mc(80); drain(); // the IntelliMouse knock: ID 03h
    mc(0xe8); mc(0x02); mc(0xe7); mc(0xf4); drain(); // 4 counts/mm, 2:1 scaling, streaming
    m.mouseEvent(5, -3, 1, 1);              // a four-byte packet waiting
  }, (x) => {
    const status = x.inb(0x64);
    const packet: number[] = [];
    while (x.inb(0x64) & 1) packet.push(x.inb(0x60));
    x.outb(0x64, 0xd4); x.outb(0x60, 0xe9);  // status request
    const info: number[] = [];
    while (x.inb(0x64) & 1) info.push(x.inb(0x60));
    x.outb(0x64, 0xd4); x.outb(0x60, 0xf2);
    const id: number[] = [];
    while (x.inb(0x64) & 1) id.push(x.inb(0x60));
    return { status, packet, info, id };
  });
  expect(got.status & 0x21).toBe(0x21);     // OBF from the aux device
  expect(got.packet.length).toBe(4);
  expect(got.packet[0] & 0x09).toBe(0x09);  // left button, bit 3 always 1
  // Status request: byte 1 stream mode, enabled (20h), 2:1 scaling (10h), left button down
  // (bit 2 here, where the movement packet has it in bit 0); resolution 2; rate 80.
  expect(got.info).toEqual([0xfa, 0x34, 0x02, 80]);
  expect(got.id).toEqual([0xfa, 0x03]);
});

test("port 92h: fast A20 on survives a round trip, and the restored machine's A20 (derived state) follows it", async () => {
  const got = await deviceRoundTrip([["SYSCTL", 1]], (x) => {
    x.outb(0x64, 0xd1); x.outb(0x60, 0xcd); // the 8042's A20 gate low: A20 is port 92h's alone
    x.outb(0x92, 0x02);
  }, (x, m) => {
    // With A20 on, 0x100500 is not 0x500.
    x.wr(0x500, 0x11111111); x.wr(0x100500, 0x22222222);
    return { p92: x.inb(0x92), a20: m.registers().a20, low: x.rd(0x500) };
  });
  expect(got).toEqual({ p92: 0x02, a20: true, low: 0x11111111 });
});

// --- MC146818 RTC / CMOS ---

test("CMOS/RTC: the index register, NVRAM bytes, the alarm and registers A-D survive a round trip", async () => {
  const wr = (x: IO, i: number, v: number) => { x.outb(0x70, i); x.outb(0x71, v); };
  const got = await deviceRoundTrip([["CMOS", 2]], (x) => {
    wr(x, 0x0a, 0x26);                      // A: 32.768 kHz time base, 1024 Hz periodic rate
    wr(x, 0x0b, 0x22);                      // B: AIE, 24-hour, BCD
    wr(x, 0x01, 0x30); wr(x, 0x03, 0x15); wr(x, 0x05, 0x07); // alarm 07:15:30
    for (let i = 0; i < 16; i++) wr(x, 0x40 + i, (0xa5 + i * 17) & 0xff);
    x.outb(0x70, 0x80 | 0x47);              // leave the index at 47h (NMI disable bit set)
  }, (x) => {
    const cur = x.inb(0x71);                // the byte the saved index selects, without rewriting it
    const rd = (i: number) => { x.outb(0x70, i); return x.inb(0x71); };
    return {
      cur,
      nvram: Array.from({ length: 16 }, (_, i) => rd(0x40 + i)),
      alarm: [rd(1), rd(3), rd(5)],
      regs: [rd(0x0a) & 0x7f, rd(0x0b), rd(0x0c), rd(0x0d)], // UIP (A bit 7) depends on the moment
      time: [rd(0), rd(2), rd(4), rd(6), rd(7), rd(8), rd(9), rd(0x32)],
    };
  });
  expect(got.cur).toBe((0xa5 + 7 * 17) & 0xff);
  expect(got.alarm).toEqual([0x30, 0x15, 0x07]);
  expect(got.regs[0]).toBe(0x26);
  expect(got.regs[1]).toBe(0x22);
  expect(got.regs[3]).toBe(0x80);           // D: VRT, the battery is good
});

// --- 16550A UARTs ---

test("16550A: LCR and the divisor latch (DLAB left set), IER, MCR, FIFO contents and scratch survive a round trip", async () => {
  const COM1 = 0x3f8, COM2 = 0x2f8;
  const got = await deviceRoundTrip([["UART0", 2]], (x) => {
    x.outb(COM1 + 3, 0x80); x.outb(COM1, 0x01); x.outb(COM1 + 1, 0x00); x.outb(COM1 + 3, 0x1b); // 115200, 8E1
    x.outb(COM1 + 2, 0x81);                 // FIFOs on, RX trigger 8
    x.outb(COM1 + 1, 0x05);                 // ERBFI, ELSI
    x.outb(COM1 + 4, 0x10 | 0x0b);          // loopback, OUT2, RTS, DTR
    x.outb(COM1 + 7, 0x5a);
    for (const c of [0x52, 0x49, 0x4e, 0x47, 0x30]) x.outb(COM1, c);
    x.advance(2e6);                         // 5 characters at 115200 baud take 434 us
    x.outb(COM2 + 7, 0xc3);
    x.outb(COM2 + 1, 0x02);                 // ETBEI
    x.outb(COM2 + 3, 0x83); x.outb(COM2, 0x0c); x.outb(COM2 + 1, 0x00); // 9600 8N1, DLAB left set
  }, (x) => {
    const com2 = [x.inb(COM2), x.inb(COM2 + 1), x.inb(COM2 + 3), x.inb(COM2 + 7)];
    x.outb(COM2 + 3, 0x03);
    com2.push(x.inb(COM2 + 1));
    const com1 = [x.inb(COM1 + 3), x.inb(COM1 + 1), x.inb(COM1 + 4), x.inb(COM1 + 7), x.inb(COM1 + 2), x.inb(COM1 + 6)];
    const fifo: number[] = [];
    for (let n = 0; n < 20 && (x.inb(COM1 + 5) & 1); n++) fifo.push(x.inb(COM1));
    return { com1, fifo, com2, lsr: x.inb(COM1 + 5) };
  });
  expect(got.com2).toEqual([0x0c, 0x00, 0x83, 0xc3, 0x02]);
  expect(got.com1.slice(0, 4)).toEqual([0x1b, 0x05, 0x1b, 0x5a]);
  expect(got.com1[4] & 0xc0).toBe(0xc0);    // IIR: FIFOs enabled
  expect(got.fifo).toEqual([0x52, 0x49, 0x4e, 0x47, 0x30]); // loopback: what was sent is received
  expect(got.lsr & 0x60).toBe(0x60);        // THRE and TEMT: all sent
});

// --- local APIC and I/O APIC (MMIO) ---

const LAPIC = 0xfee00000, IOAPIC = 0xfec00000;

test("local APIC: TPR, SVR, LDR/DFR, LVTs, a pending IRR bit and the timer (initial count, divide, mid-count) survive a round trip", async () => {
  const got = await deviceRoundTrip([["LAPIC", 4]], (x) => {
    x.wr(LAPIC + 0xf0, 0x1ff);              // SVR: APIC software enabled, spurious vector FFh
    x.wr(LAPIC + 0x80, 0x20);               // TPR: priority class 2
    x.wr(LAPIC + 0xe0, 0x0fffffff);         // DFR: cluster model
    x.wr(LAPIC + 0xd0, 0x12000000);         // LDR
    x.wr(LAPIC + 0x350, 0x700);             // LINT0: ExtINT
    x.wr(LAPIC + 0x360, 0x400);             // LINT1: NMI
    x.wr(LAPIC + 0x3e0, 0x3);               // divide by 16
    x.wr(LAPIC + 0x320, 0x20040);           // timer: periodic, vector 40h
    x.wr(LAPIC + 0x380, 100000);
    x.wr(LAPIC + 0x300, 0x40050);           // self IPI, fixed, vector 50h: pending in the IRR
    x.advance(20000);
  }, (x) => Object.fromEntries([0x20, 0x30, 0x80, 0xa0, 0xd0, 0xe0, 0xf0, 0x100, 0x120, 0x200, 0x220, 0x320, 0x350, 0x360, 0x370,
    0x380, 0x390, 0x3e0].map((o) => [`0x${o.toString(16)}`, x.rd(LAPIC + o)])));
  expect(got).toMatchObject({ "0x80": 0x20, "0xd0": 0x12000000, "0xe0": 0x0fffffff, "0xf0": 0x1ff, "0x220": 1 << 16,
    "0x320": 0x20040, "0x350": 0x700, "0x360": 0x400, "0x380": 100000, "0x3e0": 0x3 });
  expect(got["0xa0"]).toBe(0x20);           // PPR = TPR (nothing in service)
  expect(got["0x390"]).toBeGreaterThan(0);  // mid-count
  expect(got["0x390"]).toBeLessThan(100000);
});

test("I/O APIC: the ID, IOREGSEL left pointing at a redirection entry, and redirection entries survive a round trip", async () => {
  const iow = (x: IO, r: number, v: number) => { x.wr(IOAPIC, r); x.wr(IOAPIC + 0x10, v); };
  const got = await deviceRoundTrip([["IOAPIC", 2]], (x) => {
    iow(x, 0x00, 0x05000000);                // ID 5
    // Pin 1: vector 31h, lowest priority, logical, active low, level, masked; destination 03h.
    iow(x, 0x12, 0x0001a931); iow(x, 0x13, 0x03000000);
    iow(x, 0x1a, 0x00000045); iow(x, 0x1b, 0x01000000); // pin 5: vector 45h, fixed, edge, unmasked
    iow(x, 0x3e, 0x000000e9); iow(x, 0x3f, 0xff000000); // pin 23
    x.wr(IOAPIC, 0x12);                      // IOREGSEL left at pin 1's low half
  }, (x) => {
    const cur = x.rd(IOAPIC + 0x10);        // through the saved IOREGSEL, without rewriting it
    const sel = x.rd(IOAPIC);
    const ior = (r: number) => { x.wr(IOAPIC, r); return x.rd(IOAPIC + 0x10); };
    return { cur, sel, id: ior(0), ver: ior(1), redir: Array.from({ length: 48 }, (_, i) => ior(0x10 + i)) };
  });
  expect(got.cur).toBe(0x0001a931);
  expect(got.sel & 0xff).toBe(0x12);
  expect(got.id).toBe(0x05000000);
  expect(got.ver & 0x00ff0000).toBe(23 << 16); // 82093AA: 24 entries
  expect(got.redir.slice(2, 4)).toEqual([0x0001a931, 0x03000000]);
  expect(got.redir.slice(10, 12)).toEqual([0x45, 0x01000000]);
  expect(got.redir.slice(46, 48)).toEqual([0xe9, 0xff000000]);
});

// --- HPET (MMIO) ---

const HPET = 0xfed00000;

test("HPET: the main counter, GEN_CONF, and three comparators (periodic, 32-bit one-shot level) survive a round trip", async () => {
  const got = await deviceRoundTrip([["HPET", 1]], (x, m) => {
    expect(m.hpet).toBe(true);
    x.wr(HPET + 0xf0, 0x1000); x.wr(HPET + 0xf4, 0);     // main counter, while halted
    x.wr(HPET + 0x100, 0x44c);                           // T0: interrupt enable, periodic, VAL_SET, route pin 2
    // T0 comparator, then its period (low halves: the high ones stay all ones from reset, no match for ages).
    x.wr(HPET + 0x108, 0x100000); x.wr(HPET + 0x108, 0x100000);
    x.wr(HPET + 0x120, 0x102);                           // T1: 32-bit mode, level
    x.wr(HPET + 0x128, 0x12345678);
    x.wr(HPET + 0x148, 0xabcdef);                        // T2 comparator
    x.wr(HPET + 0x10, 0x1);                              // ENABLE_CNF
    x.advance(10000);                                    // 1000 counts at 100 MHz
  }, (x) => Object.fromEntries([0x000, 0x004, 0x010, 0x020, 0x0f0, 0x0f4, 0x100, 0x104, 0x108, 0x10c, 0x120, 0x124, 0x128, 0x12c,
    0x140, 0x144, 0x148, 0x14c].map((o) => [`0x${o.toString(16)}`, x.rd(HPET + o)])));
  expect(got["0x0"]).toBe(0x8086a201);
  expect(got["0x4"]).toBe(10_000_000);       // period in fs
  expect(got["0x10"]).toBe(1);
  expect(got["0xf0"]).toBe(0x1000 + 1000);
  // HPET 1.0a §2.3.8: Tn_PER_INT_CAP (bit 4) and Tn_SIZE_CAP (bit 5) read 1; Tn_VAL_SET_CNF reads 0.
  expect(got["0x100"] & 0x7fff).toBe(0x400 | 0x30 | 0x8 | 0x4);
  expect(got["0x108"]).toBe(0x100000);
  expect(got["0x120"] & 0x1ff).toBe(0x100 | 0x30 | 0x2);
  expect(got["0x128"]).toBe(0x12345678);
  expect(got["0x148"]).toBe(0xabcdef);
});

// --- ACPI PM ---

test("ACPI PM: PM1 status (power button), enable and control, and the PM timer survive a round trip", async () => {
  const got = await deviceRoundTrip([["ACPI", 1]], (x, m) => {
    x.outw(0x602, 0x0120);                  // PWRBTN_EN, GBL_EN
    x.outw(0x604, 0x1400);                  // SLP_TYP 5 without SLP_EN: no sleep
    x.advance(1e6);
    m.powerButton();                        // PWRBTN_STS, and with PWRBTN_EN the SCI
  }, (x, m) => ({ sts: x.inw(0x600), en: x.inw(0x602), cnt: x.inw(0x604), tmr: x.inl(0x608), pic: m.picRegisters(1).irr }));
  expect(got.sts & 0x100).toBe(0x100);
  expect(got.en).toBe(0x0120);
  expect(got.cnt).toBe(0x1401);             // SCI_EN reads 1
  expect(got.tmr).toBe(Math.floor(3579545 * 1e-3)); // 1 ms of the 3.579545 MHz timer
});

// --- PCI configuration space (i440FX, PIIX3, its IDE function, the std VGA) ---

const cfgAddr = (dev: number, fn: number, reg: number) => (0x80000000 | (dev << 11) | (fn << 8) | reg) >>> 0;

test("PCI: CONFIG_ADDRESS, a BAR and command register, PIRQ routing and PAM survive a round trip; the BAR's ports and PAM's RAM work after it", async () => {
  const got = await deviceRoundTrip([["PCI", 8], ["IDE", 2]], (x) => {
    x.outl(0xcf8, cfgAddr(1, 1, 0x20)); x.outl(0xcfc, 0xd000);     // PIIX3 IDE BAR4: bus-master registers at D000h
    x.outl(0xcf8, cfgAddr(1, 1, 0x04)); x.outw(0xcfc, 0x0005);     // command: I/O space, bus master
    x.outl(0xcf8, cfgAddr(1, 0, 0x60)); x.outl(0xcfc, 0x0b0a8005); // PIRQA IRQ5, PIRQB off, PIRQC IRQ10, PIRQD IRQ11
    x.outl(0xcf8, cfgAddr(0, 0, 0x58)); x.outb(0xcfe, 0x33);       // PAM1: C0000-C7FFF read/write DRAM
    x.outb(0xd000, 0x08);                                          // BM command: direction bit, not started
    x.outl(0xd004, 0x00123450);                                    // PRD table address
    x.outl(0xcf8, cfgAddr(1, 1, 0x20));                            // CONFIG_ADDRESS left at BAR4
  }, (x) => {
    const cur = x.inl(0xcfc);                                      // through the saved CONFIG_ADDRESS
    const addr = x.inl(0xcf8);
    const space = (dev: number, fn: number) => Array.from({ length: 64 }, (_, i) => { x.outl(0xcf8, cfgAddr(dev, fn, i * 4)); return x.inl(0xcfc); });
    const config = [space(0, 0), space(1, 0), space(1, 1), space(2, 0)];
    x.wr(0xc0000, 0xdeadbeef);
    return { cur, addr, config, bm: [x.inb(0xd000), x.inb(0xd002), x.inl(0xd004)], pamRam: x.rd(0xc0000) };
  });
  expect(got.cur).toBe(0xd001);             // an I/O BAR reads bit 0 set
  expect(got.addr).toBe(cfgAddr(1, 1, 0x20));
  expect(got.config[1][0x60 / 4]).toBe(0x0b0a8005);
  expect(got.config[2][1] & 0xffff).toBe(0x0005);
  expect((got.config[0][0x58 / 4] >>> 16) & 0xff).toBe(0x33);
  expect(got.bm[0]).toBe(0x08);
  expect(got.bm[1] & 0x80).toBe(0);         // BMISX bit 7 is 0 on the PIIX3: the ports are claimed
  expect(got.bm[2]).toBe(0x00123450);
  expect(got.pamRam).toBe(0xdeadbeef);
});

// --- IDE / ATAPI ---

const ideSetup: Setup = (m) => {
  const img = (seed: number) => { const a = new Uint8Array(4096 * 512); for (let i = 0; i < a.length; i++) a[i] = (i * seed) >>> 3; return a; };
  m.attachDrive(0, DRIVE.DISK, new MemoryBackend(img(7)));
  m.attachDrive(1, DRIVE.DISK, new MemoryBackend(img(13)));
  m.attachDrive(2, DRIVE.CDROM);
};

test("IDE: the primary's register file with HOB bytes and the slave selected, and the secondary's ATAPI IDENTIFY PACKET half read, survive a round trip", async () => {
  let word0 = 0;
  const got = await deviceRoundTrip([["IDE", 6]], (x) => {
    x.outb(0x3f6, 0x02); x.outb(0x376, 0x02);  // nIEN on both channels
    x.outb(0x1f6, 0xf0);                       // LBA, device 1
    x.outb(0x1f1, 0x03);
    for (const [port, prev, cur] of [[0x1f2, 0x01, 0x05], [0x1f3, 0xaa, 0x11], [0x1f4, 0xbb, 0x22], [0x1f5, 0xcc, 0x33]]) {
      x.outb(port, prev); x.outb(port, cur);  // LBA48: the previous write stays as the HOB byte
    }
    x.outb(0x176, 0xa0); x.outb(0x177, 0xa1);  // CD-ROM: IDENTIFY PACKET DEVICE
    word0 = x.inw(0x170);
    for (let i = 1; i < 100; i++) x.inw(0x170);
  }, (x) => {
    const prim = [x.inb(0x3f6), x.inb(0x1f1), x.inb(0x1f2), x.inb(0x1f3), x.inb(0x1f4), x.inb(0x1f5), x.inb(0x1f6)];
    x.outb(0x3f6, 0x82);
    const hob = [x.inb(0x1f2), x.inb(0x1f3), x.inb(0x1f4), x.inb(0x1f5)];
    x.outb(0x3f6, 0x02);
    const secStatus = x.inb(0x376);
    const rest = Array.from({ length: 156 }, () => x.inw(0x170));
    return { prim, hob, secStatus, rest, secAfter: x.inb(0x376) };
  }, ideSetup);
  expect(word0 >> 14).toBe(2);                 // ATA-4 IDENTIFY PACKET word 0: ATAPI device,
  expect((word0 >> 8) & 0x1f).toBe(5);         // of type 05h, CD-ROM
  expect(got.prim.slice(2)).toEqual([0x05, 0x11, 0x22, 0x33, 0xf0]);
  expect(got.prim[0] & 0xc9).toBe(0x40);       // DRDY, not BSY, no DRQ, no ERR
  expect(got.hob).toEqual([0x01, 0xaa, 0xbb, 0xcc]);
  expect(got.secStatus & 0x88).toBe(0x08);     // DRQ: the rest of the data is still there
  expect(got.secAfter & 0x88).toBe(0);
});

// --- VGA ---

test("VGA: sequencer, GC, CRTC, attribute (flip-flop at data), DAC (mid-triple) registers and planar memory survive a round trip", async () => {
  const got = await deviceRoundTrip([["VGA", 4]], (x) => {
    x.outb(0x3c4, 0x04); x.outb(0x3c5, 0x06);  // memory mode: extended memory, odd/even off, chain 4 off
    x.outb(0x3ce, 0x05); x.outb(0x3cf, 0x00);  // write mode 0, read mode 0
    x.outb(0x3ce, 0x06); x.outb(0x3cf, 0x05);  // graphics, A0000 64 KiB
    for (const [plane, v] of [[1, 0x11223344], [2, 0x55667788], [4, 0x99aabbcc], [8, 0xddeeff00]]) {
      x.outb(0x3c4, 0x02); x.outb(0x3c5, plane);
      x.wr(0xa0010, v);
    }
    x.outb(0x3c4, 0x02); x.outb(0x3c5, 0x0f);
    x.outb(0x3d4, 0x0e); x.outb(0x3d5, 0x12); x.outb(0x3d4, 0x0f); x.outb(0x3d5, 0x34); // cursor location
    x.outb(0x3d4, 0x13); x.outb(0x3d5, 0x28);
    x.inb(0x3da); x.outb(0x3c0, 0x01); x.outb(0x3c0, 0x3f); // attribute palette 1
    x.outb(0x3c0, 0x20);                       // index with PAS: the flip-flop now points at data
    x.outb(0x3c8, 0x05); for (const c of [0x3f, 0x20, 0x10, 0x2a]) x.outb(0x3c9, c); // entry 5, and one component of 6
    x.outb(0x3ce, 0x04);                       // GC index left at read map select
  }, (x) => {
    const attrIndex = x.inb(0x3c0);
    const seq = [0, 1, 2, 3, 4].map((i) => { x.outb(0x3c4, i); return x.inb(0x3c5); });
    const crtc = Array.from({ length: 0x19 }, (_, i) => { x.outb(0x3d4, i); return x.inb(0x3d5); });
    const gcIndex = x.inb(0x3ce);
    const planes = [0, 1, 2, 3].map((p) => { x.outb(0x3ce, 0x04); x.outb(0x3cf, p); return x.rd(0xa0010); });
    const gc = Array.from({ length: 9 }, (_, i) => { x.outb(0x3ce, i); return x.inb(0x3cf); });
    // Reading input status 1 puts the flip-flop at the index; reading 3C1h does not move it.
    const attr = Array.from({ length: 0x15 }, (_, i) => { x.inb(0x3da); x.outb(0x3c0, i | 0x20); return x.inb(0x3c1); });
    x.outb(0x3c7, 0x05);
    const dac = Array.from({ length: 6 }, () => x.inb(0x3c9));
    return { attrIndex, seq, crtc, gcIndex, planes, gc, attr, dac, misc: x.inb(0x3cc) };
  });
  expect(got.attrIndex & 0x3f).toBe(0x20);
  expect(got.seq[4]).toBe(0x06);
  expect([got.crtc[0x0e], got.crtc[0x0f], got.crtc[0x13]]).toEqual([0x12, 0x34, 0x28]);
  expect(got.gcIndex & 0x0f).toBe(0x04);
  expect(got.planes).toEqual([0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00]);
  expect(got.gc[6]).toBe(0x05);
  expect(got.attr[1]).toBe(0x3f);
  expect(got.dac.slice(0, 3)).toEqual([0x3f, 0x20, 0x10]);
});

// --- fw_cfg ---

test("fw_cfg: the selected key and the read offset survive a round trip", async () => {
  const got = await deviceRoundTrip([["FWCFG", 1]], (x) => {
    x.outw(0x510, 0x0000);                     // FW_CFG_SIGNATURE
    expect([x.inb(0x511), x.inb(0x511)]).toEqual([0x51, 0x45]); // "QE"
  }, (x) => [x.inb(0x511), x.inb(0x511), x.inb(0x511)]);
  expect(got).toEqual([0x4d, 0x55, 0x00]);     // "MU", then past the end reads 0
});

// --- the timers running on after a restore: 8254, RTC, HPET legacy replacement, LAPIC timer ---

test("timers after a restore: the same interrupts at the same moments as on the saved machine, with the HPET's legacy route cutting the 8254 and the RTC off", async () => {
  const got = await deviceRoundTrip([["PIT", 1], ["CMOS", 2], ["HPET", 1], ["LAPIC", 4], ["PIC", 1]], (x) => {
    x.wr(LAPIC + 0xf0, 0x1ff); x.wr(LAPIC + 0x350, 0x700);          // virtual wire
    x.outb(0x20, 0x11); x.outb(0x21, 0x20); x.outb(0x21, 0x04); x.outb(0x21, 0x01); x.outb(0x21, 0xfa); // IRQ0, IRQ2
    x.outb(0xa0, 0x11); x.outb(0xa1, 0x28); x.outb(0xa1, 0x02); x.outb(0xa1, 0x01); x.outb(0xa1, 0xfe); // IRQ8
    x.outb(0x43, 0x34); x.outb(0x40, 1193 & 0xff); x.outb(0x40, 1193 >> 8); // 8254: ~1 kHz
    x.outb(0x70, 0x0a); x.outb(0x71, 0x26); x.outb(0x70, 0x0b); x.outb(0x71, 0x42); // RTC: 1024 Hz periodic
    // T0: 32-bit mode (the comparator's high half is all ones from reset), periodic, VAL_SET, interrupt enable.
    x.wr(HPET + 0x100, 0x14c);
    x.wr(HPET + 0x108, 50000);                                       // comparator and period: every 500 us
    x.wr(HPET + 0x10, 0x3);                                          // ENABLE_CNF, LEG_RT_CNF
    x.wr(LAPIC + 0x3e0, 0xb); x.wr(LAPIC + 0x320, 0x20040); x.wr(LAPIC + 0x380, 300000); // APIC timer: periodic, vector 40h
    x.advance(321_000);                                              // a moment inside every period
  }, (x) => {
    const seen: [number, number][] = [];
    for (let step = 0; step < 40; step++) {
      x.advance(100_000);
      for (let n = 0; n < 8; n++) {
        const v = x.ack();
        if (v < 0) break;
        seen.push([step, v]);
        if (v === 0x40) x.wr(LAPIC + 0xb0, 0);
        else { if (v >= 0x28) x.outb(0xa0, 0x20); x.outb(0x20, 0x20); }
      }
      x.outb(0x70, 0x0c); x.inb(0x71);        // RTC: clear IRQF
    }
    return seen;
  });
  const vectors = got.map(([, v]) => v);
  // IRQ0: first the edge the 8254 gave when it was loaded (before LEG_RT_CNF,
  // latched in the IRR since), then HPET T0 at 500, 1000, ... 4000 us, each
  // seen at the end of the 100 us step it falls in (step k ends at 421 + 100k us).
  expect(got.filter(([, v]) => v === 0x20).map(([step]) => step)).toEqual([0, 1, 6, 11, 16, 21, 26, 31, 36]);
  expect(vectors).toContain(0x40);
  expect(vectors).not.toContain(0x28);        // HPET 1.0a §2.3.3.1 legacy replacement: the RTC's IRQ8 is cut off
});

// --- the I/O rings: debug console (port E9h), COM1 both ways, keyboard input ---

test("I/O rings: unread debug-console and COM1 output, and host input the UART and the 8042 have not taken yet, survive a round trip", async () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const got = await deviceRoundTrip([], (x, m) => {
    for (const c of text("post 42\n")) x.outb(0xe9, c);
    x.outb(0x3f8 + 2, 0x01);                // COM1 FIFOs on
    for (const c of text("tx")) x.outb(0x3f8, c);
    m.feed(RING.COM1_RX, text("typed"));
    m.feed(RING.KBD, new Uint8Array([0x1e, 0x9e])); // A pressed and released (set 1)
  }, (x, m) => {
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    const debug = dec(m.drain(RING.DEBUGCON)), tx = dec(m.drain(RING.COM1_TX));
    x.advance(5e6);                          // the UART and the 8042 take their input
    const rx: number[] = [];
    for (let n = 0; n < 16 && (x.inb(0x3fd) & 1); n++) rx.push(x.inb(0x3f8));
    const kbd: number[] = [];
    for (let n = 0; n < 4 && (x.inb(0x64) & 1); n++) { kbd.push(x.inb(0x60)); x.advance(1e6); }
    return { debug, tx, rx: dec(new Uint8Array(rx)), kbd };
  });
  expect(got).toEqual({ debug: "post 42\n", tx: "tx", rx: "typed", kbd: [0x1e, 0x9e] });
});

// --- real time with the host clock standing still ---

/** asm/clock.ts's field offsets in the clock slot. */
const CLOCK_FIELD: Record<string, number> = (() => {
  const out: Record<string, number> = {};
  for (const m of readFileSync(join(ROOT, "asm/clock.ts"), "utf8").matchAll(/const (C_\w+): u32 = (\d+);/g)) out[m[1]] = Number(m[2]);
  return out;
})();

test("in real-time mode, with the host clock standing still, a round trip is exact but for the clock's anchor to the host, which the restore lets go", async () => {
  const setup: Setup = (m) => m.setRealtime(true);
  const a = await fresh(setup);
  const x = io(a);
  x.outb(0x43, 0x34); x.outb(0x40, 0x00); x.outb(0x40, 0x10);  // 8254 counter 0, mode 2, 1000h
  x.wr(LAPIC + 0xf0, 0x1ff); x.wr(LAPIC + 0x3e0, 0xb); x.wr(LAPIC + 0x380, 5000); // APIC timer, divide by 1
  x.wr(HPET + 0x10, 1);
  a.run(1000);                              // reads the host clock: the epoch is taken, a speed sample opens
  expect(a.instructions).toBeGreaterThan(0n);
  const { b, file } = await roundTrip(a, setup);
  // docs/SNAPSHOT.md: "in real time it follows the host clock again from there":
  // the epoch (host ns minus virtual ns) belongs to the saving host's clock, so
  // the restore marks it not taken (C_HOST_SET) and closes the speed sample
  // (C_SAMPLE_ON); the restored machine anchors to its own host on its next read.
  const slot0 = SLOT.CLOCK * DEV_SLOT_SIZE;
  expect(differences(a, b)).toEqual([
    `devices+0x${(slot0 + CLOCK_FIELD.C_HOST_SET).toString(16)}: 1 0`,
    `devices+0x${(slot0 + CLOCK_FIELD.C_SAMPLE_ON).toString(16)}: 1 0`,
  ]);
  // A save of the restored machine carries the same guest state (its regions
  // decode to the first save's but for the anchor).
  const again = await save(b, { identity }, zlibCodec);
  const c = await fresh(setup), d = await fresh(setup);
  await restore(c, file, "first", identity, zlibCodec);
  await restore(d, again, "second", identity, zlibCodec);
  expect(differences(c, d)).toEqual([]);
  // Guest time is the saved one: the timers read the same.
  const read = (m: Machine) => { const y = io(m); y.outb(0x43, 0x00); return [y.inb(0x40), y.inb(0x40), y.rd(LAPIC + 0x390), y.rd(HPET + 0xf0), y.rd(HPET + 0xf4)]; };
  expect(read(b)).toEqual(read(a));
  expect(a.virtualTime).toBe(b.virtualTime);
});

// --- Bochs VBE (the std VGA's DISPI registers) and its linear framebuffer ---

test("Bochs VBE: DISPI index and registers, the enabled mode, and pixels in the linear framebuffer (BAR0) survive a round trip", async () => {
  const LFB = 0xe0000000;
  const dispi = (x: IO, i: number, v: number) => { x.outw(0x1ce, i); x.outw(0x1cf, v); };
  const got = await deviceRoundTrip([["VGA", 4], ["PCI_VGA", 2]], (x) => {
    x.outl(0xcf8, cfgAddr(2, 0, 0x10)); x.outl(0xcfc, LFB);        // BAR0
    x.outl(0xcf8, cfgAddr(2, 0, 0x04)); x.outw(0xcfc, 0x0003);     // I/O and memory space
    dispi(x, 0, 0xb0c5);                                           // ID
    dispi(x, 1, 640); dispi(x, 2, 480); dispi(x, 3, 32);
    dispi(x, 4, 0x41);                                             // enabled, linear framebuffer
    dispi(x, 9, 3);                                                // Y offset
    for (let i = 0; i < 16; i++) x.wr(LFB + 640 * 4 * 10 + i * 4, 0x00102030 * (i + 1));
    x.outw(0x1ce, 3);                                              // index left at BPP
  }, (x) => {
    const cur = x.inw(0x1cf);
    const regs = Array.from({ length: 10 }, (_, i) => { x.outw(0x1ce, i); return x.inw(0x1cf); });
    const px = Array.from({ length: 16 }, (_, i) => x.rd(LFB + 640 * 4 * 10 + i * 4));
    return { cur, regs, px };
  });
  expect(got.cur).toBe(32);
  expect(got.regs.slice(1, 5)).toEqual([640, 480, 32, 0x41]);
  expect(got.regs[9]).toBe(3);
  expect(got.px).toEqual(Array.from({ length: 16 }, (_, i) => (0x00102030 * (i + 1)) >>> 0));
});
