// Architectural CPU state, at fixed offsets in linear memory (layout.ts CPU_STATE).
// The first 64 bytes (GPRs, EIP, EFLAGS, lazy-flag state) are the part an
// instruction changes most; exec.ts copies them to a shadow at every instruction
// boundary and restores them when the instruction faults, so that a fault leaves
// the architectural state as it was (SDM vol. 3 §6.5: faults restart the instruction).

import { CPU_STATE, JIT_WORDS } from "../layout";

// --- general registers: EAX ECX EDX EBX ESP EBP ESI EDI (SDM encoding order) ---
export const R_EAX: u32 = 0;
export const R_ECX: u32 = 1;
export const R_EDX: u32 = 2;
export const R_EBX: u32 = 3;
export const R_ESP: u32 = 4;
export const R_EBP: u32 = 5;
export const R_ESI: u32 = 6;
export const R_EDI: u32 = 7;

export const OFF_REGS: u32 = CPU_STATE + 0x00;
export const OFF_EIP: u32 = CPU_STATE + 0x20;
export const OFF_EFLAGS: u32 = CPU_STATE + 0x24;
// Lazy arithmetic flags (flags.ts): which of CF PF AF ZF SF OF are to be computed
// from the last operation, and that operation's kind/size, operands and result.
export const OFF_FLAGS_LAZY: u32 = CPU_STATE + 0x28;
export const OFF_LAZY_OP: u32 = CPU_STATE + 0x2c;
export const OFF_LAZY_DST: u32 = CPU_STATE + 0x30;
export const OFF_LAZY_SRC: u32 = CPU_STATE + 0x34;
export const OFF_LAZY_RES: u32 = CPU_STATE + 0x38;
export const HOT_STATE_SIZE: u32 = 0x40;
export const OFF_SHADOW: u32 = CPU_STATE + 0x40; // copy of the first 0x40 bytes

// --- segment registers ES CS SS DS FS GS, then LDTR and TR: 32 bytes each ---
export const S_ES: i32 = 0;
export const S_CS: i32 = 1;
export const S_SS: i32 = 2;
export const S_DS: i32 = 3;
export const S_FS: i32 = 4;
export const S_GS: i32 = 5;
export const S_LDTR: i32 = 6;
export const S_TR: i32 = 7;
export const OFF_SEGS: u32 = CPU_STATE + 0x100;
export const SEG_SIZE: u32 = 32;
// per segment: selector, base, limit (byte granular, after G scaling), attributes
// (descriptor bits 40..55 as in the SDM: type[3:0] S DPL[1:0] P ... AVL L D/B G,
// plus ATTR_VALID), and the precomputed valid offset ranges for reads [loR, hiR]
// and writes [loW, hiW]; an empty range (lo 1, hi 0) means every access faults,
// e.g. through a null selector or a write to a code segment.
export const SEGF_SEL: u32 = 0;
export const SEGF_BASE: u32 = 4;
export const SEGF_LIMIT: u32 = 8;
export const SEGF_ATTR: u32 = 12;
export const SEGF_LOR: u32 = 16;
export const SEGF_HIR: u32 = 20;
export const SEGF_LOW: u32 = 24;
export const SEGF_HIW: u32 = 28;

// --- descriptor-table registers ---
export const OFF_GDTR_BASE: u32 = CPU_STATE + 0x200;
export const OFF_GDTR_LIMIT: u32 = CPU_STATE + 0x204;
export const OFF_IDTR_BASE: u32 = CPU_STATE + 0x208;
export const OFF_IDTR_LIMIT: u32 = CPU_STATE + 0x20c;

// --- control and debug registers ---
export const OFF_CR0: u32 = CPU_STATE + 0x210;
export const OFF_CR2: u32 = CPU_STATE + 0x214;
export const OFF_CR3: u32 = CPU_STATE + 0x218;
export const OFF_CR4: u32 = CPU_STATE + 0x21c;
export const OFF_DR: u32 = CPU_STATE + 0x220; // DR0..DR7, 8 x u32

