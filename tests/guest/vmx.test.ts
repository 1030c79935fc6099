import { test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { assemble, runRingZero } from "./harness";
import { hex, bit, or, PIN_DEFAULT1, PROC_DEFAULT1, EXIT_DEFAULT1, ENTRY_DEFAULT1, PIN_MAY1, PROC_MAY1, EXIT_MAY1, BASIC_HI, TIMER_RATE, MISC, CR0_FIXED0 } from "./vmxcaps";
import { Machine, STOP } from "../../web/host/machine";
import { readEvents, setEventStops, stoppedAt } from "../../web/host/events";
import { VMCS_FIELDS, readVmcs, vmcsText } from "../../web/host/vmcs";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// VMX (tests/guest/vmx.asm) under -cpu coreduo,-nx,+vmx (VMX_CPU) and without it. No
// reference machine has VMX (qemu's TCG has none, Debian's Bochs is built
// without it), so every expected value below is worked out here from the SDM
// (vol. 3 ch. 23-31, appendices A-C), from the VMX features this model claims
// (docs/VMX.md), and from the byte lengths of the guest's instructions
// (vol. 2 encodings); none is read back from the implementation.

const VMX_CPU = { model: "coreduo", nx: false, vmx: true } as const;
// A.7/A.8: CR0 PE, NE, PG fixed to 1; the CR0 bits a P6 has may be 1 (PE MP EM
// TS ET NE WP AM NW CD PG); CR4.VMXE (13) fixed to 1; the CR4 bits of this
// model (the Core Duo) may be 1 (VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT VMXE).
const CR0_FIXED1 = or(...[0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31].map(bit));
const CR4_FIXED1 = or(...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13].map(bit));
// A.9 VMCS_ENUM: highest field index 17H (the VMX-preemption timer value,
// 482EH; appendix B.3.3), bits 9:1.
const VMCS_ENUM = 0x17 * 2;

const msr = (n: number, hi: number, lo: number) => `msr ${hex(n)} ${hex(hi)} ${hex(lo)} v=none`;
const GP = "v=0d e=00000000 cr2=00000000";
const UD = "v=06 e=00000000 cr2=00000000";
// §31.2: VMsucceed clears CF PF AF ZF SF OF; VMfailInvalid sets CF; VMfailValid sets ZF.
const OK = "f=00000000", INVALID = "f=00000001", VALID = "f=00000040";
const n = (e: number) => `n=${hex(e)}`;

// "exit REASON QUAL RIP ..." (vmx.asm print_exit). Exit reasons: appendix C.
// I/O qualification (table 28-5): size - 1 (2:0), IN (3), string (4), REP (5),
// immediate operand (6), port (31:16). CR access (table 28-3): CR (3:0),
// type (5:4: 0 MOV to CR, 1 MOV from CR), GPR (11:8). RIPs are offsets in the
// guest code (vmx.asm comments give each instruction's bytes).
const ioQual = (size: number, isIn: boolean, imm: boolean, port: number) => (size - 1) + (isIn ? 8 : 0) + (imm ? 64 : 0) + port * 0x10000;
const exit = (reason: number, qual: number, rip: number, len: number) => `exit ${hex(reason)} ${hex(qual)} ${hex(rip)} ${hex(len)}`;
// Interruption information (table 24-15): vector, type (10:8: 0 external, 2 NMI,
// 3 hardware exception), error code valid (11), valid (31).
const intr = (vector: number, type: number, err: boolean) => vector + type * 256 + (err ? bit(11) : 0) + bit(31);
// VMREAD [EBX + ESI*4 + 10H], EAX: instruction information (table 27-14): scale 2
// (1:0), address size 32 = 1 (9:7), memory (10 = 0), DS = 3 (17:15), index ESI =
// 6 (21:18), base EBX = 3 (26:23), reg2 EAX = 0 (31:28); the displacement 10H is
// the qualification (§27.2.1).
const VMREAD_INFO = 2 + 1 * bit(7) + 3 * bit(15) + 6 * bit(18) + 3 * bit(23);

