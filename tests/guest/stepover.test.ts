// Step over a CALL (web/host/inspect.ts stepOverFrame/backInFrame, used by the
// page's Step over): the breakpoint after a recursive CALL is reached first by
// the deeper calls' returns; only the return to the frame the step began in
// ends it. By the SDM's CALL and RET (vol. 2A: CALL pushes the return address,
// RET pops it), SP after the step is what it was before the CALL.

import { test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { assemble } from "./harness";
import { Machine, STOP } from "../../web/host/machine";
import { stepOverFrame, backInFrame } from "../../web/host/inspect";

test("step over a recursive CALL stops at its own return, not at the deeper calls' returns", async () => {
  const rom = readFileSync(assemble("stepover"));
  // stepover.asm: "mov bx, sp" (89 E3) then "call rec" (E8 rel16) at rec_call.
  const at = rom.findIndex((_, i) => rom[i] === 0x89 && rom[i + 1] === 0xe3 && rom[i + 2] === 0xe8);
  expect(at).toBeGreaterThan(0);
  const recCall = 0xf0000 + at + 2, recAfter = recCall + 3;
  const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 4 << 20, translate: false });
  m.loadBios(rom);
  m.insertBreakpoint(recCall);
  expect(m.run(1_000_000)).toBe(STOP.BREAKPOINT);
  const start = m.registers();
  expect(start.gpr[1] & 0xffff).toBe(3); // CX: the first rec (CX 4, decremented), about to recurse
  const frame = stepOverFrame(m);
  m.removeBreakpoint(recCall);
  m.insertBreakpoint(recAfter);
  const verdicts: boolean[] = [];
  for (;;) {
    expect(m.run(1_000_000)).toBe(STOP.BREAKPOINT);
    expect(m.registers().eip).toBe(recAfter - 0xf0000);
    const back = backInFrame(m, frame);
    verdicts.push(back);
    if (back) break;
    m.step(); // off the breakpoint: a deeper call's INC DX
  }
  // rec with CX 2 and CX 1 return there first (each frame 2 bytes deeper), then ours.
  expect(verdicts).toEqual([false, false, true]);
  const end = m.registers();
  expect(end.gpr[4] & 0xffff).toBe(frame.esp & 0xffff);
  expect(end.gpr[2] & 0xffff).toBe(2); // DX: the two deeper INC DX ran, ours not yet
});