// --- mode and bookkeeping ---
export const OFF_CPL: u32 = CPU_STATE + 0x240;
export const OFF_HALTED: u32 = CPU_STATE + 0x244;
export const OFF_TSC: u32 = CPU_STATE + 0x248; // u64 time-stamp counter
export const OFF_ICOUNT: u32 = CPU_STATE + 0x250; // u64 instructions retired
export const OFF_SYSENTER_CS: u32 = CPU_STATE + 0x258;
export const OFF_SYSENTER_ESP: u32 = CPU_STATE + 0x25c;
export const OFF_SYSENTER_EIP: u32 = CPU_STATE + 0x260;
export const OFF_APIC_BASE: u32 = CPU_STATE + 0x264;
export const OFF_INHIBIT_IRQ: u32 = CPU_STATE + 0x268; // after STI / MOV SS / POP SS
// OFF_INHIBIT_IRQ: 1 after STI, 2 after MOV SS / POP SS (the next instruction is
// in their shadow); in VMX operation INHIBIT_RUNNING is added while that
// instruction runs, so that VM exits and VMLAUNCH see the shadow (exec.ts).
export const INHIBIT_RUNNING: u32 = 4;

// Nonzero when the run loop must look at more than the next instruction (a stop
// request, the INTR line, the interrupt shadow, HLT, instruction breakpoints):
// whatever sets one of those calls needAttention(), and exec.ts betweenInstructions
// recomputes it, so that the loop tests one word per instruction. It lives in
// memory (layout.ts JIT_WORDS) because translated loops test it too (cpu/jit.ts).
export const OFF_ATTENTION: u32 = JIT_WORDS;
@inline export function attentionSet(): bool { return load<u32>(OFF_ATTENTION) != 0; }
@inline export function needAttention(): void { store<u32>(OFF_ATTENTION, 1); }
export function setAttention(v: u32): void { store<u32>(OFF_ATTENTION, v); }
// Nonzero: the host asks run() to stop (STOP_PAUSE) before the next instruction.
// The host stores 1 here and in OFF_ATTENTION; both are plain words in memory, so
// a host on another thread (the page's worker, with shared memory) can pause a
// running slice. exec.ts clears it when it stops.
export const OFF_PAUSE: u32 = JIT_WORDS + 48;

