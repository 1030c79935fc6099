// Host-side writes to the CPU state block, for direct kernel boot (bzImage,
// Multiboot) and later snapshot restore. The offsets MIRROR asm/cpu/state.ts
// (relative to layout.ts CPU_STATE = 0x1000); tests/unit/cpustate.test.ts parses
// state.ts and fails when the two disagree, so change both together.
// After writing, call Machine.cpuStateChanged() so the machine recomputes what it
// derives from the block (segment offset ranges, CPL, decoder and TLB caches).

export const CPU_STATE = 0x1000;

export const R_EAX = 0, R_ECX = 1, R_EDX = 2, R_EBX = 3, R_ESP = 4, R_EBP = 5, R_ESI = 6, R_EDI = 7;

export const OFF_REGS = 0x00;
export const OFF_EIP = 0x20;
export const OFF_EFLAGS = 0x24;
// lazy arithmetic flags (asm/cpu/flags.ts), for the translator (web/jit/)
export const OFF_FLAGS_LAZY = 0x28;
export const OFF_LAZY_OP = 0x2c;
export const OFF_LAZY_DST = 0x30;
export const OFF_LAZY_SRC = 0x34;
export const OFF_LAZY_RES = 0x38;
export const OFF_SEGS = 0x100;
export const SEG_SIZE = 32;
export const SEGF_SEL = 0;
export const SEGF_BASE = 4;
export const SEGF_LIMIT = 8;
export const SEGF_ATTR = 12;
export const SEGF_LOR = 16;
export const SEGF_HIR = 20;
export const SEGF_LOW = 24;
export const SEGF_HIW = 28;
export const OFF_GDTR_BASE = 0x200;
export const OFF_GDTR_LIMIT = 0x204;
export const OFF_IDTR_BASE = 0x208;
export const OFF_IDTR_LIMIT = 0x20c;
export const OFF_CR0 = 0x210;
export const OFF_CR2 = 0x214;
export const OFF_CR3 = 0x218;
export const OFF_CR4 = 0x21c;
export const OFF_DR = 0x220; // DR0..DR7
export const OFF_CPL = 0x240;
export const OFF_HALTED = 0x244;
export const OFF_INHIBIT_IRQ = 0x268;
export const OFF_A20 = 0x26c;
export const OFF_EFER = 0x278; // u64 IA32_EFER (with -cpu ...,+nx)
// VMX (asm/cpu/vmx.ts): VMX_ON after VMXON, VMX_NONROOT while a guest runs (and VMX_EPT, 4, with EPT on,
// VMX_EPT_AD, 8, with its accessed and dirty flags);
// the current VMCS's physical address (u64, all ones: none).
export const OFF_VMX_MODE = 0x600;
export const VMX_ON = 1;
export const VMX_NONROOT = 2;
export const OFF_VMCS_PTR = 0x610;
export const OFF_XMM = 0x680; // XMM0-7, 16 bytes each, lane 0 first
export const OFF_MXCSR = 0x700;
export const CPU_STATE_SIZE = 0x718;

export const S_ES = 0, S_CS = 1, S_SS = 2, S_DS = 3, S_FS = 4, S_GS = 5, S_LDTR = 6, S_TR = 7;

// Segment attributes: descriptor bits 40..55 shifted down by 40, plus ATTR_VALID.
export const ATTR_ACCESSED = 1 << 0;
export const ATTR_RW = 1 << 1;
export const ATTR_CODE = 1 << 3;
export const ATTR_S = 1 << 4;
export const ATTR_DPL_SHIFT = 5;
export const ATTR_P = 1 << 7;
export const ATTR_DB = 1 << 14;
export const ATTR_G = 1 << 15;
export const ATTR_VALID = 1 << 16;

export const CR0_PE = 1 << 0;
export const CR0_ET = 1 << 4;
export const EFLAGS_FIXED = 1 << 1; // bit 1 always reads as 1 (SDM vol. 1 §3.4.3)

/** A segment register's hidden part, as the CPU caches it after a load. */
export interface SegmentCache { sel: number; base: number; limit: number; attr: number; valid: boolean }

/** Everything a direct boot sets before the first instruction. */
export interface EntryState {
  eip: number;
  /** EAX ECX EDX EBX ESP EBP ESI EDI; missing ones are 0. */
  regs: Partial<Record<"eax" | "ecx" | "edx" | "ebx" | "esp" | "ebp" | "esi" | "edi", number>>;
  gdtBase: number;
  gdtLimit: number;
  cs: number;
  ds: number;
}

/** Attributes of a flat 4 GiB descriptor as written by flatDescriptor(). */
export function flatAttr(code: boolean): number {
  // present, DPL 0, code/data, read/execute or read/write, accessed, 32-bit, 4 KiB granular
  return ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | (code ? ATTR_CODE : 0) | ATTR_DB | ATTR_G;
}

