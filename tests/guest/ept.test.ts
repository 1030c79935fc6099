import { test, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble, runRingZero } from "./harness";
import { hex, bit, or, PROC_DEFAULT1, PROC_MAY1 } from "./vmxcaps";
import type { CpuFeatures } from "../../web/host/machine";

// EPT and VPID (tests/guest/ept.asm) under -cpu coreduo,+vmx with and without
// +vmx-ept and +vmx-vpid. As for vmx.test.ts, no reference machine has VMX, so
// every expected value is worked out here from the Intel SDM (vol. 3C ch. 24-28
// and appendices A-C, vol. 2 INVEPT/INVVPID; section numbers of the edition
// whose VMX instruction reference is chapter 30), from the features the model
// claims (the EPT/VPID brief: 48BH allows "enable EPT" and "enable VPID", 48CH
// as listed below), and from the guest's own instruction bytes (nasm's map of
// the ROM gives the labels). None is read back from the implementation.

// Appendix A.10, IA32_VMX_EPT_VPID_CAP: page-walk length 4 (6), UC (8) and WB
// (14) EPTP memory types, 2-MByte (16) and 1-GByte (17) pages, INVEPT (20),
// accessed and dirty flags for EPT (21), single-context (25) and all-context
// (26) INVEPT; INVVPID (32), and its individual-address (40), single-context
// (41), all-context (42) and single-context-retaining-globals (43) types.
// Execute-only translations (0) are not offered.
const EPT_CAP_LO = or(...[6, 8, 14, 16, 17, 20, 21, 25, 26].map(bit));
const VPID_CAP_HI = or(...[0, 8, 9, 10, 11].map(bit));

const GP = "v=0d e=00000000 cr2=00000000";
const UD = "v=06 e=00000000 cr2=00000000";
// Vol. 3C §30.2: VMsucceed clears CF PF AF ZF SF OF; VMfailInvalid sets CF;
// VMfailValid sets ZF and the VM-instruction error (§30.4: 7 invalid control
// fields, 12 unsupported VMCS component, 28 invalid operand to INVEPT/INVVPID).
const OK = "f=00000000", INVALID = "f=00000001";
const VALID = (n: number) => `f=00000040 n=${hex(n)}`;

// Exit reasons (appendix C): 0 exception, 18 VMCALL, 48 EPT violation, 49 EPT
// misconfiguration, 50 INVEPT, 53 INVVPID.
const R_EXC = 0, R_VMCALL = 18, R_VIOL = 48, R_MISCONF = 49, R_INVEPT = 50, R_INVVPID = 53;
// VM-exit interruption information for #UD (table 24-15): vector 6, type 3
// (hardware exception), no error code, valid.
const UD_INTR = 6 + 3 * 256 + bit(31);

// Table 27-7, exit qualification for EPT violations: 0 data read, 1 data write,
// 2 instruction fetch; 3/4/5 the AND of the read/write/execute bits of the EPT
// entries that translated the address (0 where one of them is not present);
// 7 the guest-linear address field is valid (every EPT violation but a PDPTE
// load by MOV CR); 8 (with 7) the access is to the translation of a linear
// address, not to a guest paging-structure entry; 12 NMI unblocking by IRET
// (no IRET here: 0). Other bits reserved, 0.
const qual = (o: { r?: boolean; w?: boolean; x?: boolean; R?: boolean; W?: boolean; X?: boolean; final: boolean }) =>
  or(o.r ? bit(0) : 0, o.w ? bit(1) : 0, o.x ? bit(2) : 0, o.R ? bit(3) : 0, o.W ? bit(4) : 0, o.X ? bit(5) : 0, bit(7), o.final ? bit(8) : 0);

// Instruction information for INVEPT/INVVPID (table 27-9, "as used for INVEPT,
// INVPCID, and INVVPID"): scaling (1:0), address size (9:7: 1 = 32 bits), bit
// 10 cleared to 0, segment (17:15: ES 0, SS 2, DS 3), index
// register (21:18) and its invalid bit (22), base register (26:23) and its
// invalid bit (27), the register operand (31:28). Registers: EAX 0, ECX 1,
// EDX 2, EBX 3, EBP 5, ESI 6. ept.asm masks off the bits the table leaves
// undefined (6:2, 14:11; scaling and index without an index, base without a base).
const info = (o: { scale?: number; seg: number; index?: number; base?: number; reg2: number }) =>
  or((o.scale ?? 0), 1 * bit(7), o.seg * bit(15), o.index === undefined ? bit(22) : o.index * bit(18),
    o.base === undefined ? bit(27) : o.base * bit(23), o.reg2 * bit(28));

/** nasm's symbol map of ept.asm: the ROM offset of a label. */
function symbols(): (name: string) => number {
  const dir = mkdtempSync(join(tmpdir(), "rz-ept-"));
  const mapFile = join(dir, "ept.map");
  writeFileSync(join(dir, "map.asm"), `[map symbols ${mapFile}]\n%include "ept.asm"\n`);
  execFileSync("nasm", ["-f", "bin", "-I", fileURLToPath(new URL(".", import.meta.url)), "-o", join(dir, "ept.bin"), join(dir, "map.asm")]);
  const map = readFileSync(mapFile, "utf8");
  return (name: string) => {
    const m = new RegExp(`^\\s*([0-9A-F]+)\\s+([0-9A-F]+)\\s+${name}$`, "m").exec(map);
    if (!m) throw new Error(`no symbol ${name} in nasm's map`);
    return parseInt(m[2], 16);
  };
}

