// The lab-bench demo's disk (tools/guest/lab/lab.asm, images/lab.img, the
// gallery's ?demo=lab) booted by SeaBIOS: on the command line its serial output
// is qemu-system-i386's, line for line; and the teaching breakpoints the demo
// sets stop it at each step of its tour, in order, with the values the program
// and the SDM give (addresses from nasm's map of the same source, not read back).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, test, expect } from "vitest";
import { IMAGES, ROOT, SerialGuest, prepareRingZero, ringzeroGuest, type Manifest } from "./serial-guest";
import { Machine, STOP } from "../../web/host/machine";
import { loadBootImages } from "../../web/host/boot";
import { MemoryBackend } from "../../web/host/block";
import { readEvents, setEventStops, stoppedAt, type EventKind } from "../../web/host/events";
import { labSymbols } from "./labsyms";
import { demoFromUrl } from "../../web/ui/config";

const TIMEOUT_MS = 60_000;
const LAST_LINE = "INT 0x80 exit: back in ring 0 for good. The tour is over.";

let manifest: Manifest;
let sym: Record<string, number>;
beforeAll(() => {
  manifest = prepareRingZero();
  const lab = labSymbols();
  sym = lab.sym;
  // The image the demo boots is this program.
  expect(readFileSync(join(IMAGES, "lab.img")).subarray(0, lab.bin.length).equals(lab.bin)).toBe(true);
}, 600_000);

/** Everything from the lab's first line to its last. */
async function tour(vm: SerialGuest): Promise<string> {
  try {
    const start = await vm.waitFor("RingZero lab:", 0, TIMEOUT_MS) - "RingZero lab:".length;
    const end = await vm.waitFor(LAST_LINE, start, TIMEOUT_MS);
    return vm.transcript.slice(start, end).replace(/\r/g, "");
  } finally {
    vm.kill();
  }
}

test("booted by SeaBIOS, it prints what it prints under qemu-system-i386", async () => {
  const disk = `file=${join(IMAGES, "lab.img")},format=raw,if=ide`;
  const args = ["-display", "none", "-serial", "stdio", "-bios", join(IMAGES, "bios.bin"), "-m", "32", "-drive", disk];
  const ours = await tour(ringzeroGuest(manifest, args, TIMEOUT_MS));
  const qemu = await tour(new SerialGuest("qemu-system-i386", "qemu-system-i386", ["-accel", "tcg", "-monitor", "none", ...args], manifest, TIMEOUT_MS));
  expect(ours).toBe(qemu);
  // And what it prints is the tour the source describes (#PF error 6: a user-mode
  // write to a not-present page, SDM vol. 3 §4.7; HLT at CPL 3 is #GP(0), SDM vol. 2 HLT).
  expect(ours.split("\n")).toEqual([
    "RingZero lab: real mode at 0x7c00, loading the kernel with INT 13h",
    "protected mode: CR0.PE=1, CS=0x08 (ring 0, 32-bit), paging off",
    "IDT: exceptions 0-31, IRQ0 at vector 0x20, INT 0x80 open to ring 3",
    "paging on: CR3=0x00020000, 0-4 MiB identity-mapped, 4 MiB not mapped",
    "task 2: a hardware task switch to TSS 0x30, IRET goes back through its link",
    "back in task 1 (TSS 0x28)",
    "timer: 3 interrupts from IRQ0 (vector 0x20)",
    "IRET to ring 3",
    "ring 3: CPL=3, hello through INT 0x80",
    "#PF at CR2=0x00400000 error 0x00000006: the kernel maps a page there and the write runs again",
    "ring 3: the write went through; it reads back 0x600d600d",
    `#GP error 0x00000000 at EIP=0x${sym.at_hlt.toString(16).padStart(8, "0")}: HLT is privileged; the kernel skips it`,
    "ring 3: still running after the #GP",
    LAST_LINE,
  ]);
}, 180_000);

