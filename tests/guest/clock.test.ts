import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

// The one-clock model (asm/clock.ts): one RTC second measured by the PIT, the
// local APIC timer and the TSC, in icount mode (deterministic). 2^6 ns per
// instruction keeps the two simulated seconds to ~30 M instructions.

test("PIT, RTC, local APIC timer and TSC agree on one second (icount shift=6; same as qemu -icount shift=6 -rtc clock=vm)", async () => {
  const bin = assemble("clock");
  const rz = await runRingZero(bin, { budget: 100_000_000, setup: (m) => m.setIcountShift(6) });
  expect(rz.stop).toBe("exit");
  expect(rz.output).toBe("pit ok\nlapic ok\ntsc ok\n");
  const again = await runRingZero(bin, { budget: 100_000_000, setup: (m) => m.setIcountShift(6) });
  expect(again.instructions).toBe(rz.instructions); // deterministic
  const q = runQemu(bin, { args: ["-icount", "shift=6", "-rtc", "clock=vm"] });
  expect(q.output).toBe(rz.output);
});
