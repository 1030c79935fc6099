// The HPET (asm/dev/hpet.ts; IA-PC HPET specification 1.0a) driven by a guest
// program: registers as qemu-system-i386 7.2's pc machine shows them, and
// interrupt counts worked out from the specification.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

/** The lines whose values do not depend on interrupt timing. */
const registerLines = (out: string) => out.split("\n").filter((l) => !/irq|rate|next cmp/.test(l));

test("hpet: reset values, rate against the 8254, legacy route, periodic and one-shot comparators, level status", async () => {
  const bin = assemble("hpet");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // GCAP_ID: vendor 8086h, LEG_RT_CAP (bit 15), COUNT_SIZE_CAP (bit 13), 3 timers
  // (NUM_TIM_CAP = 2 in bits 8-12), revision 1; period 10^7 fs (100 MHz).
  expect(out).toContain("gcap=8086a201\nperiod=00989680\ngconf=00000000\ngisr=00000000\ncount=00000000\n");
  // Each timer: Tn_PER_INT_CAP | Tn_SIZE_CAP, routable to I/O APIC pin 2 only; comparators all ones.
  expect(out).toContain("t0conf=00000030\nt0cap=00000004\nt0cmp=ffffffff\nt0cmphi=ffffffff\nt1conf=00000030\nt2conf=00000030\nt2cap=00000004\n");
  // 11932 clocks of 1.193182 MHz = 10.0000 ms = 1 000 003 ticks of 100 MHz.
  expect(out).toContain("rate: 10 ms of the 8254 is 1000000 ticks +-1%\n");
  // Timer 0 periodic every 200 000 ticks, first match 200 000 after the start,
  // waited 1 050 000 ticks: matches at 2, 4, 6, 8, 10 ms = 5 interrupts on IRQ0,
  // none from the 8254 programmed at 1 kHz (cut off by LEG_RT_CNF); the comparator
  // then holds the sixth match, 1 200 000 ticks after the start.
  // Tn_CONF read back: INT_ENB | TYPE | PER_CAP | SIZE_CAP | 32MODE (VAL_SET
  // cleared by the comparator writes).
  expect(out).toContain("t0conf=0000013c\n");
  expect(out).toContain("periodic irq0=00000005\nnext cmp - start=00124f80\n");
  // One-shot: one interrupt at 100 000 ticks, none later.
  expect(out).toContain("one-shot irq0=00000001\nlater irq0=00000001\n");
  // Timer 1 (64-bit, periodic every 100 000 ticks) on IRQ8 for 350 000 ticks:
  // 3 interrupts, the next match at 400 000; IRQ0 quiet meanwhile.
  expect(out).toContain("t1conf=0000003c\nperiodic irq8=00000003\nirq0=00000001\nt1 next cmp - start=00061a80\n");
  // Level timer 2: Tn_INT_STS (bit 2) set at its match, cleared by writing 1;
  // a 32-bit comparator's high half reads 0.
  expect(out).toContain("t2conf=00000136\nt2cmphi=00000000\ngisr=00000004\ngisr after clear=00000000\n");
  // The halted counter takes both halves and holds still; enabled, it counts on.
  expect(out).toContain("halted count=9abcdef0\nhalted count hi=12345678\nstill=9abcdef0\ncounting again\n");
  // qemu 7.2's register values are the same. Its interrupt counts are not compared:
  // it delivers one more periodic IRQ0 and no IRQ8 from a 64-bit periodic timer 1
  // on this program, and its 8254/HPET rate check varies with host load.
  const q = runQemu(bin);
  expect(registerLines(q.output)).toEqual(registerLines(out));
});