const PRESENT = [
  "cpuid1.ecx 00000029",                                    // CPUID.1:ECX: SSE3 (0), MONITOR (3), VMX (5)
  "feature-control 00000000 v=none",                        // 3AH after reset
  `debugctl 00000000 v=none lbr ${GP}`,                     // IA32_DEBUGCTL: no LBR/BTF here (docs/VMX.md)
  msr(0x480, BASIC_HI, 0x52),
  msr(0x481, PIN_MAY1, PIN_DEFAULT1),                       // high: allowed-1, low: allowed-0
  msr(0x482, PROC_MAY1, PROC_DEFAULT1),
  msr(0x483, EXIT_MAY1, EXIT_DEFAULT1),
  msr(0x484, ENTRY_DEFAULT1, ENTRY_DEFAULT1),               // no optional entry control
  msr(0x485, 0, MISC),
  msr(0x486, 0, CR0_FIXED0),
  msr(0x487, 0, CR0_FIXED1),
  msr(0x488, 0, bit(13)),
  msr(0x489, 0, CR4_FIXED1),
  msr(0x48a, 0, VMCS_ENUM),
  `msr 0000048b ${GP}`,                                     // PROCBASED_CTLS2 exists only with secondary controls
  "cr4.vmxe v=none",
  `vmxon-unlocked ${GP}`,                                   // IA32_FEATURE_CONTROL.lock = 0: #GP(0)
  `fc-write 00000005 v=none again ${GP}`,                   // locked: WRMSR #GP(0)
  `vmxon-nopaging ${GP}`,                                   // CR0.PG = 0 is not supported in VMX operation
  `vmread-off ${UD}`,                                       // outside VMX operation
  `vmxon-cpl3 ${GP}`,
  `vmxon-misaligned ${INVALID}`,                            // not 4 KiB aligned
  `vmxon-revision ${INVALID}`,                              // revision 53H in the region
  `vmxon ${OK}`,
  `cr4-clear-vmxe ${GP}`,                                   // CR4.VMXE fixed to 1
  `vmxon-again ${INVALID}`,                                 // VMfail(15) with no current VMCS: VMfailInvalid
  `vmptrst ${OK} ffffffff ffffffff`,                        // no current VMCS
  `vmread-novmcs ${INVALID}`,
  `vmptrld-bad-rev ${INVALID}`,                             // VMfail(11), no current VMCS
  `vmclear ${OK}`,
  `vmptrld ${OK} 00021000 00000000`,                        // VMPTRST gives it back
  `vmxon-root ${VALID} ${n(15)}`,                           // VM-instruction errors: §31.4
  `vmptrld-vmxon ${VALID} ${n(10)}`,
  `vmclear-vmxon ${VALID} ${n(3)}`,
  `vmclear-misaligned ${VALID} ${n(2)}`,
  `vmptrld-above-4g ${VALID} ${n(9)}`,                      // IA32_VMX_BASIC[48]: 32-bit addresses
  `vmptrld-revision ${VALID} ${n(11)}`,
  `vmread-unsupported ${VALID} ${n(12)}`,
  `vmread-high-32bit ${VALID} ${n(12)}`,
  `vmwrite-readonly ${VALID} ${n(13)}`,
  `vmwrite-16 ${OK} 00005678`,
  "vmwrite-64 11223000 00000007 00000000",
  `vmread-mem ${OK} 00005678`,
  `vmresume-clear ${VALID} ${n(5)}`,                        // VMRESUME with a non-launched VMCS
  `vmcall-root ${VALID} ${n(1)}`,
  `entry-allowed0 ${VALID} ${n(7)}`,                        // §26.2.1.1: a must-be-1 pin control cleared
  `entry-allowed1 ${VALID} ${n(7)}`,                        // "activate secondary controls" not allowed
  `entry-host-cs0 ${VALID} ${n(8)}`,                        // §26.2.3: host CS selector 0
  "entry-guest-cr0 exit 80000021 00000000",                 // §26.3.1.1 then §26.8: reason 33 | bit 31
  "entry-guest-tr-type exit 80000021 00000000",             // §26.3.1.2: TR type 3 or 11
  "entry-msr-load exit 80000022 00000002",                  // §26.4: FS_BASE may not be loaded; reason 34 | bit 31
  `launch-state-kept ${VALID} ${n(5)}`,                     // failed entries leave the VMCS clear
  exit(10, 0, 0, 2),                                        // CPUID (0F A2)
  `vmlaunch-again ${VALID} ${n(4)}`,                        // VMLAUNCH with a launched VMCS
  exit(30, ioQual(1, false, true, 0x80), 4, 2),             // OUT 80H, AL (E6 80)
  exit(30, ioQual(1, false, false, 0x1234), 10, 1),         // OUT DX, AL (EE)
  exit(30, ioQual(4, true, false, 0x60), 15, 1),            // IN EAX, DX (ED)
  exit(16, 0, 16, 2),                                       // RDTSC (0F 31)
  exit(12, 0, 18, 1),                                       // HLT (F4)
  exit(13, 0, 19, 2),                                       // INVD (0F 08), unconditional
  exit(28, 3 + 1 * 16 + 0 * 256, 21, 3),                    // MOV EAX, CR3: CR3-store exiting (default1)
  exit(28, 3 + 0 * 16 + 0 * 256, 24, 3),                    // MOV CR3, EAX: CR3-load exiting, no targets
  `${exit(23, 0x10, 37, 5)} ${hex(VMREAD_INFO)}`,           // VMREAD in the guest (0F 78 44 B3 10)
  `exit 00000000 00000000 ${hex(42)} ${hex(intr(6, 3, false))}`,                     // UD2: #UD in the bitmap
  `exit 00000000 00000000 ${hex(48)} ${hex(intr(13, 3, true))} 00001238`,            // MOV DS: #GP(1238H)
  exit(18, 0, 50, 3),                                       // VMCALL (0F 01 C1)
  // Injection of INT 31H (type 4, length 2) at RIP 50: the guest's handler sees
  // vector 31H and the return address 50 + 2; it ends in the VMCALL at 56. The
  // exit clears the valid bit of the entry interruption information (§24.8.3).
  `inject ${exit(18, 0, 56, 3)} vec 00000031 ret 00000002 valid 00000431`,
  // The same injection into a not-present gate 31H with #NP in the bitmap: #NP
  // with error code 31H * 8 + IDT (2) + EXT (0: INT n is software), at the RIP
  // the entry started from (56), as IDT-vectoring information the injected INT
  // 31H (80000431H) and the exit instruction length its 2 (§27.2.4, §27.2.5).
  `inject-np exit 00000000 00000000 ${hex(56)} ${hex(intr(11, 3, true))} ${hex(0x31 * 8 + 2)} 80000431 00000002 00000000`,
  // #PF with mask 1, match 1 and error code 0: no match, bit 14 set -> no exit;
  // the guest's handler gets vector 0EH and CR2 = 800000H, then VMCALL at 66.
  `pf-nomatch ${exit(18, 0, 66, 3)} vec 0000000e cr2 00800000`,
  // mask 0, match 0: an exit; qualification = the linear address, CR2 untouched (§27.1).
  `pf-exit exit 00000000 00800000 ${hex(69)} ${hex(intr(14, 3, true))} 00000000 cr2 12345000`,
  `msr-bitmap ${exit(31, 0, 86, 2)}`,                       // RDMSR 174H: its read bit is set
  // MOV CR0, EAX with TS set while the mask owns TS and the shadow has it 0;
  // the WRMSR of 60H to 174H before did not exit and the exit saved it; MOV
  // from CR0 read TS from the shadow (0); CLTS left CR0.TS (1) alone (§25.3).
  `cr0-mask ${exit(28, 0, 115, 3)} sysenter_cs 00000060 seen 00000000 cr0.ts 00000008 stored 00000060`,   // and the exit MSR-store list got it (§27.4)
  `nmi exit 00000000 00000000 ${hex(128)} ${hex(intr(2, 2, false))}`,                // after the ICR write
  `extint exit 00000001 00000000 ${hex(128)} ${hex(intr(0x20, 0, false))}`,          // acknowledged: vector 20H
  `intwin exit 00000007 00000000 ${hex(128)}`,
  `invlpg ${exit(14, 0x1234, 130, 7)}`,                     // INVLPG: the linear address (table 28-1)
  `mov-dr ${exit(29, 7 + 16 + 0 * 256, 137, 3)}`,           // MOV EAX, DR7: DR 7, from DR (4), EAX (table 28-4)
  `rdpmc ${exit(15, 0, 142, 2)}`,
  `io-bitmap ${exit(30, ioQual(1, false, true, 0x71), 148, 2)}`,   // OUT 70H did not exit
  // RDTSC without RDTSC exiting returns TSC + offset (§25.3): the high halves
  // differ by the offset's 10H (the TSC is far below 2^32 here).
  `tsc-offset ${exit(18, 0, 158, 3)} 00000010`,
  `task-switch ${exit(9, 0x30 + 2 * bit(30), 161, 7)}`,     // JMP 30H:0: selector, source 2 = JMP (table 28-2)
  `int3 exit 00000000 00000000 ${hex(168)} ${hex(intr(3, 6, false))} 00000001`,   // INT3: software exception (type 6), length 1
  `pause ${exit(40, 0, 169, 2)}`,                           // PAUSE exiting: reason 40
  `mwait ${exit(36, 1, 181, 3)}`,                           // MWAIT: qualification 1, the monitor is armed (§27.2.1)
  `monitor ${exit(39, 0, 184, 3)}`,                         // MONITOR exiting: reason 39
  // Blocking by STI / MOV SS (table 24-3) lasts until the instruction after
  // STI or MOV SS completes, and a VM exit during that instruction saves it
  // (§27.3.4): STI (+187) then CPUID (+188) saves 1; MOV SS (+192) then CPUID
  // (+194) saves 2; after NOP (+196) the CPUID at +197 saves 0.
  `sti-blocking ${exit(10, 0, 188, 2)} ib 00000001`,
  `movss-blocking ${exit(10, 0, 194, 2)} ib 00000002`,
  `no-blocking ${exit(10, 0, 197, 2)} ib 00000000`,
  // Loaded by VM entry (§26.6.1), the blocking holds the interrupt-window exit
  // (IF = 1, §25.2) off the guest's first instruction (NOP at +199): the exit
  // comes at +200, and the blocking is over by then.
  "intwin-sti exit 00000007 00000000 000000c8 ib 00000000",
  "intwin-movss exit 00000007 00000000 000000c8 ib 00000000",
  // §26.3.1.5: STI blocking needs RFLAGS.IF = 1; not both bits; with either,
  // the active state only and no injected external interrupt. Each is a
  // VM-entry failure, reason 33 | bit 31, qualification 0 (§26.8).
  "entry-sti-if0 exit 80000021 00000000",
  "entry-sti-movss exit 80000021 00000000",
  "entry-sti-hlt exit 80000021 00000000",
  "entry-sti-extint exit 80000021 00000000",
  `entry-movss ${VALID} ${n(26)}`,                          // VMRESUME blocked by MOV SS (§31.4 error 26)
  // §26.2.1.1: virtual NMIs need NMI exiting, NMI-window exiting needs virtual
  // NMIs; §26.2.1.2: saving the timer needs the timer. VMfailValid(7).
  `entry-vnmi-only ${VALID} ${n(7)}`,
  `entry-nmiwin-only ${VALID} ${n(7)}`,
  `entry-save-timer-only ${VALID} ${n(7)}`,
  // §26.2.1.1 with "use TPR shadow": the virtual-APIC address 4 KiB aligned,
  // TPR threshold bits 31:4 zero, and (no "virtualize APIC accesses" without
  // secondary controls) threshold bits 3:0 (3) not above VTPR bits 7:4 (2).
  `tpr-misaligned ${VALID} ${n(7)}`,
  `tpr-threshold-reserved ${VALID} ${n(7)}`,
  `tpr-above-vtpr ${VALID} ${n(7)}`,
  // Threshold 2 = VTPR 2: the entry succeeds and no "TPR below threshold" exit
  // follows it (§26.7.7 has one only with "virtualize APIC accesses"): the
  // guest's VMCALL at +211 is the first exit.
  `tpr-ok ${exit(18, 0, 211, 3)}`,
  // §26.3.1.5: with virtual NMIs, no NMI injection under virtual-NMI blocking.
  "entry-vnmi-inject-blocked exit 80000021 00000000",
  // An injected NMI with virtual NMIs: delivered through the guest's IDT
  // (vector 2), whose handler goes on at the VMCALL (+211); the injection set
  // virtual-NMI blocking, saved as bit 3 (§26.6.1.2, §27.3.4).
  `vnmi-inject ${exit(18, 0, 211, 3)} vec 00000002 ib 00000008`,
  // NMI-window exiting (§25.2): none while virtual-NMI blocking lasts; the
  // guest's IRET (+210) ends it (§25.3), so the exit comes at the IRET's target
  // (+211), reason 8, and nothing is blocked any more.
  "nmi-window-iret exit 00000008 00000000 000000d3 ib 00000000",
  // Entered again with no blocking: the exit comes before any instruction (§26.7.6).
  "nmi-window-open exit 00000008 00000000 000000d3",
  // With blocking by MOV SS loaded (and no virtual-NMI blocking) the NMI-window
  // exit waits for the guest's first instruction (NOP, +199) to complete (§25.2).
  "nmi-window-movss exit 00000008 00000000 000000c8",
  // Preemption timer value 0: an exit before any instruction (§26.7.4), reason
  // 52, ahead of the NMI-window exit (§25.2 priorities), at the RIP the last
  // exit left (+200); the saved value is 0.
  "timer-nmiwin exit 00000034 00000000 000000c8 timer 00000000",
  // Value 0 with INT 31H injected: the exit follows the injection (§26.7.4), at
  // the first instruction of the handler (gate 31H's offset), which has not
  // run (VEC32 untouched), and with no IDT-vectoring information (the delivery
  // completed).
  "timer-inject exit 00000034 00000000 at-handler 00000000 vec ffffffff vectoring 00000000",
  // Value 1000 and a VMCALL at once: the saved value (VM-exit control 22,
  // §27.3.4) is what is left. The timer counts down by 1 when TSC bit 5 changes
  // (MISC[4:0], §25.5.1); the TSC advances 1 per retired instruction here
  // (icount shift 0: 1 ns per instruction, a 1 GHz TSC, docs/ARCHITECTURE.md),
  // and the VMRESUME is the one instruction between the start and the exit, so
  // at most one change: 999 or 1000 (the test prints which range it checked).
  `timer-save ${exit(18, 0, 211, 3)} value 999-1000`,
  // From that value S (0 < S <= 1000) the timer reaches 0 after between (S - 1)
  // * 32 + 1 and S * 32 TSC increments, that is guest instructions after the
  // VMRESUME retires; the guest loops INC ECX / JMP from ECX = 0, so ECX is
  // between (S - 1) * 16 and S * 16 at the exit (reason 52, value saved 0).
  "timer-expire exit 00000034 00000000 timer 00000000 spins in-range",
  // Value 1000 again, and the guest first writes the TSC 2^32 ahead (WRMSR 10H,
  // not exiting: MSR bitmaps, its write bit clear). The timer counts down when
  // TSC bit 5 changes "due to a TSC increment" (§25.5.1), which a write is not,
  // so the exit still comes after 999 * 32 + 1 .. 1000 * 32 increments (guest
  // instructions): the six before the loop, then INC ECX / JMP, so ECX ends
  // between 15981 and 15997 (checked against 1000 * 16 - 20 .. 1000 * 16).
  // Counting the write would exit at once, with ECX near 0.
  "timer-wrmsr exit 00000034 00000000 timer 00000000 spins in-range",
  // Value 100 and HLT with IF = 0 (no HLT exiting): the timer counts in the
  // HLT state and its exit wakes it (§25.5.1): RIP after the HLT (+218), the
  // activity state saved as HLT (1, §27.3.4), value 0, and the host's TSC
  // moved by 99 * 32 .. 100 * 32 plus the few host instructions around the
  // entry and exit (checked against + 100).
  `timer-hlt exit 00000034 00000000 ${hex(218)} activity 00000001 timer 00000000 tsc in-range`,
  // NMI exiting without virtual NMIs: blocking by NMI loaded from bit 3 stays
  // while the guest runs, its IRET (+210) included (§26.6.1, §25.3), so the
  // VMCALL's exit saves it again.
  `nmi-exiting-iret ${exit(18, 0, 211, 3)} ib 00000008`,
  "triple exit 00000002 00000000",
  `vmxoff ${OK} vmread v=06 e=00000000 cr2=12345000`,
  "done",
].join("\n") + "\n";