const ROMB = 0xf0000; // sys-pm.inc: the ROM's linear base
// ept.asm's guest-physical layout
const G_PT1 = 0x52000, G_PT2 = 0x53000, G_PD = 0x50000;
const P_NX4 = 0x75000, P_NX3 = 0x6c000, P_R4 = 0x71000, P_W3 = 0x73000, P_SRC = 0x74000;
const IDT_A = 0x2000, G_PD2 = 0x57000, P_NX2 = 0x68000, P_W2 = 0x6a000;
const PDPT_MEM = 0x54000, PD_A = 0x55000, PD_B = 0x56000;
const GA_PT = 0x59000;
const P_RO = 0x62000, P_NP = 0x63000, P_NX = 0x64000, P_MC = 0x66000, P_1G = 0x70000;

interface Features { vmx: boolean; ept: boolean; vpid: boolean }

function expected(f: Features): string {
  const sym = symbols();
  const rip = (name: string) => hex(sym(name) - sym("guest_code"));
  const ripAt = (linear: number) => hex(linear - ROMB - sym("guest_code"));
  const exit = (reason: number, q: number, at: string) => `exit ${hex(reason)} ${hex(q)} rip ${at}`;
  const vmcall = (after: string) => exit(R_VMCALL, 0, rip(after));
  const gpa = (a: number) => `gpa 00000000 ${hex(a)}`;
  const secondary = f.ept || f.vpid;
  const ifEpt = (s: string) => (f.ept ? s : UD);
  const ifVpid = (s: string) => (f.vpid ? s : UD);
  const msr = (n: number, exists: boolean, hi: number, lo: number) => `msr ${hex(n)} ${exists ? `${hex(hi)} ${hex(lo)} v=none` : GP}`;
  const field = (e: number, exists: boolean) => `field ${hex(e)} ${exists ? OK : VALID(12)}`;

  const out = [
    `cpuid1.ecx.vmx ${hex(f.vmx ? 1 : 0)}`,
    // Vol. 2 INVEPT/INVVPID: #UD outside VMX operation.
    `invept-off ${UD}`,
    `invvpid-off ${UD}`,
    // A.3.2: 482H exists with VMX; bit 63 (allowed-1 of bit 31) only with secondary controls.
    msr(0x482, f.vmx, PROC_MAY1 + (secondary ? bit(31) : 0), PROC_DEFAULT1),
    // A.3.3: 48BH exists only if 482H allows bit 31; allowed-0 half 0, allowed-1:
    // "enable EPT" (1), "enable VPID" (5).
    msr(0x48b, f.vmx && secondary, (f.ept ? bit(1) : 0) + (f.vpid ? bit(5) : 0), 0),
    // A.10: 48CH exists only with secondary controls and EPT or VPID.
    msr(0x48c, f.vmx && secondary, f.vpid ? VPID_CAP_HI : 0, f.ept ? EPT_CAP_LO : 0),
  ];
  if (!f.vmx) return [...out, "done"].join("\n") + "\n";
  out.push(
    `vmxon ${OK}`,
    // Vol. 2 INVEPT/INVVPID operation: an unsupported type is VMfail(28), and
    // VMfail without a current VMCS is VMfailInvalid (§30.2). #UD without the
    // feature (vol. 2 "Protected Mode Exceptions").
    `invept-novmcs ${ifEpt(`${INVALID} v=none`)}`,
    `invvpid-novmcs ${ifVpid(`${INVALID} v=none`)}`,
    // Appendix B: VPID (0000H) exists only with "enable VPID"; the secondary
    // controls (401EH) with "activate secondary controls"; the EPTP (201AH),
    // the guest-physical address (2400H) and the guest PDPTEs (280AH-2811H)
    // with "enable EPT"; the guest-linear address (640AH) always. VMREAD of a
    // field that does not exist: VMfailValid(12) (vol. 3C §30.3 VMREAD).
    field(0x0000, f.vpid),
    field(0x401e, secondary),
    field(0x201a, f.ept),
    field(0x201b, f.ept),
    field(0x2400, f.ept),
    field(0x2401, f.ept),
    field(0x280a, f.ept),
    field(0x2810, f.ept),
    field(0x640a, true),
    // The guest-physical address is a read-only (exit information) field:
    // VMWRITE is VMfailValid(13) where it exists (§30.3 VMWRITE; appendix B, the
    // 64-bit read-only data fields).
    `vmwrite-gpa ${f.ept ? VALID(13) : VALID(12)}`,
    // VPID is a 16-bit field: VMWRITE keeps bits 15:0 (§24.11.2). Without it
    // VMREAD fails too and leaves EAX (0, the encoding VMW left there) alone.
    `vmwrite-vpid ${f.vpid ? `${OK} 00002345` : `${VALID(12)} 00000000`}`,
    // INVEPT (vol. 2): types 1 and 2 are supported (48CH bits 25, 26), 0 and
    // 3 are not (bits 24, 27): VMfail(28). Type 1 also fails (28) for an EPTP
    // that VM entry would refuse (memory type 1, §26.2.1.1); type 2 does not
    // look at the descriptor. A register operand (mod = 3) is #UD: the
    // instruction is INVEPT r32, m128 only, and the opcode map gives its
    // second operand as M, a ModR/M that may refer only to memory (vol. 2
    // appendix A.2.1). CPL 3 is #GP(0) before the type is looked at.
    `invept-single ${ifEpt(`${OK} v=none`)}`,
    `invept-all ${ifEpt(`${OK} v=none`)}`,
    `invept-type0 ${ifEpt(`${VALID(28)} v=none`)}`,
    `invept-type3 ${ifEpt(`${VALID(28)} v=none`)}`,
    `invept-single-bad-eptp ${ifEpt(`${VALID(28)} v=none`)}`,
    // ... as for one with bit N set, N the physical-address width (EPTP bits
    // 63:N reserved, §24.6.11, §26.2.1.1).
    `invept-single-maxphyaddr ${ifEpt(`${VALID(28)} v=none`)}`,
    `invept-all-bad-eptp ${ifEpt(`${OK} v=none`)}`,
    `invept-reg ${UD}`,
    `invept-cpl3 ${ifEpt(GP)}`,
    // INVVPID (vol. 2): types 0-3 supported (48CH bits 40-43), 4 not: 28.
    // Types 0, 1, 3 need a VPID other than 0; descriptor bits 63:16 must be 0
    // (checked before the type's own rule); type 2 takes VPID 0.
    `invvpid-addr ${ifVpid(`${OK} v=none`)}`,
    `invvpid-single ${ifVpid(`${OK} v=none`)}`,
    `invvpid-all ${ifVpid(`${OK} v=none`)}`,
    `invvpid-retain ${ifVpid(`${OK} v=none`)}`,
    `invvpid-type4 ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-addr-vpid0 ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-single-vpid0 ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-all-vpid0 ${ifVpid(`${OK} v=none`)}`,
    `invvpid-retain-vpid0 ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-reserved ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-reserved63 ${ifVpid(`${VALID(28)} v=none`)}`,
    `invvpid-reg ${UD}`,
    `invvpid-cpl3 ${ifVpid(GP)}`,
  );
  if (!secondary) return [...out, "done"].join("\n") + "\n";

  // The guest: first a VMCALL at guest_code + 0 (VMLAUNCH with every
  // available secondary control on, VPID 1, EPTP = PML4 | walk length 4 | WB).
  out.push(`launch ${exit(R_VMCALL, 0, rip("g_first"))}`);
  // §26.2.1.1: the secondary controls against 48BH (bit 0, "virtualize APIC
  // accesses", and bit 31 are not allowed): VMfailValid(7).
  out.push(`sec-bit0 ${VALID(7)}`, `sec-bit31 ${VALID(7)}`);
  if (!f.ept) out.push(`ept-not-allowed ${VALID(7)}`);
  else {
    // §26.2.1.1 with "enable EPT": the EPTP memory type must be one 48CH
    // allows (UC 0, WB 6: not 1, not 7); bits 5:3 must be 3 (walk length 4);
    // bit 6 (A/D flags) only with 48CH bit 21 (1 wherever there is EPT here,
    // so an EPTP with bit 6 enters the guest: the VMCALL at g_first); bits
    // 11:7 reserved. Bits 63:N reserved too (N the physical-address width).
    out.push(...["eptp-wc", "eptp-type7", "eptp-walk3", "eptp-walk5"].map((c) => `${c} ${VALID(7)}`));
    out.push(`eptp-ad ${exit(R_VMCALL, 0, rip("g_first"))}`);
    out.push(...["eptp-bit7", "eptp-bit11", "eptp-maxphyaddr"].map((c) => `${c} ${VALID(7)}`));
    // §26.3.1.1: the guest CR0 against IA32_VMX_CR0_FIXED0, whose PE and PG
    // may be 0 only with "unrestricted guest" (not offered here): a VM-entry
    // failure, reason 33 | bit 31, qualification 0, with EPT on as without.
    out.push("guest-pg0 exit 80000021 00000000");
    out.push(`eptp-uc ${exit(R_VMCALL, 0, rip("g_first"))}`);
  }
  // §26.2.1.1: "enable VPID" needs a VPID other than 0000H.
  if (f.vpid) out.push(`vpid0 ${VALID(7)}`, `vpid-ffff ${exit(R_VMCALL, 0, rip("g_first"))}`);
  else out.push(`vpid-not-allowed ${VALID(7)}`);
  // §24.6.2 (table 24-6 bit 31): with "activate secondary controls" 0 the
  // secondary controls are taken as 0, so a field of all ones, a bad EPTP and
  // VPID 0 are not checked, and the guest's read of P_MAP + 40H is not
  // translated by EPT: it gets what the host wrote at P_MAP itself.
  out.push(`sec-ignored ${vmcall("g_t1_end")} eax 11111111`);

  if (f.ept) {
    out.push(
      // §28.2.2: guest-physical P_MAP is host P_HOST (EPT PTE); 200000H-3FFFFFH
      // one 2-MByte page (PDE bit 7) at host 400000H; 40000000H-7FFFFFFFH one
      // 1-GByte page (PDPTE bit 7) at host 0. The guest reads what the host
      // wrote at the host address, and its write lands there too.
      `ept-4k ${vmcall("g_t1_end")} eax 22222222`,
      `ept-2m ${vmcall("g_t2_end")} eax 44444444`,
      `ept-1g ${vmcall("g_t3_end")} eax 55555555`,
      // EPTP bit 6 is 0 from here on (but in the A/D cases at the end): the
      // processor neither sets nor looks at bits 9:8 of the entries
      // (§28.3.5), so P_MAP's EPT PTE, read and written, keeps them 0.
      `ept-4k-write ${vmcall("g_t4_end")} 00000000 5eed0004 ad 00000000`,
      // EPT violations (§28.2.3.2), fault-like: the guest's RIP is the
      // instruction's (§27.1); the guest-physical address field holds the
      // address of the access, the guest-linear address field the linear
      // address being translated (§27.2.1). After the host repairs the entry
      // and executes INVEPT, VMRESUME retries the instruction, which completes.
      //
      // Read of linear 400123H, whose PTE lies in G_PT1, a page not present in
      // EPT: the PTE read (a data read, §28.2.3.2) at G_PT1 + 0 is refused;
      // bits 5:3 are 0 (the entry is not present), bit 8 is 0 (a
      // paging-structure access). Retried: P_MAP + 123H = host P_HOST + 123H.
      `viol-pte-page ${exit(R_VIOL, qual({ r: true, final: false }), rip("g_pte"))} ${gpa(G_PT1)} lin 00400123` +
        ` retry ${vmcall("g_pte_end")} eax 66666666`,
      // The guest's page directory (its CR3, G_PD) not present in EPT: the
      // first access after VM entry, the read of PDE 0 for the fetch of the
      // VMCALL at g_first, is refused. Reads of guest paging structures are
      // data reads (§28.2.3.2), whatever access they translate for: bit 0,
      // not bit 2; bit 8 = 0; the guest-linear address is the VMCALL's.
      `viol-pd-page ${exit(R_VIOL, qual({ r: true, final: false }), rip("g_first"))} ${gpa(G_PD)} lin ${hex(ROMB + sym("g_first"))}` +
        ` retry ${exit(R_VMCALL, 0, rip("g_first"))}`,
      // MOV to linear 401024H (P_RO + 24H), EPT read+execute: a write (bit 1,
      // not bit 0: a plain store, no read-modify-write), R and X (3, 5), the
      // final translation (8).
      `viol-write-rx ${exit(R_VIOL, qual({ w: true, R: true, X: true, final: true }), rip("g_ro"))} ${gpa(P_RO + 0x24)} lin 00401024` +
        ` retry ${vmcall("g_ro_end")} cafe0001`,
      // Read of linear 402038H (P_NP + 38H), not present in EPT.
      `viol-read-np ${exit(R_VIOL, qual({ r: true, final: true }), rip("g_np"))} ${gpa(P_NP + 0x38)} lin 00402038` +
        ` retry ${vmcall("g_np_end")} eax 77777777`,
      // JMP to P_NX + 10H (identity), EPT read+write: the fetch of the first
      // instruction there (bit 2), R and W (3, 4); RIP is P_NX + 10H. Retried:
      // MOV EAX, 5A5A5A5AH (5 bytes) then VMCALL at P_NX + 15H.
      `viol-fetch-rw ${exit(R_VIOL, qual({ x: true, R: true, W: true, final: true }), ripAt(P_NX + 0x10))} ${gpa(P_NX + 0x10)} lin ${hex(P_NX + 0x10)}` +
        ` retry ${exit(R_VMCALL, 0, ripAt(P_NX + 0x15))} eax 5a5a5a5a`,
      // MOV to linear 800010H whose guest PTE (G_PT2 + 0) has A = 1, D = 0, in
      // a page EPT maps read-only: setting D is a data write to a guest
      // paging-structure entry (§28.2.3.2), refused: bit 1, R (3), bit 8 = 0,
      // the address of the PTE. (Bit 0 is the note of table 27-7 for EPT A/D
      // flags, off here.) Retried: the write lands and the PTE has D and A (63H).
      `viol-dirty ${exit(R_VIOL, qual({ w: true, R: true, final: false }), rip("g_ad"))} ${gpa(G_PT2)} lin 00800010` +
        ` retry ${vmcall("g_ad_end")} d00d0005 00000063`,
      // A read of linear 801020H whose PTE (G_PT2 + 4) has A = 0, G_PT2 EPT
      // read-only again: setting A is a write as well. Retried: A set, D not (23H).
      `viol-accessed ${exit(R_VIOL, qual({ w: true, R: true, final: false }), rip("g_acc"))} ${gpa(G_PT2 + 4)} lin 00801020` +
        ` retry ${vmcall("g_acc_end")} eax 88888888 00000023`,
      // An EPT violation during event delivery (§27.2.3): the guest's IDT page
      // (IDT_A) not present in EPT. INT 31H reads gate 31H at IDT_A + 188H, a
      // data read of a linear address (bits 0, 7, 8); the exit reports the
      // software interrupt as IDT-vectoring information (table 24-16: vector
      // 31H, type 4, valid) with its instruction length 2 (§27.2.4), at the
      // INT's RIP. Bit 12 of the qualification is undefined when IDT-vectoring
      // information is valid (§27.2.1), so ept.asm masks it. Retried, INT 31H
      // reaches the guest's handler (vector 31H), which goes on at g_int_done.
      `viol-idt-int exit ${hex(R_VIOL)} ${hex(qual({ r: true, final: true }))} rip ${rip("g_int")} ${gpa(IDT_A + 0x31 * 8)} lin ${hex(IDT_A + 0x31 * 8)}` +
        ` vect ${hex(0x31 + 4 * 256 + bit(31))} len 00000002 retry ${vmcall("g_int_done")} vec 00000031`,
      // UD2 with #UD not in the exception bitmap: its delivery reads gate 6;
      // the vectoring information is the #UD (vector 6, type 3, no error code).
      `viol-idt-exception exit ${hex(R_VIOL)} ${hex(qual({ r: true, final: true }))} rip ${rip("g_ud")} ${gpa(IDT_A + 6 * 8)} lin ${hex(IDT_A + 6 * 8)} vect ${hex(UD_INTR)}`,
      // #GP(1238H) from MOV DS (beyond the GDT limit): gate 13's read is
      // refused; the vectoring information is the #GP (vector 13, type 3, error
      // code valid) and the IDT-vectoring error code 1238H (§27.2.3).
      `viol-idt-gp exit ${hex(R_VIOL)} ${hex(qual({ r: true, final: true }))} rip ${rip("g_gp_mov")} ${gpa(IDT_A + 13 * 8)} lin ${hex(IDT_A + 13 * 8)}` +
        ` vect ${hex(13 + 3 * 256 + bit(11) + bit(31))} err 00001238`,
      // MOV EAX, imm32 at P_NX2 - 2: its last three bytes lie in P_NX2, EPT
      // read+write. The fetch refused is that of the bytes in P_NX2, whose
      // guest-physical (and linear) address is P_NX2 itself (§27.2.1: "the
      // guest-physical address that caused the EPT violation"); RIP is the
      // instruction's start. Retried: the MOV, then VMCALL at P_NX2 + 3.
      `viol-fetch-split ${exit(R_VIOL, qual({ x: true, R: true, W: true, final: true }), ripAt(P_NX2 - 2))} ${gpa(P_NX2)} lin ${hex(P_NX2)}` +
        ` retry ${exit(R_VMCALL, 0, ripAt(P_NX2 + 3))} eax 5a5a5a5a`,
      // A dword store at P_W2 - 2, P_W2 EPT read+execute: the refused part is
      // the one at P_W2. The exit is fault-like (§25.1, §27.1): the
      // instruction does not complete, so neither page is written; retried,
      // both halves land (12345678H little-endian across the boundary).
      `viol-write-split ${exit(R_VIOL, qual({ w: true, R: true, X: true, final: true }), rip("g_wsplit"))} ${gpa(P_W2)} lin ${hex(P_W2)} mem aaaaaaaa bbbbbbbb` +
        ` retry ${vmcall("g_wsplit_end")} 5678aaaa bbbb1234`,
      // A dword load at P_W2 - 1 with P_W2 not present: the part refused is
      // the three bytes at P_W2. Retried: byte 56H at P_W2 - 1 (left by the
      // split store above), then 34H 12H BBH.
      `viol-read-split ${exit(R_VIOL, qual({ r: true, final: true }), rip("g_rsplit"))} ${gpa(P_W2)} lin ${hex(P_W2)}` +
        ` retry ${vmcall("g_rsplit_end")} eax bb123456`,
      // VMCALL (0F 01 C1) at P_NX3 - 1: its opcode's last two bytes are
      // fetched from P_NX3, EPT read+write: refused at P_NX3 itself.
      `viol-fetch-split-opcode ${exit(R_VIOL, qual({ x: true, R: true, W: true, final: true }), ripAt(P_NX3 - 1))} ${gpa(P_NX3)} lin ${hex(P_NX3)}` +
        ` retry ${exit(R_VMCALL, 0, ripAt(P_NX3 - 1))}`,
      // P_R4 EPT read-only: the read completes (EAX = 0BADF00DH), the write
      // after it is refused (write, R only: bits 1, 3, 7, 8) whatever the read
      // left cached: the exit is at the MOV to memory.
      `viol-read-then-write ${exit(R_VIOL, qual({ w: true, R: true, final: true }), rip("g_rw_write"))} ${gpa(P_R4 + 0x44)} lin ${hex(P_R4 + 0x44)} eax 0badf00d`,
      // P_NX4 EPT read+write: the guest reads the bytes at P_NX4 + 20H (90 0F
      // 01 C1, EAX), then jumps there: the fetch is refused all the same.
      `viol-read-then-fetch ${exit(R_VIOL, qual({ x: true, R: true, W: true, final: true }), ripAt(P_NX4 + 0x20))} ${gpa(P_NX4 + 0x20)} lin ${hex(P_NX4 + 0x20)} eax c1010f90`,
      // ADD to P_R4 + 8 (EPT read-only): a read-modify-write sets bit 1; bit 0
      // is implementation-specific (§27.2.1), so ept.asm masks it. The
      // instruction does not complete: the dword is still 1000H.
      `viol-rmw exit ${hex(R_VIOL)} ${hex(qual({ w: true, R: true, final: true }))} rip ${rip("g_rmw")} ${gpa(P_R4 + 8)} lin ${hex(P_R4 + 8)} 00001000`,
      // REP MOVSD of 8 dwords from P_SRC to P_W3 - 12, P_W3 EPT read+execute:
      // the 4th store is refused. A repeated string instruction interrupted by
      // a fault keeps its registers at the element that faulted, so that it
      // can resume (vol. 2 REP): ECX 5, ESI and EDI 12 bytes on; RIP the REP
      // MOVSD; the three dwords before P_W3 are written, P_W3 is not. Retried
      // from there, the copy completes: ECX 0, P_W3 = dword 3, P_W3 + 16 = dword 7.
      `viol-rep-movsd ${exit(R_VIOL, qual({ w: true, R: true, X: true, final: true }), rip("g_rep_movs"))} ${gpa(P_W3)} lin ${hex(P_W3)}` +
        ` ecx 00000005 esi ${hex(P_SRC + 12)} edi ${hex(P_W3)} mem 33333333 00000000` +
        ` retry ${vmcall("g_rep_end")} ecx 00000000 44444444 88888888`,
      // A guest write to linear 403010H, whose guest PTE is read-only, with
      // CR0.WP = 1: the guest's own page fault (#PF, error code P | W = 3),
      // an exception exit with the linear address as qualification (§27.2.1),
      // though EPT does not map the page: an EPT violation needs an access with
      // a guest-physical address (§28.2.3), and the translation failed first.
      `pf-before-ept exit ${hex(R_EXC)} 00403010 rip ${rip("g_wp")} intr ${hex(14 + 3 * 256 + bit(11) + bit(31))} err 00000003`,
      // §28.2.3: loading CR3 with a guest-physical address (MOV to CR3, no
      // exit: CR3-target value 0 matches) causes no EPT violation until that
      // address is used: the fetch of the next instruction reads its PDE at
      // G_PD2 + 0 and is refused there (bits 0, 7; RIP and linear address
      // the VMCALL after the MOV).
      `viol-cr3-later ${exit(R_VIOL, qual({ r: true, final: false }), rip("g_cr3_next"))} ${gpa(G_PD2)} lin ${hex(ROMB + sym("g_cr3_next"))}`,
      // EPT misconfigurations (§28.2.3.1): bits 2:0 = 110 or 010; 100 when
      // execute-only is not supported (48CH bit 0 = 0); a leaf's memory type
      // 2, 3 or 7. Exit 49 at the instruction, the guest-physical address of
      // the access (§27.2.1); the qualification is undefined, not printed.
      ...["mc-wx", "mc-w", "mc-x", "mc-type2", "mc-type3", "mc-type7"].map((c) => `${c} exit ${hex(R_MISCONF)} rip ${rip("g_mc")} ${gpa(P_MC + 8)}`),
      // A reserved bit (§28.2.3.1): bit N of a PTE's address, N the
      // physical-address width (bits 51:N reserved).
      `mc-maxphyaddr exit ${hex(R_MISCONF)} rip ${rip("g_mc")} ${gpa(P_MC + 8)}`,
      // Reserved bits (§28.2.2): bits 20:12 of a 2-MByte PDE, 29:12 of a 1-GByte PDPTE.
      `mc-2m-reserved exit ${hex(R_MISCONF)} rip ${rip("g_t2")} ${gpa(0x201234)}`,
      `mc-1g-reserved exit ${hex(R_MISCONF)} rip ${rip("g_t3")} ${gpa(0x40000000 + P_1G)}`,
      // In entries every access uses (bits 6:3 of a PDE that references a page
      // table, bits 7:3 of a PML4E; 110 in the PDPTE): the guest's first
      // access is its page walk for the first instruction fetch, the read of
      // its PDE 0 at G_PD (CR3) + 0.
      `mc-pde-reserved exit ${hex(R_MISCONF)} rip ${rip("g_first")} ${gpa(G_PD)}`,
      `mc-pml4e-bit7 exit ${hex(R_MISCONF)} rip ${rip("g_first")} ${gpa(G_PD)}`,
      `mc-pdpte-wx exit ${hex(R_MISCONF)} rip ${rip("g_first")} ${gpa(G_PD)}`,
      `after-mc ${vmcall("g_mc_end")}`,
      // A PAE guest (CR4.PAE in the guest CR4, CR3 = PDPT_MEM, whose PDPTE0
      // names PD_B). With "enable EPT" VM entry takes the PDPTEs from the
      // VMCS's guest PDPTE fields, not from CR3 (§26.3.2.4): PDPTE0 = PD_A,
      // whose 2-MByte page 1 maps linear 201234H to guest-physical 201234H, host
      // 401234H. A VM exit saves the PDPTEs in use into those fields (§27.3.4).
      `pae-vmcs-pdpte ${vmcall("g_pae1_end")} eax 44444444 pdpte0 00000000 ${hex(PD_A + 1)}`,
      // MOV to CR3 (not exiting: CR3-target value 0 matches, §25.1.3) loads the
      // PDPTEs from guest-physical CR3 (§28.2.1): PD_B maps linear 201234H to
      // 1234H; the exit saves PDPTE0 = PD_B | 1.
      `pae-mov-cr3 ${vmcall("g_pae2_end")} eax 99999999 pdpte0 00000000 ${hex(PD_B + 1)}`,
      // §26.3.1.6: with "enable EPT" VM entry checks the PDPTE fields as MOV to
      // CR3 would (bit 1 of a present PDPTE is reserved): a VM-entry failure,
      // reason 33 | bit 31, qualification 2 (PDPTE loading, §26.7).
      "pae-pdpte-reserved exit 80000021 00000002",
      // MOV to CR3 with the PDPT's page not present in EPT: an EPT violation
      // loading the PDPTEs, a data read (bit 0) with bits 5:3 0 and bit 7
      // clear (table 27-7: the guest-linear address is not valid for PDPTE
      // loads by MOV CR; bit 8 then reserved, 0), at the PDPT's address;
      // repaired, the MOV is retried and completes.
      `pae-pdpte-violation ${exit(R_VIOL, bit(0), rip("g_pae2_cr3"))} ${gpa(PDPT_MEM)}` +
        ` retry ${vmcall("g_pae2_end")} eax 99999999 pdpte0 00000000 ${hex(PD_B + 1)}`,
      // The same MOV to CR3 with EPTP bit 6 (§28.3.5): the PDPTE loads are
      // reads, so PDPT_MEM's EPT PTE gets A but not D (§28.3.3.2: the loads
      // of MOV CR are not the guest paging-structure accesses that count as
      // writes); PD_B, whose entries the walks for the fetches and the read
      // use, gets A and D though the guest writes nothing there (its PDEs
      // have A and D already); the page of guest-physical 1234H, read: A.
      `pae-ad ${vmcall("g_pae2_end")} 00000100 00000300 00000100`,
      ...adCases(sym),
    );
  }

  // INVEPT and INVVPID in VMX non-root operation exit unconditionally (§25.1.2)
  // with the instruction information (table 27-9), the displacement as the
  // qualification (§27.2.1: sign-extended, 32 bits here) and the instruction
  // length (§27.2.4), all from the guest's bytes. Where the processor lacks
  // the instruction it is #UD, which comes before VM exits (§25.1.1), as for
  // a register operand: an exception exit (the bitmap has every vector).
  const len = (a: string, b: string) => hex(sym(b) - sym(a));
  const ud = (at: string) => `exit ${hex(R_EXC)} 00000000 rip ${rip(at)} intr ${hex(UD_INTR)}`;
  out.push(
    // INVEPT EAX, [EBX + ESI*4 + 10H]
    `guest-invept-sib ${f.ept ? `${exit(R_INVEPT, 0x10, rip("g_inv1"))} len ${len("g_inv1", "g_inv2")} info ${hex(info({ scale: 2, seg: 3, index: 6, base: 3, reg2: 0 }))}` : ud("g_inv1")}`,
    // INVVPID ECX, [12345678H]
    `guest-invvpid-disp32 ${f.vpid ? `${exit(R_INVVPID, 0x12345678, rip("g_inv2"))} len ${len("g_inv2", "g_inv3")} info ${hex(info({ seg: 3, reg2: 1 }))}` : ud("g_inv2")}`,
    // INVEPT EDX, [EBP - 8]: SS, displacement -8
    `guest-invept-ebp ${f.ept ? `${exit(R_INVEPT, -8, rip("g_inv3"))} len ${len("g_inv3", "g_inv4")} info ${hex(info({ seg: 2, base: 5, reg2: 2 }))}` : ud("g_inv3")}`,
    // INVVPID ESI, [ES:EAX]: no displacement
    `guest-invvpid-es ${f.vpid ? `${exit(R_INVVPID, 0, rip("g_inv4"))} len ${len("g_inv4", "g_inv5")} info ${hex(info({ seg: 0, base: 0, reg2: 6 }))}` : ud("g_inv4")}`,
    `guest-invept-reg ${ud("g_inv5")}`,
    `vmxoff ${OK}`,
    "done",
  );
  return out.join("\n") + "\n";
}