// True when the end of an instruction may owe a trap or an EFLAGS.RF update: TF or
// RF may be set, or data breakpoints are enabled. Writers of EFLAGS that can set
// TF or RF (POPF, IRET, task switches, the host) and of DR7 call watchTraps();
// exec.ts afterTrapFlags clears it again when neither holds any more.
export let trapWatch: bool = true;
@inline export function watchTraps(): void { trapWatch = true; }
export function setTrapWatch(b: bool): void { trapWatch = b; }
export const OFF_A20: u32 = CPU_STATE + 0x26c; // 1 = A20 gate enabled
export const OFF_TSC_OFFSET: u32 = CPU_STATE + 0x270; // u64, for WRMSR to the TSC
export const OFF_EFER: u32 = CPU_STATE + 0x278; // u64 IA32_EFER (only NXE is writable)
export const OFF_PAT: u32 = CPU_STATE + 0x280; // u64 IA32_PAT (storage: caching is not modelled)
export const OFF_PDPTE: u32 = CPU_STATE + 0x288; // 4 x u64: the PAE PDPTE registers (SDM vol. 3 §4.4.1)
// NMI state (SDM vol. 3 §6.7.1): bit 0 an NMI is pending (one is held, more are
// dropped), bit 1 NMIs are blocked from the delivery of one until the next IRET.
export const OFF_NMI: u32 = CPU_STATE + 0x2a8;
export const NMI_PENDING: u32 = 1;
export const NMI_BLOCKED: u32 = 2;
// An INIT signal is pending (SDM vol. 3 §10.6.1: the local APIC's ICR, delivery
// mode INIT): nonzero until the CPU takes it (exec.ts), held while VMX root
// operation blocks it (SDM vol. 3 §23.8).
export const OFF_INIT: u32 = CPU_STATE + 0x2ac;
// Bit s set: segment register s (S_ES..S_GS) is flat - base 0, and every offset
// readable and writable (its ranges 0..FFFFFFFFH). Derived from the segment
// caches by setSegmentCache (segments.ts); translated blocks that take a segment
// as flat check its bit on entry (web/jit/translator.ts).
export const OFF_SEG_FLAT: u32 = CPU_STATE + 0x2b0;
export const OFF_FPU: u32 = CPU_STATE + 0x300; // x87 state block (x87.ts), 0x200 bytes
export const OFF_MTRR: u32 = CPU_STATE + 0x500; // MTRR MSRs as storage, 32 x u64 (system.ts)
// VMX (vmx.ts, docs/VMX.md): whether the CPU is in VMX operation and in VMX
// non-root operation, the VMXON region's and the current VMCS's physical
// addresses (u64, all ones: none), and IA32_FEATURE_CONTROL (MSR 3AH).
export const OFF_VMX_MODE: u32 = CPU_STATE + 0x600;
export const VMX_ON: u32 = 1;      // in VMX operation (after VMXON)
export const VMX_NONROOT: u32 = 2; // in VMX non-root operation (a guest runs)
export const VMX_EPT: u32 = 4;     // ...with EPT on: set at VM entry, so TLB fills need not read the VMCS
export const VMX_EPT_AD: u32 = 8;  // ...and EPTP bit 6, accessed and dirty flags for EPT (mmu/ept.ts)
export const OFF_VMXON_PTR: u32 = CPU_STATE + 0x608;
export const OFF_VMCS_PTR: u32 = CPU_STATE + 0x610;
export const OFF_FEATURE_CONTROL: u32 = CPU_STATE + 0x618;
// MONITOR armed the address-range monitor (u32, 1: armed; sse.ts). Kept for
// MWAIT's VM-exit qualification; MWAIT disarms it.
export const OFF_MONITOR_ARMED: u32 = CPU_STATE + 0x620;
// VMX non-root event state (vmxexit.ts): bit 0 virtual-NMI blocking (SDM vol. 3
// §24.4.2, with the "virtual NMIs" control), bit 1 the VMX-preemption timer is
// counting; and the virtual time (clock.ts ns) at which the timer reaches 0.
export const OFF_VMX_EVENTS: u32 = CPU_STATE + 0x624;
export const VMXE_VNMI_BLOCKED: u32 = 1;
export const VMXE_TIMER: u32 = 2;
export const OFF_VMX_TIMER_END: u32 = CPU_STATE + 0x628;
// SSE (sse.ts, docs/SSE.md): XMM0-7, 16 bytes each (lane 0 at the lowest
// address, as in memory), and MXCSR. (0x600-0x67F: VMX and the monitor above.)
export const OFF_XMM: u32 = CPU_STATE + 0x680;
export const OFF_MXCSR: u32 = CPU_STATE + 0x700;
export const MXCSR_RESET: u32 = 0x1f80; // every exception masked, round to nearest (SDM vol. 3 table 9-1)
export const OFF_MISC_ENABLE: u32 = CPU_STATE + 0x708; // u64 IA32_MISC_ENABLE (pentium4, coreduo: system.ts)
// The machine-check MSRs a guest can change (mca.ts): u32 IA32_MCG_STATUS, u32
// which of IA32_MCG_CTL and IA32_MCi_CTL are all 1s.
export const OFF_MCA: u32 = CPU_STATE + 0x710;
export const CPU_STATE_SIZE: u32 = 0x718;

// --- EFLAGS bits (SDM vol. 1 §3.4.3) ---
export const CF: u32 = 1 << 0;
export const PF: u32 = 1 << 2;
export const AF: u32 = 1 << 4;
export const ZF: u32 = 1 << 6;
export const SF: u32 = 1 << 7;
export const TF: u32 = 1 << 8;
export const IF: u32 = 1 << 9;
export const DF: u32 = 1 << 10;
export const OF: u32 = 1 << 11;
export const IOPL_MASK: u32 = 3 << 12;
export const NT: u32 = 1 << 14;
export const RF: u32 = 1 << 16;
export const VM: u32 = 1 << 17;
export const AC: u32 = 1 << 18;
export const VIF: u32 = 1 << 19;
export const VIP: u32 = 1 << 20;
export const ID: u32 = 1 << 21;
export const ARITH_FLAGS: u32 = CF | PF | AF | ZF | SF | OF;
// The bits EFLAGS keeps (bit 1 always reads 1; 3, 5, 15 and 22-31 read 0).
export const EFLAGS_BITS: u32 = 0x3f7fd5;

