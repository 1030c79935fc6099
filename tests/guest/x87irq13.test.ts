import { test, expect } from "vitest";
import { assemble, runRingZero } from "./harness";
import type { Machine } from "../../web/host/machine";

// No local APIC (IA32_APIC_BASE enable bit clear), matching qemu -cpu pentium2,-apic.
const noApic = (m: Machine) => { m.cpuState().setUint32(0x264, 0xfee00100, true); };

// RingZero only: qemu 7.2 stops after "div wait " on this program (its FERR path
// with CR0.NE=0 does not come back), so there is no reference output to compare.
test("x87 errors with CR0.NE=0 arrive as IRQ13 at the next FWAIT; port 0xF0 clears it", async () => {
  const bin = assemble("x87irq13");
  const rz = await runRingZero(bin, { setup: noApic });
  expect(rz.stop).toBe("exit");
  // The exception is held until FWAIT, the handler runs once, FNCLEX cleared ES.
  // FNSTSW after the handler's FNCLEX: TOP = 6 (two loads; FDIVP with an unmasked
  // zero divide leaves the stack as it was), no exception flags left.
  expect(rz.output).toBe("div wait irq13 after 3000\n");
});
