; A local descriptor table (SDM vol. 3 §3.5.1) for the inspector's LDT decoding
; (web/host/inspect.ts ldt(), tests/guest/ldt.test.ts): six descriptors of
; different kinds copied from `ldt_bytes` to 4000h, an LDT descriptor for them in
; the GDT (selector 40h), LLDT, then ES loaded from LDT entry 3 (selector 1Ch)
; and used. After the LLDT the GDT's LDT descriptor is changed to name another
; table: LDTR keeps the base and limit it cached, and so must the decoding.
; Prints what the LDT segment wrote and the accessed bit the load set.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define LDT_BASE   0x4000
%define LDT_COUNT  6
%define SEL_LDT    0x40
%define SEL_LDT_ES 0x1c      ; index 3, TI = 1 (LDT), RPL 0

main:
  mov sp, 0x7000
  PM_ENTER
  mov esi, ldt_bytes + 0xf0000
  mov edi, LDT_BASE
  mov ecx, LDT_COUNT * 2
  cld
  rep movsd
  SET_DESC SEL_LDT, LDT_BASE, LDT_COUNT * 8 - 1, ACC_LDT, 0
  mov ax, SEL_LDT
  lldt ax
  ; The GDT entry now names a one-entry table at 4800h; LDTR still has 4000h.
  SET_DESC SEL_LDT, 0x4800, 7, ACC_LDT, 0
  mov ax, SEL_LDT_ES
  mov es, ax
  mov dword [es:0x10], 0x5a5aa5a5
  PPUTS "ldt es:10h -> [100010h]="
  mov eax, [0x100010]
  call phex32
  PPUTS " access byte="
  mov al, [LDT_BASE + 3 * 8 + 5]
  call phex8
  PPUTS " sldt="
  sldt ax
  call phex16
  call pnl
ldt_done:
  EXIT 0

ldt_gate_target:
  ret

section .rodata
align 8
; Each: limit 15:0, base 15:0, base 23:16, access (P DPL S type), G D/B L AVL
; limit 19:16, base 31:24 (SDM vol. 3 figure 3-8).
ldt_bytes:
  ; 0 (sel 04h): 16-bit read-only data, DPL 0, base 20000h, limit FFFh
  dw 0x0fff, 0x0000
  db 0x02, 0x90, 0x00, 0x00
  ; 1 (sel 0Ch): 32-bit execute-only conforming code, DPL 3, base F0000h, limit FFFFh
  dw 0xffff, 0x0000
  db 0x0f, 0xfc, 0x40, 0x00
  ; 2 (sel 14h): 32-bit expand-down writable data, DPL 3, 4 KiB granular,
  ;   base 12345678h, limit ABCDEh pages
  dw 0xbcde, 0x5678
  db 0x34, 0xf6, 0xca, 0x12
  ; 3 (sel 1Ch): 32-bit writable data, DPL 0, base 100000h, limit FFFFFh bytes,
  ;   not yet accessed (MOV ES sets the bit)
  dw 0xffff, 0x0000
  db 0x10, 0x92, 0x4f, 0x00
  ; 4 (sel 24h): 32-bit call gate, DPL 3, to 08h:ldt_gate_target, 2 parameters
  dw ldt_gate_target, SEL_CODE0
  db 0x02, 0xec
  dw 0x0000
  ; 5 (sel 2Ch): 16-bit writable data, DPL 2, not present, base 50000h, limit 1234h
  dw 0x1234, 0x0000
  db 0x05, 0x52, 0x00, 0x00
section .text
ROM_END