test("the demo's teaching breakpoints stop it at each step of the tour, in order", async () => {
  const m = await Machine.create({ wasm: readFileSync(join(ROOT, "build/ringzero.wasm")), ramBytes: 32 << 20 });
  const boot = loadBootImages(m, {
    bios: readFileSync(join(IMAGES, "bios.bin")), vgabios: readFileSync(join(IMAGES, "vgabios.bin")),
    hda: new MemoryBackend(readFileSync(join(IMAGES, "lab.img")), false), boot: "c",
  });
  boot();
  // As the page does (web/ui/config.ts DEMOS.lab): to the boot sector first
  // (SeaBIOS switches modes before it), then the events.
  const lab = (await demoFromUrl(new URLSearchParams("demo=lab")))!.lab!;
  expect(lab.breakAt).toBe(0x7c00);
  m.insertBreakpoint(lab.breakAt);
  expect(m.run(500_000_000)).toBe(STOP.BREAKPOINT);
  expect(m.registers()).toMatchObject({ eip: 0x7c00, cpl: 0, cr0: expect.any(Number) });
  expect(m.registers().cr0 & 1).toBe(0); // real mode
  m.removeBreakpoint(0x7c00);
  setEventStops(m, { kinds: lab.stops });

  const stops: { kind: EventKind; detail: object; eip: number; cpl: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const why = m.run(100_000_000);
    if (why !== STOP.BREAKPOINT) break;
    const e = readEvents(m, stoppedAt(m)!)[0];
    const r = m.registers();
    stops.push({ kind: e.kind, detail: e.detail, eip: r.eip, cpl: r.cpl });
  }
  // CR0 before the switch is whatever SeaBIOS left: only PE, then only PG, change.
  const cr0 = (stops[0].detail as { cr0Before: number }).cr0Before;
  expect(cr0 & 0x80000001).toBe(0);
  const ring = (from: number, to: number, eip: number) => ({ kind: "ring", detail: { from, to }, eip, cpl: to });
  const timer = { kind: "interrupt", detail: { vector: 0x20 }, eip: sym.timer_handler, cpl: 0 };
  const syscall = [ring(3, 0, sym.syscall_handler)];
  expect(stops).toEqual([
    { kind: "mode", detail: { cr0Before: cr0, cr0After: cr0 | 1 }, eip: sym.at_protected, cpl: 0 },
    { kind: "cr3", detail: { before: 0, after: sym.PAGE_DIR }, eip: sym.at_cr3, cpl: 0 },
    { kind: "mode", detail: { cr0Before: cr0 | 1, cr0After: (cr0 | 0x80000001) >>> 0 }, eip: sym.at_paging, cpl: 0 },
    // CALL to a TSS selector: task 2 starts at the EIP its TSS holds; its IRET
    // (EFLAGS.NT set by the CALL) switches back to TSS1 after the CALL (SDM vol. 3 §7.3, §7.4).
    { kind: "task", detail: { selector: sym.TSS2, reason: expect.any(Number) }, eip: sym.task2, cpl: 0 },
    { kind: "task", detail: { selector: sym.TSS1, reason: expect.any(Number) }, eip: sym.at_task1, cpl: 0 },
    timer, timer, timer,
    ring(0, 3, sym.user),
    ...syscall, ring(0, 3, sym.at_write),
    // The write to 4 MiB: #PF with error code 6 (user, write, not present) into
    // ring 0; the handler's IRET runs the write again.
    { kind: "exception", detail: { vector: 14, error: 6, cr2: sym.DEMAND_LINEAR }, eip: sym.pf_handler, cpl: 0 },
    ring(0, 3, sym.at_write),
    ...syscall, ring(0, 3, sym.at_read),
    ...syscall, ring(0, 3, sym.at_hlt),
    // HLT at CPL 3: #GP(0); the handler returns after it.
    { kind: "exception", detail: { vector: 13, error: 0, cr2: expect.any(Number) }, eip: sym.gp_handler, cpl: 0 },
    ring(0, 3, sym.at_after_hlt),
    ...syscall, ring(0, 3, sym.at_exit),
    ...syscall,
  ]);
  // The exit call ends the tour: HLT with interrupts off, nothing more to stop at.
  expect(m.registers().halted).toBe(true);
}, 120_000);