// --- CR0 / CR4 bits ---
export const CR0_PE: u32 = 1 << 0;
export const CR0_MP: u32 = 1 << 1;
export const CR0_EM: u32 = 1 << 2;
export const CR0_TS: u32 = 1 << 3;
export const CR0_ET: u32 = 1 << 4;
export const CR0_NE: u32 = 1 << 5;
export const CR0_WP: u32 = 1 << 16;
export const CR0_AM: u32 = 1 << 18;
export const CR0_NW: u32 = 1 << 29;
export const CR0_CD: u32 = 1 << 30;
export const CR0_PG: u32 = 1 << 31;
export const CR4_VME: u32 = 1 << 0;
export const CR4_PVI: u32 = 1 << 1;
export const CR4_TSD: u32 = 1 << 2;
export const CR4_DE: u32 = 1 << 3;
export const CR4_PSE: u32 = 1 << 4;
export const CR4_PAE: u32 = 1 << 5;
export const CR4_MCE: u32 = 1 << 6;
export const CR4_PGE: u32 = 1 << 7;
export const CR4_PCE: u32 = 1 << 8;
export const CR4_OSFXSR: u32 = 1 << 9;
export const CR4_VMXE: u32 = 1 << 13;
export const CR4_OSXMMEXCPT: u32 = 1 << 10;

// --- IA32_EFER bits (SDM vol. 3 §2.2.1; vol. 4 table 2-2) ---
export const EFER_NXE: u32 = 1 << 11;

// --- register access ---
@inline export function reg32(r: u32): u32 { return load<u32>(OFF_REGS + (r << 2)); }
@inline export function setReg32(r: u32, v: u32): void { store<u32>(OFF_REGS + (r << 2), v); }
@inline export function reg16(r: u32): u32 { return <u32>load<u16>(OFF_REGS + (r << 2)); }
@inline export function setReg16(r: u32, v: u32): void { store<u16>(OFF_REGS + (r << 2), <u16>v); }
// 8-bit registers AL CL DL BL AH CH DH BH: byte 0 or 1 of EAX..EBX.
@inline export function reg8(r: u32): u32 { return <u32>load<u8>(OFF_REGS + ((r & 3) << 2) + (r >> 2)); }
@inline export function setReg8(r: u32, v: u32): void { store<u8>(OFF_REGS + ((r & 3) << 2) + (r >> 2), <u8>v); }

@inline export function getEip(): u32 { return load<u32>(OFF_EIP); }
@inline export function setEip(v: u32): void { store<u32>(OFF_EIP, v); }

@inline export function segSel(s: i32): u32 { return load<u32>(OFF_SEGS + <u32>s * SEG_SIZE + SEGF_SEL); }
@inline export function segBase(s: i32): u32 { return load<u32>(OFF_SEGS + <u32>s * SEG_SIZE + SEGF_BASE); }
@inline export function segLimit(s: i32): u32 { return load<u32>(OFF_SEGS + <u32>s * SEG_SIZE + SEGF_LIMIT); }
@inline export function segAttr(s: i32): u32 { return load<u32>(OFF_SEGS + <u32>s * SEG_SIZE + SEGF_ATTR); }
@inline export function segField(s: i32, f: u32): u32 { return load<u32>(OFF_SEGS + <u32>s * SEG_SIZE + f); }
@inline export function setSegField(s: i32, f: u32, v: u32): void { store<u32>(OFF_SEGS + <u32>s * SEG_SIZE + f, v); }

@inline export function cr0(): u32 { return load<u32>(OFF_CR0); }
@inline export function cr4(): u32 { return load<u32>(OFF_CR4); }
@inline export function efer(): u32 { return load<u32>(OFF_EFER); }
@inline export function getCpl(): u32 { return load<u32>(OFF_CPL); }

// Descriptor attribute bits, as stored in SEGF_ATTR (descriptor bits 40..55 shifted down by 40).
export const ATTR_TYPE_MASK: u32 = 0xf;
export const ATTR_ACCESSED: u32 = 1 << 0;
export const ATTR_RW: u32 = 1 << 1; // readable code / writable data
export const ATTR_CE: u32 = 1 << 2; // conforming code / expand-down data
export const ATTR_CODE: u32 = 1 << 3;
export const ATTR_S: u32 = 1 << 4; // code/data (1) vs system (0)
export const ATTR_DPL_SHIFT: u32 = 5;
export const ATTR_P: u32 = 1 << 7;
export const ATTR_AVL: u32 = 1 << 12;
export const ATTR_DB: u32 = 1 << 14;
export const ATTR_G: u32 = 1 << 15;
export const ATTR_VALID: u32 = 1 << 16; // not a descriptor bit: the register holds a usable segment