const ABSENT = [
  "cpuid1.ecx 00000000",
  `feature-control ${GP}`,
  `debugctl 00000000 v=none lbr ${GP}`,                     // IA32_DEBUGCTL exists on every model
  ...Array.from({ length: 12 }, (_, i) => `msr ${hex(0x480 + i)} ${GP}`),
  `cr4.vmxe ${GP}`,                                         // CR4.VMXE is reserved without VMX
  `vmxon-absent ${UD} vmcall ${UD}`,
].join("\n") + "\n";

// The event timeline's VM entries and exits for the run above: every exit
// reason in PRESENT's order (bit 31: a failed VM entry), each successful exit
// after a VM entry, the first entry a VMLAUNCH.
const FAILED = 0x80000000;
const EXIT_ORDER = [33 + FAILED, 33 + FAILED, 34 + FAILED, 10, 30, 30, 30, 16, 12, 13, 28, 28, 23, 0, 0, 18, 18, 0, 18, 0, 31, 28,
  0, 1, 7, 14, 29, 15, 30, 18, 9, 0, 40, 36, 39,
  10, 10, 10, 7, 7, 33 + FAILED, 33 + FAILED, 33 + FAILED, 33 + FAILED, 18, 33 + FAILED, 18, 8, 8, 8, 52, 52, 18, 52, 52, 52, 18, 2];