/** Accessed and dirty flags for EPT (SDM vol. 3C §28.3.5; §28.2.4 in editions
 *  before 2017), on EPT tables of their own (ept.asm A_PML4 ... A_PT), every
 *  entry's bits 9:8 clear before the guest runs, EPTP bit 6 set. The rules:
 *  - every EPT entry used to translate a guest-physical address gets its
 *    accessed flag (bit 8); an entry that maps a page (a PTE, or a PDE/PDPTE
 *    with bit 7) gets its dirty flag (bit 9) on a write to the address. Bit 9
 *    of an entry that references another table is not a dirty flag (tables
 *    28-1, 28-3, 28-5: ignored), and stays 0;
 *  - with bit 6, the processor's accesses to the guest's paging-structure
 *    entries count as writes (§28.3.3.2), so the leaves mapping the guest's
 *    page directory and page table get D though the guest only reads data;
 *  - an entry no translation used keeps both flags 0.
 *  The guest (ept.asm g_adrun, CR3 = GA_PD) fetches its code from the ROM
 *  (guest PDE 0, a 4-MByte page with A and D set: the guest writes nothing
 *  there), reads P_ADR through GA_PT[0] and writes P_ADW through GA_PT[1]
 *  (guest PDE 1 and both PTEs with A = 0: the guest sets them, vol. 3A §4.8),
 *  reads P_ADT through GA_PT[2] (A and D already set) and writes the same page
 *  right after (the read must not leave a translation that lets the write
 *  skip the dirty flag, §28.3.5), reads through the 1-GByte EPT page (guest
 *  PDE 100H) and writes through the 2-MByte one (guest-physical 201100H). */
