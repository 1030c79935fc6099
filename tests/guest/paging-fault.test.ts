import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

// SDM vol. 3 §4.7: error code bit 0 P (protection violation vs not present),
// bit 1 W/R, bit 2 U/S; CR2 = the faulting linear address (for an access that
// crosses into a not-present page, the first address in that page).
const EXPECTED = `s-read-np v=0e e=00000000 cr2=00020010
s-write-np v=0e e=00000002 cr2=00020010
s-write-user-ro-wp1 v=0e e=00000003 cr2=00021008
s-write-sup-ro-wp1 v=0e e=00000003 cr2=00023fff
s-read-pde-np v=0e e=00000000 cr2=00400123
s-write-ro-pde-wp1 v=0e e=00000003 cr2=01000008
s-fetch-np v=0e e=00000000 cr2=00020000 00020000
s-fetch-ok v=none
s-split-write v=0e e=00000002 cr2=00020000
s-write-ro-wp0 v=none 5a5a5a5a a5a5a5a5
u-read-np v=0e e=00000004 cr2=00020000
u-write-np v=0e e=00000006 cr2=00020000
u-read-sup v=0e e=00000005 cr2=00022000
u-write-ro v=0e e=00000007 cr2=00021000
u-read-ro v=80 e=00000000 cr2=00021000
u-read-4m-sup v=0e e=00000005 cr2=00800000
u-read-sup-pde v=0e e=00000005 cr2=00c00000
u-write-ro-pde v=0e e=00000007 cr2=01000000
u-read-ro-pde v=80 e=00000000 cr2=01000000 00000020 00000060
u-fetch-sup v=0e e=00000005 cr2=00022000 00022000
done
`;

test("paging-fault: the ROM gives the SDM's error codes and CR2 under qemu", () => {
  expect(runQemu(assemble("paging-fault")).output).toBe(EXPECTED);
});

test("paging-fault: #PF error codes and CR2 at CPL 0 and 3 (RingZero, same as qemu)", async () => {
  const rz = await runRingZero(assemble("paging-fault"));
  expect(rz.stop).toBe("exit");
  expect(rz.output).toBe(EXPECTED);
});