test("VM entries and exits in the event timeline", async () => {
  let m: Machine | undefined;
  await runRingZero(assemble("vmx"), { cpu: VMX_CPU, interpret: true, setup: (x) => { m = x; } });
  const ev = readEvents(m!).filter((e) => e.kind === "vmentry" || e.kind === "vmexit");
  const exits = ev.filter((e) => e.kind === "vmexit");
  expect(exits.map((e) => (e.detail.reason as number) + (e.detail.failedEntry ? FAILED : 0))).toEqual(EXIT_ORDER);
  const entries = ev.filter((e) => e.kind === "vmentry");
  expect(entries.length).toBe(EXIT_ORDER.filter((r) => r < FAILED).length);
  expect(entries[0].detail.launch).toBe(true);
  expect(entries.slice(1).every((e) => e.detail.launch === false)).toBe(true);
  for (let i = 0; i < ev.length - 1; i++) if (ev[i].kind === "vmentry") expect(ev[i + 1].kind).toBe("vmexit");
  expect(exits[3].text).toMatch(/^VM exit: CPUID, qualification 0x0, guest at 0x[0-9a-f]+$/);
  expect(exits[0].text).toBe("VM entry failed: invalid guest state, qualification 0x0");
  // Appendix C's names for the newer reasons: 8 and 52.
  expect(exits[EXIT_ORDER.indexOf(8)].text).toMatch(/^VM exit: NMI window, /);
  expect(exits[EXIT_ORDER.indexOf(52)].text).toMatch(/^VM exit: VMX-preemption timer, /);
});