function adCases(sym: (name: string) => number): string[] {
  const rip = (name: string) => hex(sym(name) - sym("guest_code"));
  const A = "00000100", AD = "00000300", NONE = "00000000";
  return [
    // The reads and writes land where EPT maps them: EAX from P_ADR + 10H;
    // P_ADW + 20H, P_ADT + 34H (the dword at P_ADT + 30H) and host 401100H
    // (guest-physical 201100H in the 2-MByte page at host 400000H) written.
    `ad-run exit ${hex(R_VMCALL)} 00000000 rip ${rip("g_adrun_end")} eax aaaa0001 mem aaaa0002 aaaa0003 aaaa0004`,
    // The guest's own flags: PDE 1 (GA_PT | 07H) gets A (27H), PTE 0 A (27H),
    // PTE 1 A and D (67H).
    "ad-guest-flags 00000027 00000027 00000067",
    // PML4E 0 used by every translation: A; PML4E 1 (512 GiB up) never used.
    `ad-pml4e ${A} ${NONE}`,
    // PDPTE 0 references the page directory: A. PDPTE 1 maps the 1-GByte page,
    // only read: A, not D.
    `ad-pdpte ${A} ${A}`,
    // PDE 0 references the page table: A. PDE 1 maps the 2-MByte page the
    // guest wrote: A and D.
    `ad-pde ${A} ${AD}`,
    // PTEs: GA_PD and GA_PT, the guest's paging structures, A and D (accesses
    // to them are writes); P_ADR read: A only; P_ADW written: A and D; P_ADT
    // read then written: A and D; P_ADU never used: neither; the code's page,
    // fetched from: A only.
    `ad-pte ${AD} ${AD} ${A} ${AD} ${AD} ${NONE} ${A}`,
    // GA_PT EPT read-only (R, memory type 6): a read of a guest PTE whose A is
    // already set is still a write for EPT with bit 6 (§28.3.3.2), refused:
    // an EPT violation whose qualification has both read and write (bits 0
    // and 1, table 27-7 note 1), R (3), the guest-linear address valid (7),
    // not the final translation (8 = 0); the address of the PTE.
    `ad-viol-table exit ${hex(R_VIOL)} ${hex(qual({ r: true, w: true, R: true, final: false }))} rip ${rip("g_adviol")} gpa 00000000 ${hex(GA_PT)} lin 00400010`,
  ];
}