/** An 8-byte flat (base 0, limit 4 GiB) descriptor (SDM vol. 3 §3.4.5) as [low, high] dwords. */
export function flatDescriptor(code: boolean): [number, number] {
  const attr = flatAttr(code);
  const lo = 0x0000ffff; // limit 15..0 = 0xffff, base 15..0 = 0
  // base 23..16 = 0, attr bits 40..47, limit 19..16 = 0xf, attr bits 52..55, base 31..24 = 0
  const hi = ((attr & 0xff) << 8) | (0xf << 16) | (((attr >> 12) & 0xf) << 20);
  return [lo >>> 0, hi >>> 0];
}

/** Write the boot GDT (null, null, __BOOT_CS 0x10, __BOOT_DS 0x18) at `base` in guest RAM. */
export function writeBootGdt(ram: Uint8Array, base: number): { base: number; limit: number } {
  const v = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  for (let i = 0; i < 16; i++) ram[base + i] = 0;
  const [clo, chi] = flatDescriptor(true);
  const [dlo, dhi] = flatDescriptor(false);
  v.setUint32(base + 0x10, clo, true); v.setUint32(base + 0x14, chi, true);
  v.setUint32(base + 0x18, dlo, true); v.setUint32(base + 0x1c, dhi, true);
  return { base, limit: 0x1f };
}

/** Write one segment register's cache, with the offset ranges of an expand-up segment
 *  (the machine recomputes them in cpuStateChanged()). */
export function writeSegment(state: DataView, seg: number, c: SegmentCache): void {
  const p = OFF_SEGS + seg * SEG_SIZE;
  state.setUint32(p + SEGF_SEL, c.sel & 0xffff, true);
  state.setUint32(p + SEGF_BASE, c.base >>> 0, true);
  state.setUint32(p + SEGF_LIMIT, c.limit >>> 0, true);
  state.setUint32(p + SEGF_ATTR, (c.valid ? c.attr | ATTR_VALID : c.attr & ~ATTR_VALID) >>> 0, true);
  state.setUint32(p + SEGF_LOR, c.valid ? 0 : 1, true);
  state.setUint32(p + SEGF_HIR, c.valid ? c.limit >>> 0 : 0, true);
  state.setUint32(p + SEGF_LOW, c.valid ? 0 : 1, true);
  state.setUint32(p + SEGF_HIW, c.valid ? c.limit >>> 0 : 0, true);
}

export function readSegment(state: DataView, seg: number): SegmentCache {
  const p = OFF_SEGS + seg * SEG_SIZE;
  const attr = state.getUint32(p + SEGF_ATTR, true);
  return {
    sel: state.getUint32(p + SEGF_SEL, true), base: state.getUint32(p + SEGF_BASE, true),
    limit: state.getUint32(p + SEGF_LIMIT, true), attr: attr & ~ATTR_VALID, valid: (attr & ATTR_VALID) !== 0,
  };
}

const REG_INDEX = { eax: R_EAX, ecx: R_ECX, edx: R_EDX, ebx: R_EBX, esp: R_ESP, ebp: R_EBP, esi: R_ESI, edi: R_EDI } as const;

/** Put the CPU (fresh from reset) into 32-bit protected mode with paging off,
 *  interrupts off, CPL 0, flat CS/DS/ES/SS/FS/GS from the given GDT, and the given
 *  registers: the entry state of both the Linux 32-bit boot protocol
 *  (boot.rst "32-bit Boot Protocol") and Multiboot (spec §3.2 "Machine state"). */
export function enterProtectedMode(state: DataView, e: EntryState): void {
  for (const [name, idx] of Object.entries(REG_INDEX)) {
    state.setUint32(OFF_REGS + idx * 4, (e.regs[name as keyof typeof REG_INDEX] ?? 0) >>> 0, true);
  }
  state.setUint32(OFF_EIP, e.eip >>> 0, true);
  state.setUint32(OFF_EFLAGS, EFLAGS_FIXED, true); // IF = 0, DF = 0, VM = 0
  // PE on; PG off; CD and NW clear (caches on), as firmware leaves them before a boot loader runs
  state.setUint32(OFF_CR0, CR0_PE | CR0_ET, true);
  state.setUint32(OFF_GDTR_BASE, e.gdtBase >>> 0, true);
  state.setUint32(OFF_GDTR_LIMIT, e.gdtLimit, true);
  const flat = { base: 0, limit: 0xffffffff, valid: true };
  writeSegment(state, S_CS, { sel: e.cs, attr: flatAttr(true), ...flat });
  for (const s of [S_ES, S_SS, S_DS, S_FS, S_GS]) writeSegment(state, s, { sel: e.ds, attr: flatAttr(false), ...flat });
  state.setUint32(OFF_CPL, 0, true);
  state.setUint32(OFF_HALTED, 0, true);
  state.setUint32(OFF_INHIBIT_IRQ, 0, true);
}
