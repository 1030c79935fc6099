// The machine-check MSRs and CR4.MCE (tests/guest/mca.asm, asm/cpu/mca.ts):
// RingZero against qemu -cpu coreduo and -cpu pentium2 for what QEMU does as
// the SDM says, the SDM alone for the rest.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";
import type { CpuModelName } from "../../web/host/cpumodel";

const GP = ":GP";
const ALL1 = "ffffffff ffffffff", ZERO = "00000000 00000000";
const squash = (s: string) => s.trim().split(/\s+/).join(" ");

test.each(["coreduo", "pentium2"] as const)("mca -cpu %s: CPUID, reset values and the registers' writes as qemu; #GP where the SDM gives it", async (model: CpuModelName) => {
  const bin = assemble("mca");
  const rz = await runRingZero(bin, { cpu: { model } });
  expect(rz.stop).toBe("exit");
  const q = runQemu(bin, { cpu: model });
  const [rzCommon, rzSdm] = rz.output.split("sdm\n");
  const [qCommon] = q.output.split("sdm\n");
  expect(rzCommon).toBe(qCommon);
  // The same, from the SDM and QEMU's model definition: CPUID.1:EDX MCE (7)
  // and MCA (14); IA32_MCG_CAP 10 banks, MCG_CTL_P (8), MCG_SER_P (24);
  // IA32_MCG_CTL and every IA32_MCi_CTL all 1s after reset, the rest 0.
  const lines = rzCommon.trim().split("\n").map(squash);
  expect(lines.slice(0, 4)).toEqual(["cpuid 00004080", "cap 00000000 0100010a", `status ${ZERO}`, `ctl ${ALL1}`]);
  expect(lines.slice(4, 14)).toEqual(Array(10).fill(`${ALL1} ${ZERO} ${ZERO} ${ZERO}`));
  // A P6 takes all 0s or all 1s in a CTL register (§15.3.2.1); another value leaves it.
  expect(lines[14]).toBe(`mcg-ctl w ${ZERO} w ${ZERO} w ${ALL1}`);
  expect(lines[15]).toBe(`mc3-ctl w ${ZERO} w ${ZERO} ${ALL1} w ${ALL1} w ${ALL1}`);
  expect(lines[16]).toBe(`clear w w w ${ZERO}`);
  expect(lines[17]).toBe(`mcip w 00000000 00000004 w 00000000 00000007 w ${ZERO}`);
  expect(lines[18]).toBe("cr4 mce 00000040");
  // The SDM (QEMU's TCG stores each of these writes and reads 0 for an MSR it
  // does not know): writing 1s to STATUS, ADDR or MISC is #GP(0) (§15.3.2.2-4);
  // IA32_MCG_STATUS bits 63:3 are reserved (§15.3.1.2); IA32_MCG_CAP is read-only;
  // 428H, past bank 9, and 3FFH are not MSRs of this processor (#GP(0), RDMSR).
  expect(rzSdm.trim().split("\n").map(squash)).toEqual([
    `wr1 w${GP} w${GP} w${GP} ${ZERO}`,
    `mcg-status-rsvd w${GP} w${GP} ${ZERO}`,
    `cap-write w${GP} 00000000 0100010a`,
    `past-banks ${GP} deadbeef deadbeef w${GP} ${GP} deadbeef deadbeef`,
    "end",
  ]);
}, 60_000);

test("mca -cpu coreduo,-mce,-mca: no CPUID bits, every machine-check MSR #GP, CR4.MCE reserved", async () => {
  const rz = await runRingZero(assemble("mca"), { cpu: { model: "coreduo", mce: false, mca: false } });
  expect(rz.stop).toBe("exit");
  const lines = rz.output.trim().split("\n").map(squash);
  expect(lines[0]).toBe("cpuid 00000000");
  const unread = `${GP} deadbeef deadbeef`;
  expect(lines.slice(1, 4)).toEqual([`cap ${unread}`, `status ${unread}`, `ctl ${unread}`]);
  expect(lines.slice(4, 14)).toEqual(Array(10).fill(Array(4).fill(unread).join(" ")));
  expect(lines[16]).toBe(`clear w${GP} w${GP} w${GP} ${unread}`);
  expect(lines[18]).toBe(`cr4 mce${GP} 00000000`);
}, 30_000);

test("mca -cpu coreduo,-mca: CR4.MCE without the banks", async () => {
  const rz = await runRingZero(assemble("mca"), { cpu: { model: "coreduo", mca: false } });
  const lines = rz.output.trim().split("\n").map(squash);
  expect(lines[0]).toBe("cpuid 00000080");
  expect(lines[1]).toBe(`cap ${GP} deadbeef deadbeef`);
  expect(lines[18]).toBe("cr4 mce 00000040");
}, 30_000);
