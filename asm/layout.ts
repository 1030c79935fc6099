// Fixed offsets in the machine's one linear memory. The host reads these through
// the exported getters in index.ts (and web/host/layout.ts mirrors them); a snapshot
// is a copy of the blocks named here plus a version header.
//
//   0x0000_1000  CPU state block            (cpu/state.ts)
//   0x0000_2000  device state blocks        (one 256-byte slot per chip, dev/*.ts)
//   0x0001_0000  I/O rings                  (rings.ts)
//   0x0002_0000  port map: one device id byte per I/O port (io.ts)
//   0x0003_0000  event timeline: header and 4096 entries of 32 bytes (cpu/events.ts)
//   0x0010_0000  physical page map: one u32 per 4 KiB physical page (mmu/phys.ts)
//   0x0050_0000  TLB: one u32 per 4 KiB linear page (mmu/tlb.ts)
//   0x0090_0000  TLB fill list, for cheap flushes
//   0x0094_0000  translator words the generated code reads (cpu/jit.ts), then
//                the block cache: 32768 slots of 16 bytes
//   0x00A0_0000  AssemblyScript static data (asconfig memoryBase)
//   0x0180_0000  ROM images: system BIOS (up to 512 KiB), then at 0x0188_0000
//                the VGA BIOS behind the std VGA's PCI ROM BAR (64 KiB)
//   0x0190_0000  VGA dirty-page bitmaps (dev/vga.ts: pages written since the
//                host last looked, and the set it took), derived: not saved
//   0x0198_0000  IDE bounce buffers: 128 KiB per channel (dev/ide.ts)
//   0x01A0_0000  fw_cfg region (6 MiB): item table, file directory and the blobs
//                the host writes there (dev/fwcfg.ts); invisible to the guest
//   0x0200_0000  video memory (16 MiB, QEMU's default vgamem: the VGA planes
//                in its first 256 KiB, dev/vga.ts says how; the Bochs VBE
//                linear framebuffer is all of it)
//   0x0300_0000  guest RAM, `ramSize` bytes

export const CPU_STATE: u32 = 0x1000;
export const DEV_STATE: u32 = 0x2000;
export const DEV_SLOT_SIZE: u32 = 0x100;
export const RINGS: u32 = 0x10000;
export const PORT_MAP: u32 = 0x20000;
export const EVENTS: u32 = 0x30000;
export const PHYS_MAP: u32 = 0x100000;
export const TLB: u32 = 0x500000;
export const TLB_FILL_LIST: u32 = 0x900000;
export const TLB_FILL_MAX: u32 = 0x10000;
export const JIT_WORDS: u32 = 0x940000;
export const JIT_CACHE: u32 = 0x941000;
export const JIT_SLOTS: u32 = 0x8000;
export const STATIC_BASE: u32 = 0xA00000;
export const ROM_BASE: u32 = 0x1800000;
export const ROM_SIZE: u32 = 0x100000;
export const VGA_ROM: u32 = 0x1880000;
export const VGA_ROM_SIZE: u32 = 0x10000;
export const VGA_DIRTY: u32 = 0x1900000;
export const VGA_MEM: u32 = 0x2000000;
export const VGA_MEM_SIZE: u32 = 0x1000000;
export const IDE_BUF: u32 = 0x1980000;
export const IDE_BUF_SIZE: u32 = 0x40000;
export const FWCFG_REGION: u32 = 0x1A00000;
export const FWCFG_REGION_SIZE: u32 = 0x600000;
export const RAM_BASE: u32 = 0x3000000;

// Version of the state-block layout; bumped whenever an offset changes so that
// old snapshots are refused instead of misread.
export const STATE_VERSION: u32 = 9; // 2: a fifth I/O ring (COM2 input); 3: VGA planes interleaved, latches; 4: NMI pending/blocked (cpu/state.ts OFF_NMI); 5: VMX state, the CPU block grows to 0x640 (cpu/state.ts OFF_VMX_*); 6: HPET (slot 26), SCI and TMR_STS state in the ACPI slot, HPET legacy-route lines; 7: XMM0-7 and MXCSR, the CPU block grows to 0x710 (cpu/state.ts OFF_XMM); 8: 16 MiB video memory, Bochs VBE registers, the std VGA's PCI function; 9: the machine-check MSRs, the CPU block grows to 0x718 (cpu/state.ts OFF_MCA)