const CONFIGS: { name: string; cpu: CpuFeatures; f: Features }[] = [
  { name: "+vmx,+vmx-ept,+vmx-vpid", f: { vmx: true, ept: true, vpid: true } },
  { name: "+vmx,+vmx-ept", f: { vmx: true, ept: true, vpid: false } },
  { name: "+vmx,+vmx-vpid", f: { vmx: true, ept: false, vpid: true } },
  { name: "+vmx", f: { vmx: true, ept: false, vpid: false } },
  // vmx-ept and vmx-vpid act only with vmx
  { name: "-vmx,+vmx-ept,+vmx-vpid", f: { vmx: false, ept: true, vpid: true } },
].map((c) => ({ ...c, cpu: { model: "coreduo", nx: false, vmx: c.f.vmx, "vmx-ept": c.f.ept, "vmx-vpid": c.f.vpid } as CpuFeatures }));

for (const c of CONFIGS) {
  for (const how of [{ interpret: true }, { translate: true }]) {
    const mode = how.interpret ? "interpreted" : "translated";
    test(`EPT/VPID under -cpu coreduo,-nx,${c.name} (${mode})`, async () => {
      const want = expected(c.f);
      const r = await runRingZero(assemble("ept"), { cpu: c.cpu, ...how });
      expect(r.output).toBe(want);
      expect(r.exitCode).toBe(1); // EXIT 0: isa-debug-exit reports (0 << 1) | 1
    });
  }
}
