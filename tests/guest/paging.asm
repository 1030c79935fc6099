; Paging without faults, compared with qemu -cpu pentium2. The test enters
; protected mode without a far jump (CS keeps its real-mode cache, which is
; allowed and is what the processor does) and loads DS/ES with a flat selector
; from a GDT at physical 0 (GDTR after reset: base 0, limit FFFFH, SDM vol. 3
; table 9-1), so it needs only MOV to segment registers and CR moves.
; Checks: CR0 with PG, accessed/dirty bits set in PDE/PTE (SDM vol. 3 §4.8),
; 4 MiB pages with CR4.PSE and PS ignored without it, INVLPG of a 4 KiB page
; and of a 4 MiB page through another address inside it, MOV CR3 flushing,
; CR0.WP = 0 letting supervisor writes through read-only pages (§4.6).
%include "lib/rom.inc"
%include "sys-lib.inc"

PD   equ 0x10000          ; page directory
PT0  equ 0x11000          ; page table for 0-4 MiB (identity)
PT4  equ 0x12000          ; page table for the "PS ignored" check
P_A  equ 0x20             ; accessed
P_D  equ 0x40             ; dirty

%define PTE(x) (PT0 + ((x) >> 12) * 4)   ; the PT0 entry for linear x

main:
  REAL_START
  ; GDT at 0: null, 08 = flat 4 GiB data
  mov dword [0], 0
  mov dword [4], 0
  mov dword [8], 0x0000ffff
  mov dword [12], 0x00cf9300
  ; enter protected mode, flat DS/ES
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  mov ax, 8
  mov ds, ax
  mov es, ax

  ; page tables: PT0 identity for 0-4 MiB, present, writable, user
  mov edi, PT0
  mov eax, 0x007
.fill:
  mov [dword edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 0x1000
  jne .fill
  mov edi, PD
.clr:
  mov dword [dword edi], 0
  add edi, 4
  cmp edi, PD + 0x1000
  jne .clr
  mov dword [dword PD], PT0 | 0x007
  ; test pages, A and D clear
  mov dword [dword 0x30000], 0x11111111
  mov dword [dword 0x31000], 0x22222222
  mov dword [dword 0x32000], 0x33333333
  mov dword [dword 0x33000], 0x44444444
  mov dword [dword 0x34000], 0x55555555
  mov dword [dword PTE(0x20000)], 0x30000 | 0x003
  mov dword [dword PTE(0x21000)], 0x31000 | 0x003
  mov dword [dword PTE(0x22000)], 0x32000 | 0x001    ; read-only, supervisor

  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  PUTS "cr0"
  mov eax, cr0
  HEX32 eax
  mov eax, cr3
  HEX32 eax
  call putnl

  ; A on read, D on write; the PDE gets A (and no D: it maps a page table)
  PUTS "ad"
  HEX32 [dword PTE(0x20000)]
  mov eax, [dword 0x20000]
  HEX32 eax
  HEX32 [dword PTE(0x20000)]
  mov dword [dword 0x20004], 0xabcdef01
  HEX32 [dword PTE(0x20000)]
  HEX32 [dword PD]
  HEX32 [dword 0x30004]
  call putnl

  ; INVLPG: remap 0x21000 to another frame; after INVLPG the new frame is read
  PUTS "invlpg"
  HEX32 [dword 0x21000]
  mov dword [dword PTE(0x21000)], 0x32000 | 0x003
  invlpg [dword 0x21000]
  HEX32 [dword 0x21000]
  ; MOV CR3 flushes non-global translations
  mov dword [dword PTE(0x21000)], 0x33000 | 0x003
  mov eax, cr3
  mov cr3, eax
  HEX32 [dword 0x21000]
  call putnl

  ; CR0.WP = 0: a supervisor write to a read-only page succeeds and sets D
  PUTS "wp0"
  mov dword [dword 0x22000], 0x66666666
  HEX32 [dword 0x32000]
  HEX32 [dword PTE(0x22000)]
  call putnl

  ; without CR4.PSE, PDE.PS is ignored: the PDE points to a page table
  mov dword [dword PT4], 0x34000 | 0x003
  mov dword [dword PD + 4*4], PT4 | 0x083
  PUTS "ps-ignored"
  HEX32 [dword 0x1000000]
  call putnl

  ; 4 MiB pages: 0x400000 -> 0x800000, and 0x800000 and 0xc00000 identity
  mov dword [dword PD + 4*1], 0x800000 | 0x083
  mov dword [dword PD + 4*2], 0x800000 | 0x083
  mov dword [dword PD + 4*3], 0xc00000 | 0x083
  mov eax, cr4
  or eax, 0x10
  mov cr4, eax            ; PSE (flushes the TLB)
  PUTS "pse"
  mov dword [dword 0x401234], 0x77777777
  mov dword [dword 0xc01234], 0x88888888
  HEX32 [dword 0x801234]
  HEX32 [dword PD + 4*1]
  HEX32 [dword PD + 4*3]
  HEX32 [dword PD + 4*2]
  call putnl
  ; INVLPG of another 4 KiB piece of the 4 MiB page invalidates all of it
  PUTS "invlpg-4m"
  HEX32 [dword 0x401234]
  HEX32 [dword 0x7ff000]
  mov dword [dword PD + 4*1], 0xc00000 | 0x083
  invlpg [dword 0x602000]
  HEX32 [dword 0x401234]
  HEX32 [dword 0x7ff000]
  call putnl
  PUTS "done"
  call putnl
  EXIT 0
ROM_END
