import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble, runRingZero } from "./harness";
import { hex, bit, or, PIN_DEFAULT1, PROC_DEFAULT1, EXIT_DEFAULT1, ENTRY_DEFAULT1, PIN_MAY1, PROC_MAY1, EXIT_MAY1, BASIC_HI, MISC, CR0_FIXED0 } from "./vmxcaps";
import type { CpuFeatures } from "../../web/host/machine";

// VMX "unrestricted guest" (tests/guest/ug.asm) under -cpu coreduo,+vmx with
// and without +vmx-ept, +vmx-vpid and +vmx-unrestricted-guest. As for
// vmx.test.ts and ept.test.ts, no reference machine has VMX, so every expected
// value is worked out here from the Intel SDM (vol. 3 §25.3, §26.2.1.1,
// §26.3.1.1-§26.3.1.4, §26.3.2, §27.2-§27.3, appendices A.1-A.7, ch. 20 for real
// mode; section numbers of the edition whose VM entries are chapter 26), from
// the features the model claims (the unrestricted-guest brief: 48BH bit 39,
// 485H bit 5, 480H bit 55 and the TRUE_* MSRs), and from the guest's own
// instruction bytes (nasm's map of the ROM gives the labels). None is read
// back from the implementation.

// The capability MSRs come from vmxcaps.ts. What this feature adds: A.6
// IA32_VMX_MISC bit 5 "is read as 1 on any logical processor that supports the
// 1-setting of the 'unrestricted guest' VM-execution control" (VM exits store
// IA32_EFER.LMA in the "IA-32e mode guest" entry control). A.7 CR0_FIXED0 does
// not change: §26.3.1.1 and §25.3 make PE and PG exceptions to it.

const GP = "v=0d e=00000000 cr2=00000000";
const OK = "f=00000000";
// §30.2: VMfailValid sets ZF; §30.4 error 7: VM entry with invalid control fields.
const FAIL7 = "f=00000040 n=00000007";
// §26.7/§26.8 (VM-entry failure during or after loading guest state): exit
// reason 33 (invalid guest state) with bit 31 set, qualification 0 for a
// guest-state check that fails (2, 3, 4 are PDPTE loading, NMI injection, the
// link pointer: none here).
const BADGUEST = "exit 80000021 00000000";
// Exit reasons (appendix C): 0 exception or NMI, 10 CPUID, 18 VMCALL, 48 EPT violation.
const R_EXC = 0, R_CPUID = 10, R_VMCALL = 18, R_VIOL = 48;
// Table 27-7: an EPT violation on a data read (0) of a page not present in EPT
// (5:3 = 0); the guest-linear address field is valid (7: not a PDPTE load by
// MOV CR); the access is to the translation of a linear address (8), as every
// access is without guest paging: "If CR0.PG = 0, the translation of every
// linear address is a guest-physical address equal to the linear address"
// (§28.2.1), so guest-linear = guest-physical.
const Q_READ_NP = bit(0) + bit(7) + bit(8);
// VM-exit interruption information (table 24-15, §27.2.2) of a #GP: vector 13,
// type 3 (hardware exception), error code valid (11), valid (31). "Bit 11 ...
// is always 0 if the VM exit occurred while the logical processor was in
// real-address mode (CR0.PE=0)" (§27.2.2): no error code there.
const GP_PM = 13 + 3 * 256 + bit(11) + bit(31);
const GP_REAL = 13 + 3 * 256 + bit(31);

/** nasm's symbol map of ug.asm: the ROM offset of a label. */
function symbols(): (name: string) => number {
  const dir = mkdtempSync(join(tmpdir(), "rz-ug-"));
  const mapFile = join(dir, "ug.map");
  writeFileSync(join(dir, "map.asm"), `[map symbols ${mapFile}]\n%include "ug.asm"\n`);
  execFileSync("nasm", ["-f", "bin", "-I", fileURLToPath(new URL(".", import.meta.url)), "-o", join(dir, "ug.bin"), join(dir, "map.asm")]);
  const map = readFileSync(mapFile, "utf8");
  return (name: string) => {
    const m = new RegExp(`^\\s*([0-9A-F]+)\\s+([0-9A-F]+)\\s+${name}$`, "m").exec(map);
    if (!m) throw new Error(`no symbol ${name} in nasm's map`);
    return parseInt(m[2], 16);
  };
}