test("the host sees VMX operation (Machine.vmx, the page's status bar): off, root, non-root after each entry, the VMCS loaded", async () => {
  // SDM vol. 3 §23.3: VMXON enters VMX root operation, a VM entry non-root, a VM
  // exit root again, VMXOFF leaves; VMPTRLD makes a VMCS current (§24.1, 30.3),
  // VMCLEAR of the current one makes the pointer invalid. The program's VMCS is
  // at 21000H (vmx.asm VMCS_A).
  const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 32 << 20, cpu: VMX_CPU, translate: false });
  m.loadBios(readFileSync(assemble("vmx")));
  expect(m.vmx()).toEqual({ mode: "off", vmcs: null });
  setEventStops(m, { kinds: ["vmentry", "vmexit"] });
  const seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    const stop = m.run(50_000_000);
    if (stop !== STOP.BREAKPOINT) { expect(stop).toBe(STOP.EXIT); break; }
    // One instruction can enter and exit (an exit on the guest's first
    // instruction boundary): the last event of the stop decides.
    const evs = readEvents(m, stoppedAt(m)).filter((e) => e.kind === "vmentry" || e.kind === "vmexit");
    const e = evs[evs.length - 1];
    const v = m.vmx();
    // A failed VM entry (bit 31 of the reason) leaves the CPU in root operation.
    const want = e.kind === "vmentry" ? "non-root" : "root";
    expect(v.mode, `${e.kind} #${i}: ${e.text}`).toBe(want);
    expect(v.vmcs).toBe(0x21000);
    seen.push(...evs.map((x) => x.kind));
  }
  // Every entry and exit was seen: a stop reports the first event of its
  // instruction and the timeline has the rest after it.
  expect(seen.filter((k) => k === "vmentry").length).toBe(EXIT_ORDER.filter((r) => r < FAILED).length);
  expect(seen.filter((k) => k === "vmexit").length).toBe(EXIT_ORDER.length);
  expect(m.vmx().mode).toBe("off"); // the program ends with VMXOFF
});

