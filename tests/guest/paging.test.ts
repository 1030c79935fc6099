import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("paging: A/D bits, 4 MiB pages, PS without PSE, INVLPG (4 KiB and 4 MiB), CR3 reload, WP=0 (same output as qemu)", async () => {
  const bin = assemble("paging");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  const out = rz.output;
  expect(out).toContain("cr0 e0000011 00010000\n");
  // SDM vol. 3 §4.8: A set on the first access, D on the first write; the PDE of
  // a page table gets A only.
  expect(out).toContain("ad 00030003 11111111 00030023 00030063 00011027 abcdef01\n");
  expect(out).toContain("invlpg 22222222 33333333 44444444\n");
  // §4.6: with CR0.WP = 0 supervisor writes ignore R/W; D is set.
  expect(out).toContain("wp0 66666666 00032061\n");
  expect(out).toContain("ps-ignored 55555555\n");
  // 4 MiB PDEs get A and, when written through, D.
  expect(out).toContain("pse 77777777 008000e3 00c000e3 008000a3\n");
  // §4.10.4.1: INVLPG of any address in a 4 MiB page drops the whole page.
  expect(out).toContain("invlpg-4m 77777777 00000000 88888888 00000000\n");
  expect(out.endsWith("done\n")).toBe(true);
  expect(runQemu(bin).output).toBe(out);
});
