// The event timeline (asm/cpu/events.ts, decoded by web/host/events.ts) on
// tests/guest/events.asm, whose events are known from its text: the kinds, their
// order and their values are written here from the program and the SDM, not read
// back. Also the teaching breakpoints: stop on a ring change, on #PF only; and
// the virtual-8086 entries and exits of tests/guest/v86.asm, at addresses from
// its symbol map, in the timeline and as stops.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { assemble, assembleWithSymbols, runRingZero } from "./harness";
import { Machine, STOP, RING } from "../../web/host/machine";
import { readEvents, setEventStops, stoppedAt } from "../../web/host/events";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("the timeline holds the program's interrupts, mode switches, CR3 load, #PF and ring changes, in order", async () => {
  const bin = assemble("events");
  let m: Machine | undefined;
  const r = await runRingZero(bin, { setup: (mm) => { m = mm; } });
  expect(r.stop).toBe("exit");
  const [, pf, , ret] = /^pf ([0-9a-f]{8}) r3 ([0-9a-f]{8}) ret ([0-9a-f]{8})$/m.exec(r.output)!.map((x) => parseInt(x, 16));
  const events = readEvents(m!);
  expect(events.map((e) => e.kind)).toEqual(["softint", "mode", "cr3", "mode", "exception", "ring", "softint", "ring"]);
  const [int60, pe, cr3, pg, fault, toRing3, int80, toRing0] = events;
  expect(int60.detail).toEqual({ vector: 0x60 });
  expect(int60.cs).toBe(0xf000);
  // The reset value of CR0 is 60000010H (SDM vol. 3 §9.1.1 table 9-1); PM_ENTER sets PE, then PG.
  expect(pe.detail).toEqual({ cr0Before: 0x60000010, cr0After: 0x60000011 });
  expect(cr3.detail).toEqual({ before: 0, after: 0x10000 });
  expect(pg.detail).toEqual({ cr0Before: 0x60000011, cr0After: 0xe0000011 });
  // #PF for a read of a not-present page in supervisor mode: error code 0, CR2 the address; EIP the faulting instruction.
  expect(fault.detail).toEqual({ vector: 14, error: 0, cr2: 0x400000 });
  expect(fault.eip).toBe(pf);
  expect(fault.text).toBe("#PF error 0x0 CR2=0x400000");
  expect(toRing3.detail).toEqual({ from: 0, to: 3 });
  expect(int80.detail).toEqual({ vector: 0x80 });
  expect(int80.cs).toBe(0x1b);
  expect(int80.eip).toBe(ret); // INT n: recorded with EIP at the return address
  expect(toRing0.detail).toEqual({ from: 3, to: 0 });
  // A ring change names the CS:EIP it left: ring 3's INT, at its return address.
  expect([toRing0.cs, toRing0.eip]).toEqual([0x1b, ret]);
  expect(toRing3.cs & 3).toBe(0);
  // Instruction counts only grow, and seq numbers are consecutive from power-on.
  expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  for (let i = 1; i < events.length; i++) expect(events[i].instructions).toBeGreaterThanOrEqual(events[i - 1].instructions);
});

test("virtual-8086 mode: each entry (IRETD with VM set) and exit (INT n, #GP) at the CS:EIP the program's listing gives", async () => {
  const { bin, sym } = assembleWithSymbols("v86");
  let m: Machine | undefined;
  const r = await runRingZero(bin, { setup: (mm) => { m = mm; } });
  expect(r.stop).toBe("exit");
  const events = readEvents(m!);
  // An entry is recorded by the ring-0 IRETD (CS 08h, PM_ENTER's code segment,
  // base F0000H) with the EIP after it: each IRETD in v86.asm is followed by the
  // next label. An exit from v8086 code (CS F000H, base F0000H: IP = ROM offset)
  // names, for INT n, its return address and, for a fault, the faulting
  // instruction (SDM vol. 3 §6.5: a fault reports the instruction that caused it).
  const enter = (after: string) => ({ entering: true, cs: 0x08, eip: sym(after) });
  const leave = (at: string) => ({ entering: false, cs: 0xf000, eip: sym(at) & 0xffff });
  const gp = ["gp_pushf", "gp_int21", "gp_cli", "gp_sti", "gp_iret", "gp_int3"];
  const expected = [
    enter("v86code"),               // main's IRETD into v86code
    leave("v86code.int21_ret"),     // INT 21h with IOPL 3, through a DPL 3 gate
    enter("v86_iopl0"),             // v86_int21's IRETD
    leave("v86code.gp_pushf"),      // INT 22h (its handler sets IOPL 0)
    enter("v86_gp"),                // v86_iopl0's IRETD
    // PUSHF, INT 21h, CLI, STI, IRET with IOPL 0: #GP(0); INT3 through a DPL 0
    // gate: #GP(1Ah). The monitor v86_gp steps over each and IRETDs back.
    ...gp.flatMap((g) => [leave(`v86code.${g}`), enter("v86_done")]),
    leave("v86code.pd"),            // INT 23h: #GP(0), after which v86_done leaves protected mode
  ];
  const v86 = events.filter((e) => e.kind === "v86");
  expect(v86.map((e) => ({ entering: e.detail.entering, cs: e.cs, eip: e.eip }))).toEqual(expected);
  expect(v86.map((e) => e.text)).toEqual(expected.map((e) => (e.entering ? "enter virtual-8086 mode" : "leave virtual-8086 mode")));
  // v8086 code runs at CPL 3 (§20.2.1) and its interrupts and exceptions go to
  // ring 0 (§20.3.1.1): each entry is followed by a ring 0 -> 3 change, each exit
  // by 3 -> 0; an exit follows the event that caused it.
  const causes = [["softint", 0x21], ["softint", 0x22], ...gp.map(() => ["exception", 13]), ["exception", 13]];
  for (const e of v86) {
    const i = events.indexOf(e);
    expect(events[i + 1]).toMatchObject({ kind: "ring", detail: e.detail.entering ? { from: 0, to: 3 } : { from: 3, to: 0 } });
    if (!e.detail.entering) expect([events[i - 1].kind, events[i - 1].detail.vector]).toEqual(causes.shift());
  }
  expect(causes).toEqual([]);
});