const ROMB = 0xf0000; // the ROM's physical (and guest-physical, EPT identity) base
const RCS = 0xe800; // ug.asm's real-mode code segment: base E8000H, IP = ROM offset + 8000H
const RSS = 0x3000;

interface Features { vmx: boolean; ept: boolean; vpid: boolean; ug: boolean }

function expected(f: Features): string {
  const sym = symbols();
  // 32-bit flat guest code: RIP is the linear address; real-mode code: the
  // offset in RCS; the INT 40H handler and the virtual-8086 code: offsets in F000H.
  const pm = (name: string) => hex(ROMB + sym(name));
  const rm = (name: string) => {
    const ip = sym(name) + 0x8000;
    if (ip > 0xffff) throw new Error(`${name} beyond RCS's 64 KiB`);
    return hex(ip);
  };
  const f000 = (name: string) => hex(sym(name));
  const exit = (reason: number, q: number, rip: string) => `exit ${hex(reason)} ${hex(q)} rip ${rip}`;
  const msr = (n: number, exists: boolean, hi: number, lo: number) => `msr ${hex(n)} ${exists ? `${hex(hi)} ${hex(lo)} v=none` : GP}`;

  const secondary = f.vmx && (f.ept || f.vpid);
  const ug = f.vmx && f.ept && f.ug; // the claim: the feature acts only with vmx and vmx-ept
  const procHi = PROC_MAY1 + (secondary ? bit(31) : 0);
  const out = [
    `cpuid1.ecx.vmx ${hex(f.vmx ? 1 : 0)}`,
    // A.1: bit 55 reports the TRUE_* MSRs, present with the secondary controls.
    msr(0x480, f.vmx, BASIC_HI + (secondary ? bit(55 - 32) : 0), 0x52),
    msr(0x482, f.vmx, procHi, PROC_DEFAULT1),
    msr(0x485, f.vmx, 0, MISC + (ug ? bit(5) : 0)),
    msr(0x486, f.vmx, 0, CR0_FIXED0),
    // A.3.3: allowed-0 half 0; allowed-1: enable EPT (1), enable VPID (5), unrestricted guest (7).
    msr(0x48b, secondary, (f.ept ? bit(1) : 0) + (f.vpid ? bit(5) : 0) + (ug ? bit(7) : 0), 0),
    // A.3.1, A.3.2, A.4, A.5: each TRUE_* MSR reports the same allowed-1
    // settings; their allowed-0 settings are those of the non-TRUE MSR but for
    // the default1 bits the processor lets software clear: the claim is
    // CR3-load exiting (15) and CR3-store exiting (16) only.
    msr(0x481, f.vmx, PIN_MAY1, PIN_DEFAULT1),
    msr(0x48d, secondary, PIN_MAY1, PIN_DEFAULT1),
    msr(0x48e, secondary, procHi, PROC_DEFAULT1 - bit(15) - bit(16)),
    msr(0x483, f.vmx, EXIT_MAY1, EXIT_DEFAULT1),
    msr(0x48f, secondary, EXIT_MAY1, EXIT_DEFAULT1),
    msr(0x484, f.vmx, ENTRY_DEFAULT1, ENTRY_DEFAULT1),
    msr(0x490, secondary, ENTRY_DEFAULT1, ENTRY_DEFAULT1),
  ];
  if (!f.vmx || !f.ept) return [...out, "done"].join("\n") + "\n";

  out.push(
    `vmxon ${OK}`,
    // A flat paged protected-mode guest (CR0 80000031H) under EPT: VMCALL.
    `launch ${exit(R_VMCALL, 0, pm("g_first"))}`,
    // §26.2.1.1 + A.3.2: with IA32_VMX_BASIC[55] = 1 the primary controls are
    // checked against 48EH, whose allowed-0 half lets bits 15 and 16 be 0.
    `cr3-exiting-0 ${exit(R_VMCALL, 0, pm("g_first"))}`,
    // §26.2.1.1: "If the 'unrestricted guest' VM-execution control is 1, the
    // 'enable EPT' VM-execution control must also be 1": VMfailValid(7) (where
    // the control is not offered, it fails as a reserved bit set, also 7).
    `ug-without-ept ${FAIL7}`,
  );
  // §26.2.1.1: secondary controls beyond 48BH's allowed-1 settings.
  if (!ug) out.push(`ug-not-allowed ${FAIL7}`);
  out.push(
    // §26.3.1.1: without "unrestricted guest", CR0 against CR0_FIXED0: PE = 0
    // (real mode) fails, as does PG = 0 (unpaged protected mode).
    `no-ug-real ${BADGUEST}`,
    `no-ug-unpaged ${BADGUEST}`,
    // §26.3.1.2 with "unrestricted guest" 0: SS.RPL must equal CS.RPL (selector
    // checks) and SS.DPL must equal SS.RPL (access rights); a data segment's DPL
    // cannot be less than its RPL.
    `no-ug-ss-rpl ${BADGUEST}`,
    `no-ug-ds-rpl ${BADGUEST}`,
    // §25.3 (MOV to CR0, "unrestricted guest" 0): #GP(0) for any bit set to a
    // value not supported in VMX operation (PE and PG fixed to 1, A.7), here
    // clearing PE and PG, then PE alone; the CR0 guest/host mask is 0 (no
    // exit, §25.1.3) and the exception bitmap's bit 13 makes the #GP an
    // exception exit (qualification 0, §27.2.1) at the MOV; CR0 unchanged.
    `no-ug-mov-cr0 ${exit(R_EXC, 0, pm("g_cr0"))} intr ${hex(GP_PM)} err 00000000 cr0 80000031`,
    `no-ug-mov-cr0-pe ${exit(R_EXC, 0, pm("g_cr0"))} intr ${hex(GP_PM)} err 00000000 cr0 80000031`,
  );
  if (ug) {
    const realCs = (base: string) => `cs ${hex(RCS)} ${hex(RCS << 4)}${base}`;
    out.push(
      // §26.3.1.2: with "unrestricted guest" the RPL rules are not checked;
      // §27.3.2 saves the selectors as they were.
      `ug-ss-rpl ${exit(R_VMCALL, 0, pm("g_first"))} ss 00000013`,
      `ug-ds-rpl ${exit(R_VMCALL, 0, pm("g_first"))} ds 00000013`,
      // §26.3.1.1: "If bit 31 in the CR0 field (corresponding to PG) is 1, bit 0
      // in that field (PE) must also be 1."
      `pg-without-pe ${BADGUEST}`,
      // §26.3.1.2 access rights (not virtual-8086): CS Type may also be 3 with
      // "unrestricted guest"; "If the Type is 3 ..., the DPL must be 0". A real-
      // mode guest's CS, limit and AR are saved as they were (§27.3.2).
      `real-cs-type3 ${exit(R_VMCALL, 0, rm("r_vmcall"))} ${realCs("")} cr0 00000030 cslimit 0000ffff csar 00000093`,
      `real-cs-type3-dpl1 ${BADGUEST}`,
      // CS Type 15 (conforming): its DPL (0) cannot be greater than SS.DPL.
      `real-cs-conforming ${exit(R_VMCALL, 0, rm("r_vmcall"))} ${realCs("")} cr0 00000030 cslimit 0000ffff csar 0000009f`,
      // SS: "The DPL must be 0 either if the Type in the access-rights field for
      // CS is 3 ... or if bit 0 in the CR0 field (corresponding to CR0.PE) is 0."
      `real-ss-dpl3 ${BADGUEST}`,
      // PE = 1, PG = 0 with a type-3 CS of DPL 0 and SS.DPL 0: enters.
      `pm-cs-type3 ${exit(R_VMCALL, 0, pm("g_first"))} csar 0000c093`,
      `pm-cs-type3-ss-dpl3 ${BADGUEST}`,
      // §26.3.1.4: RFLAGS.VM "must be 0 if ... bit 0 in the CR0 field (PE) is
      // 0". With PE = 1 the same virtual-8086 state (§26.3.1.2: bases selector
      // * 16, limits FFFFH, AR F3H) enters (PG = 0 with "unrestricted guest");
      // VMCALL exits in VMX non-root operation at any CPL (vol. 2 VMCALL).
      `v86-pe1 ${exit(R_VMCALL, 0, f000("v_vmcall"))} rflags 00020002`,
      `v86-pe0 ${BADGUEST}`,
      // A real-mode guest (CR0 30H: ET NE, PE = PG = 0) at E800H:IP. It reads
      // DS:40H, DS 6000H: guest-physical 60040H, which EPT maps to host 61040H
      // (22222222H; host 60040H holds 11111111H). CPUID exits unconditionally
      // (§25.1.2) with RIP = its IP and length 2 (§27.2.4, 0F A2); CS and CR0
      // saved as they were (§27.3.1, §27.3.2).
      `real-cpuid ${exit(R_CPUID, 0, rm("r_cpuid"))} ${realCs("")} cr0 00000030 cslimit 0000ffff csar 0000009b eax 22222222 len 00000002`,
      // Resumed past CPUID: VMCALL (0F 01 C1, 3 bytes).
      `real-vmcall ${exit(R_VMCALL, 0, rm("r_vmcall"))} ${realCs("")} cr0 00000030 len 00000003`,
      // INT 40H in real mode (vol. 2 INT n, real-address mode; vol. 3 §20.1.4):
      // the vector is read at IDTR.base (0) + 4 * 40H = guest-physical 100H,
      // which EPT maps into host page IVT_H: F000H:h40. FLAGS (2), CS, IP
      // (after the INT) pushed at SS:SP (3000H:FFF0H) - 6; the handler's VMCALL
      // exits with CS F000H, base F0000H (selector * 16, real mode).
      `real-int ${exit(R_VMCALL, 0, f000("h40"))} cs 0000f000 000f0000 cr0 00000030 sp 0000ffea stack ${hex(RCS * 0x10000 + sym("r_int_ret") + 0x8000)} 00000002`,
      // Resumed past the VMCALL: IRET pops IP, CS, FLAGS: the VMCALL after the INT.
      ` iret ${exit(R_VMCALL, 0, rm("r_int_ret"))} ${realCs("")} cr0 00000030 sp 0000fff0`,
      // MOV DS, 6300H (real mode: base 63000H), then a read of DS:38H: guest-
      // physical 63038H is not present in EPT: EPT violation (§28.2.3.2),
      // fault-like (RIP of the MOV, §27.1); both address fields 63038H
      // (§27.2.1). Repaired, the read is retried and gets 77777777H.
      `real-viol ${exit(R_VIOL, Q_READ_NP, rm("r_viol_rd"))} gpa 00000000 00063038 lin 00063038 ds 00006300 dsbase 00063000`,
      ` retry ${exit(R_VMCALL, 0, rm("r_viol_end"))} ${realCs("")} cr0 00000030 eax 77777777`,
      // DS:FFFFH, a word: its second byte lies beyond DS's limit FFFFH: #GP(0)
      // in real mode (vol. 2 MOV, real-address mode exceptions), an exception
      // exit at the MOV (qualification 0, §27.2.1) whose interruption
      // information has no error code (bit 11 is 0 in real mode, §27.2.2).
      `real-gp-limit ${exit(R_EXC, 0, rm("r_gp"))} intr ${hex(GP_REAL)}`,
      // The same #GP with bit 13 of the exception bitmap clear: delivered
      // through the IVT, whose page is not present in EPT: the read of vector
      // 13 at 34H is an EPT violation at the MOV (§27.2.3: IDT-vectoring
      // information vector 13, type 3; bit 11, "a hardware exception that would
      // have delivered an error code on the stack", is 0: real-mode delivery
      // pushes none (vol. 3 §20.1.4)); nothing updated (§27.1). Repaired (vector
      // 13 now F000H:h40): the #GP reaches h40 with FLAGS, CS, IP (the MOV's)
      // pushed: 6 bytes, no error code.
      `real-gp-ivt-viol ${exit(R_VIOL, Q_READ_NP, rm("r_gp"))} gpa 00000000 00000034 lin 00000034 vect ${hex(GP_REAL)} sp 0000fff0 cs ${hex(RCS)}`,
      ` retry ${exit(R_VMCALL, 0, f000("h40"))} cs 0000f000 000f0000 cr0 00000030 sp 0000ffea stack ${hex(RCS * 0x10000 + sym("r_gp") + 0x8000)} 00000002`,
      // INT 40H with guest-physical page 0 (the IVT) not present in EPT: the
      // read of the vector at 100H during event delivery is an EPT violation
      // (data read, bits 7 and 8 as above; bit 12 masked: undefined with
      // IDT-vectoring information, §27.2.1), at the INT's RIP; guest-physical =
      // guest-linear = 100H. §27.2.3: IDT-vectoring information for the software
      // interrupt (vector 40H, type 4, valid); §27.2.4: its instruction length,
      // 2 (CD 40). The exit is fault-like (§27.1: the guest state saved is that
      // before the INT): nothing pushed (SP FFF0H), CS still E800H. Repaired
      // and resumed, INT 40H is executed again and reaches h40. §27.1: "Processor
      // state that is normally updated as part of delivery through the IDT (CS,
      // RIP, SS, RSP, RFLAGS) is not modified": RFLAGS keeps AC (40002H),
      // which the delivered INT clears (vol. 2 INT n, real-address mode: IF,
      // TF, AC := 0).
      `real-int-viol ${exit(R_VIOL, Q_READ_NP, rm("r_int"))} gpa 00000000 00000100 lin 00000100 vect ${hex(0x40 + 4 * 256 + bit(31))} len 00000002 sp 0000fff0 ${realCs("")} rflags 00040002`,
      ` retry ${exit(R_VMCALL, 0, f000("h40"))} cs 0000f000 000f0000 cr0 00000030 sp 0000ffea rflags 00000002`,
      // The page holding r_vmcall EPT read+write: the fetch of the VMCALL at
      // RCS:IP, linear = guest-physical E8000H + IP, is refused (table 27-7:
      // fetch (2), R and W (3, 4), bits 7 and 8); fault-like, RIP the VMCALL's.
      `real-fetch-viol ${exit(R_VIOL, bit(2) + bit(3) + bit(4) + bit(7) + bit(8), rm("r_vmcall"))} gpa 00000000 ${pm("r_vmcall")} lin ${pm("r_vmcall")}`,
      ` retry ${exit(R_VMCALL, 0, rm("r_vmcall"))} ${realCs("")} cr0 00000030`,
      // §26.3.1.1: only PE and PG are exempt from CR0_FIXED0: NE = 0 fails.
      `real-ne0 ${BADGUEST}`,
      // "Unreal": PE = 0 with DS 1234H, base 200000H, limit FFFFFFFFH, AR 8093H
      // (G = 1). With "unrestricted guest" the base/limit/AR rules of §26.3.1.2
      // apply only to a virtual-8086 guest, so VM entry takes them; the guest
      // reads DS:[11234H] (32-bit address, beyond 64 KiB): guest-physical
      // 211234H, which EPT's 2-MByte page maps to host 411234H (AAAA5555H), not
      // 12340H + 11234H. DS is saved as it was.
      `unreal ${exit(R_VMCALL, 0, rm("r_unreal2"))} ${realCs("")} cr0 00000030 eax aaaa5555 ds 00001234 dsbase 00200000 dslimit ffffffff dsar 00008093`,
      // DS:[1234H]: guest-physical 201234H, host 401234H (5555AAAAH).
      ` next ${exit(R_VMCALL, 0, rm("r_unreal3"))} ${realCs("")} cr0 00000030 eax 5555aaaa`,
      // §25.3, MOV to CR0 with "unrestricted guest" 1: #GP only for bits other
      // than PE and PG set to values not supported in VMX operation, and "if it
      // would result in CR0.PE = 0 and CR0.PG = 1". The CR0 guest/host mask is
      // 0: no exit (§25.1.3). MOV CR0, EDX (0F 22 C2, 3 bytes) then VMCALL;
      // the guest's CR0 is saved at the exit (§27.3.1).
      // Paged protected mode (80000031H) -> 30H: real mode, no exit.
      `mov-cr0-pe-pg-off ${exit(R_VMCALL, 0, pm("g_cr0_end"))} cr0 00000030`,
      // From real mode, 80000030H (PG without PE): #GP(0); in real mode the
      // interruption information has no error code (§27.2.2).
      `mov-cr0-pg-no-pe ${exit(R_EXC, 0, pm("g_cr0"))} intr ${hex(GP_REAL)} cr0 00000030`,
      // Real mode -> unpaged protected mode (PE set again), no exit.
      `mov-cr0-pe-on ${exit(R_VMCALL, 0, pm("g_cr0_end"))} cr0 00000031`,
      // Unpaged protected mode -> real mode (PE cleared alone).
      `mov-cr0-pe-off ${exit(R_VMCALL, 0, pm("g_cr0_end"))} cr0 00000030`,
      // Real mode -> paged protected mode (PE and PG set together).
      `mov-cr0-pe-pg-on ${exit(R_VMCALL, 0, pm("g_cr0_end"))} cr0 80000031`,
      // From paged protected mode, 80000030H: #GP(0), error code 0.
      `mov-cr0-pm-pg-no-pe ${exit(R_EXC, 0, pm("g_cr0"))} intr ${hex(GP_PM)} err 00000000 cr0 80000031`,
      // §25.3: with "unrestricted guest" MOV CR0 still #GP(0)s for bits other
      // than PE and PG: NE := 0 from unpaged protected mode; CR0 unchanged.
      `mov-cr0-ne0 ${exit(R_EXC, 0, pm("g_cr0"))} intr ${hex(GP_PM)} err 00000000 cr0 00000031`,
      // Unpaged protected mode (CR0 31H) under EPT, DS base 60000H: [40H] is
      // linear = guest-physical 60040H, host 61040H. MOV EAX, [40H] is A1 + disp32.
      `pm-unpaged ${exit(R_VMCALL, 0, hex(ROMB + sym("p_read") + 5))} eax 22222222`,
      // [DS:3038H]: linear 63038H = guest-physical 63038H, not present in EPT:
      // both address fields 63038H; bits 7 and 8 of the qualification as in real mode.
      `pm-unpaged-viol ${exit(R_VIOL, Q_READ_NP, pm("p_viol"))} gpa 00000000 00063038 lin 00063038`,
      ` retry ${exit(R_VMCALL, 0, pm("p_viol_end"))} eax 77777777`,
    );
  }
  out.push(`vmxoff ${OK}`, "done");
  return out.join("\n") + "\n";
}

