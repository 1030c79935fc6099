// The event timeline (asm/cpu/events.ts, decoded by web/host/events.ts) on
// tests/guest/events.asm, whose events are known from its text: the kinds, their
// order and their values are written here from the program and the SDM, not read
// back. Also the teaching breakpoints: stop on a ring change, on #PF only.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";
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