test("teaching breakpoints: stop on a ring change, then only on #PF", async () => {
  const bin = assemble("events");
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20 });
  m.loadBios(readFileSync(bin));
  setEventStops(m, { kinds: ["exception"], vectors: [13] }); // #GP only: the #PF must not stop
  setEventStops(m, { kinds: ["ring"] });
  let stop = m.run(10_000_000);
  expect(stop).toBe(STOP.BREAKPOINT);
  expect(m.breakpointHit()?.kind).toBe("event");
  const at = stoppedAt(m)!;
  expect(readEvents(m, at)[0].detail).toEqual({ from: 0, to: 3 });
  // Stopped after the IRET: at the ring-3 entry point, CPL 3.
  const out = new TextDecoder().decode(m.drain(RING.DEBUGCON));
  const r3 = parseInt(/ r3 ([0-9a-f]{8})/.exec(out)![1], 16);
  expect(m.registers()).toMatchObject({ cpl: 3, eip: r3 });
  // Only #PF from now on (this program has no further #PF): it runs to its end.
  setEventStops(m, { kinds: ["exception"], vectors: [14] });
  stop = m.run(10_000_000);
  expect(stop).toBe(STOP.EXIT);
});

test("teaching breakpoints: stop on entering and on leaving virtual-8086 mode (v86.asm)", async () => {
  const { bin, sym } = assembleWithSymbols("v86");
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20 });
  m.loadBios(readFileSync(bin));
  setEventStops(m, { kinds: ["v86"] });
  const VM = 0x20000; // EFLAGS.VM, bit 17
  // Main's IRETD into v8086 mode: stopped after it, at v86code (CS F000H, IP = ROM offset), CPL 3.
  expect(m.run(10_000_000)).toBe(STOP.BREAKPOINT);
  expect(readEvents(m, stoppedAt(m))[0].detail).toEqual({ entering: true });
  let r = m.registers();
  expect([r.cs.selector, r.eip, r.cpl, r.eflags & VM]).toEqual([0xf000, sym("v86code"), 3, VM]);
  // INT 21h leaves it: stopped after the INT, at the ring-0 handler's first instruction.
  expect(m.run(10_000_000)).toBe(STOP.BREAKPOINT);
  expect(readEvents(m, stoppedAt(m))[0].detail).toEqual({ entering: false });
  r = m.registers();
  expect([r.cs.selector, r.eip, r.cpl, r.eflags & VM]).toEqual([0x08, sym("v86_int21"), 0, 0]);
  setEventStops(m, { kinds: [] });
  expect(m.run(10_000_000)).toBe(STOP.EXIT);
});

test("teaching breakpoints: stop on INT n, in real mode and from ring 3 (events.asm)", async () => {
  const { bin, sym } = assembleWithSymbols("events");
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20 });
  m.loadBios(readFileSync(bin));
  setEventStops(m, { kinds: ["softint"] });
  // INT 60h through the vector table the program wrote (F000:rm_iret): stopped at the handler.
  expect(m.run(10_000_000)).toBe(STOP.BREAKPOINT);
  expect(readEvents(m, stoppedAt(m))[0].detail).toEqual({ vector: 0x60 });
  let r = m.registers();
  expect([r.cs.selector, r.eip, r.cpl]).toEqual([0xf000, sym("rm_iret"), 0]);
  // INT 80h from ring 3 through the DPL 3 gate to 08h:r0_syscall.
  expect(m.run(10_000_000)).toBe(STOP.BREAKPOINT);
  expect(readEvents(m, stoppedAt(m))[0].detail).toEqual({ vector: 0x80 });
  r = m.registers();
  expect([r.cs.selector, r.eip, r.cpl]).toEqual([0x08, sym("r0_syscall"), 0]);
  expect(m.run(10_000_000)).toBe(STOP.EXIT);
});

test("stop on #PF: the machine stops at the handler's first instruction with CR2 set", async () => {
  const bin = assemble("events");
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20 });
  m.loadBios(readFileSync(bin));
  setEventStops(m, { kinds: ["exception"], vectors: [14] });
  expect(m.run(10_000_000)).toBe(STOP.BREAKPOINT);
  const e = readEvents(m, stoppedAt(m))[0];
  expect(e.kind).toBe("exception");
  const regs = m.registers();
  expect(regs.cr2).toBe(0x400000);
  // The IDT's gate 14 (pm.inc's stubs) is where EIP now is.
  const gate = new DataView(m.readLinear(regs.idtr.base + 14 * 8, 8).buffer);
  expect(regs.eip).toBe(((gate.getUint32(4, true) & 0xffff0000) | (gate.getUint32(0, true) & 0xffff)) >>> 0);
});