const CONFIGS: { name: string; f: Features }[] = [
  { name: "+vmx,+vmx-ept,+vmx-unrestricted-guest", f: { vmx: true, ept: true, vpid: false, ug: true } },
  { name: "+vmx,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest", f: { vmx: true, ept: true, vpid: true, ug: true } },
  { name: "+vmx,+vmx-ept", f: { vmx: true, ept: true, vpid: false, ug: false } },
  // the feature acts only with vmx-ept: dropped, with or without other secondary controls
  { name: "+vmx,+vmx-unrestricted-guest", f: { vmx: true, ept: false, vpid: false, ug: true } },
  { name: "+vmx,+vmx-vpid,+vmx-unrestricted-guest", f: { vmx: true, ept: false, vpid: true, ug: true } },
  // and only with vmx
  { name: "-vmx,+vmx-ept,+vmx-unrestricted-guest", f: { vmx: false, ept: true, vpid: false, ug: true } },
];

for (const c of CONFIGS) {
  const cpu = { model: "coreduo", nx: false, vmx: c.f.vmx, "vmx-ept": c.f.ept, "vmx-vpid": c.f.vpid, "vmx-unrestricted-guest": c.f.ug } as CpuFeatures;
  for (const how of [{ interpret: true }, { translate: true }]) {
    const mode = how.interpret ? "interpreted" : "translated";
    test(`unrestricted guest under -cpu coreduo,-nx,${c.name} (${mode})`, async () => {
      const want = expected(c.f);
      const r = await runRingZero(assemble("ug"), { cpu, ...how });
      expect(r.output).toBe(want);
      expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
    });
  }
}
