// Shared by the tests that need RingZero's protected-mode interrupt delivery
// (paging-fault, fuzz): runs sys-pm-probe.asm once and says whether the
// protected-mode frame of sys-pm.inc works in RingZero yet. Until the
// protection work (IDT delivery, far JMP, IRET, LTR) lands, those tests check
// their ROM under qemu only and skip the RingZero run, saying so.
import { assemble, runRingZero } from "./harness";

let probe: Promise<boolean> | undefined;
export function pmFrameWorks(): Promise<boolean> {
  probe ??= (async () => {
    const r = await runRingZero(assemble("sys-pm-probe"), { budget: 1_000_000 });
    const ok = r.stop === "exit" && r.output.includes("probe ok");
    if (!ok) console.warn(`RingZero cannot run the protected-mode test frame yet (stop: ${r.stop}, output: ${JSON.stringify(r.output)}); skipping the RingZero runs that need it`);
    return ok;
  })();
  return probe;
}