test("the current VMCS decoded (inspector, ringzero.vmcs(), info vmcs): every field of this processor, with what vmx.asm wrote and its first exit", async () => {
  // Where vmx.asm's guest and host entry points are: nasm's symbol map of the ROM.
  const dir = mkdtempSync(join(tmpdir(), "rz-vmcs-"));
  const mapFile = join(dir, "vmx.map");
  writeFileSync(join(dir, "map.asm"), `[map symbols ${mapFile}]\n%include "vmx.asm"\n`);
  execFileSync("nasm", ["-f", "bin", "-I", fileURLToPath(new URL(".", import.meta.url)), "-o", join(dir, "vmx.bin"), join(dir, "map.asm")]);
  const sym = (name: string) => {
    const m = new RegExp(`^\\s*([0-9A-F]+)\\s+([0-9A-F]+)\\s+${name}$`, "m").exec(readFileSync(mapFile, "utf8"));
    if (!m) throw new Error(`no symbol ${name} in nasm's map`);
    return parseInt(m[2], 16); // the value column: the offset in the ROM (org 0)
  };
  const ROMB = 0xf0000; // sys-pm.inc: the ROM's linear base
  const m = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 32 << 20, cpu: VMX_CPU, translate: false });
  m.loadBios(readFileSync(join(dir, "vmx.bin")));

  // The names cover exactly the fields the machine stores (appendix B's encodings:
  // bit 0 set is a 64-bit field's high half, not a field of its own).
  // With EPT and VPID the machine has every named field; without them, all but
  // the VPID (0000H), EPT pointer (201AH), guest-physical address (2400H), guest
  // PDPTEs (280AH-2810H) and secondary controls (401EH), appendix B.
  const storedBy = (mm: Machine) => {
    const stored: number[] = [];
    for (let e = 0; e < 0x8000; e += 2) if (mm.vmcsFieldOffset(e) >= 0) stored.push(e);
    expect(new Set(stored.map((e) => mm.vmcsFieldOffset(e))).size).toBe(stored.length);
    return stored;
  };
  const withEpt = await Machine.create({ wasm: readFileSync(new URL("../../build/ringzero.wasm", import.meta.url)), ramBytes: 32 << 20,
    cpu: { ...VMX_CPU, "vmx-ept": true, "vmx-vpid": true }, translate: false });
  const named = VMCS_FIELDS.map(([e]) => e).sort((a, b) => a - b);
  expect(storedBy(withEpt)).toEqual(named);
  const secondary = [0x0000, 0x201a, 0x2400, 0x280a, 0x280c, 0x280e, 0x2810, 0x401e];
  expect(storedBy(m)).toEqual(named.filter((e) => !secondary.includes(e)));

  expect(readVmcs(m)).toBe(null); // before VMXON
  setEventStops(m, { kinds: ["vmexit"] });
  let exitEvent;
  for (let i = 0; i < 10 && !exitEvent; i++) {
    expect(m.run(50_000_000)).toBe(STOP.BREAKPOINT);
    exitEvent = readEvents(m, stoppedAt(m)).find((e) => e.kind === "vmexit" && !e.detail.failedEntry);
  }
  const v = readVmcs(m)!;
  const field = (e: number) => v.fields.find((f) => f.encoding === e)!.value;
  // vmx.asm's VMCS at 21000H, launched by the VMLAUNCH that entered the guest.
  expect({ address: v.address, revision: v.revision, abort: v.abort, launched: v.launched }).toEqual({ address: 0x21000, revision: 0x52, abort: 0, launched: true });
  // What setup_vmcs wrote.
  expect(field(0x4000)).toBe(0x16);
  expect(field(0x400c)).toBe(0x36dff);
  expect(field(0x4012)).toBe(0x11ff);
  expect(field(0x4004)).toBe((1 << 6) | (1 << 13));
  expect(field(0x2800)).toBe(0xffffffffffffffffn);
  expect(field(0x0c02)).toBe(0x08);
  expect(field(0x6c16)).toBe(ROMB + sym("host_entry"));
  expect(field(0x4810)).toBe(0x2f);
  // The first exit (SDM appendix C and §27.2.4): CPUID (reason 10) at guest_code + 0,
  // a 2-byte instruction (0F A2); the guest's RIP is saved as the instruction's.
  expect(field(0x4402)).toBe(10);
  expect(field(0x440c)).toBe(2);
  expect(field(0x681e)).toBe(ROMB + sym("guest_code"));
  const text = vmcsText(v);
  expect(text).toMatch(/^VMCS at 00021000: revision 52h, launched, abort indicator 0$/m);
  expect(text).toMatch(/^ {2}4402 exit reason +0000000a {2}\(CPUID\)$/m);
  expect(text).toMatch(/^ {2}4000 pin-based VM-execution controls +00000016$/m); // default1 bits only: nothing named
  expect(text).toMatch(/^ {2}2800 VMCS link pointer +ffffffffffffffff$/m);
});

for (const how of [{ interpret: true }, { translate: true }]) {
  const mode = how.interpret ? "interpreted" : "translated";
  test(`VMX instructions, VM entries and exits (-cpu coreduo,-nx,+vmx, ${mode})`, async () => {
    const r = await runRingZero(assemble("vmx"), { cpu: VMX_CPU, ...how });
    expect(r.output).toBe(PRESENT);
    expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
  });
}

test("without +vmx: no CPUID bit, no MSRs, no CR4.VMXE, VMX instructions #UD", async () => {
  const r = await runRingZero(assemble("vmx"), { cpu: { pae: true, nx: false } });
  expect(r.output).toBe(ABSENT);
  expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
});
