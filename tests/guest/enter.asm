; ENTER and LEAVE in 32-bit protected mode against SDM vol. 2 (ENTER, LEAVE
; pseudo-code), compared with qemu -cpu pentium2:
;  - every operand size x stack size (o16/o32 on a 32-bit flat SS and on a
;    16-bit SS, B = 0), nesting levels 0, 1, 3 and 33 (taken mod 32): EBP and
;    ESP after ENTER, the frame it wrote, EBP and ESP after LEAVE. With a
;    32-bit operand on a 16-bit stack FrameTemp is the whole ESP, upper half
;    included; ESP's and EBP's upper halves are set apart from zero to show it.
;  - "ebp-hi" lines: EBP's upper half differs from ESP's, so that EBP <-
;    FrameTemp is seen to go by operand size (BP only for o16; all of ESP for
;    o32); the test also checks these against values worked out from the SDM.
;  - #PF on ENTER's accesses in a ring-3 frame that reaches down into a
;    supervisor page (a push, a straddling push, a read of the old frame's
;    display): vector, error code, CR2, and EIP, ESP, EBP as the fault left them
;    (all as before the ENTER).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN enter_main
%include "sys-pm.inc"

SEL_STK16 equ 0x30                 ; 16-bit data segment (B = 0), base STK16_BASE
STK16_BASE equ 0x20000
PD      equ 0x10000
PT0     equ 0x11000
SUPPAGE equ 0x40000                ; the supervisor page under the ring-3 frames
V_EBP   equ 0x800                  ; EBP, ESP after ENTER; after LEAVE
V_ESP   equ 0x804
V_EBP2  equ 0x808
V_ESP2  equ 0x80c
F_EBP   equ 0x810                  ; EBP and ring-3 ESP when the #PF was taken
F_ESP   equ 0x814

; linear address of stack offset %2 in SS %1
%define LIN(s, x) ((s) == SEL_STK16 ? STK16_BASE + ((x) & 0xffff) : (x))

; CASE "name", o16|o32, SS, ESP, EBP, alloc, level
%macro CASE 7
  PUTS32 %1
  ; the frame area: a pattern; the old frame's display: three dwords under EBP
  mov edi, LIN(%3, %4) - 32
%%fill:
  mov dword [edi], 0xeeeeeeee
  add edi, 4
  cmp edi, LIN(%3, %4)
  jne %%fill
  mov dword [LIN(%3, %5) - 4], 0x11112222
  mov dword [LIN(%3, %5) - 8], 0x33334444
  mov dword [LIN(%3, %5) - 12], 0x55556666
  mov ax, %3
  mov ss, ax
  mov esp, %4
  mov ebp, %5
  %2 enter %6, %7
  mov [V_EBP], ebp
  mov [V_ESP], esp
  %2 leave
  mov [V_EBP2], ebp
  mov [V_ESP2], esp
  mov ax, 0x10
  mov ss, ax
  mov esp, STACK0
  HEX32_32 [V_EBP]
  HEX32_32 [V_ESP]
  PUTS32 " |"
  mov edi, LIN(%3, %4) - 24
%%dump:
  HEX32_32 [edi]
  add edi, 4
  cmp edi, LIN(%3, %4)
  jne %%dump
  PUTS32 " |"
  HEX32_32 [V_EBP2]
  HEX32_32 [V_ESP2]
  call putnl32
%endmacro

; PF "name", ring-3 code label: run it at CPL 3, report the fault and the
; registers it left
%macro PF 2
  PUTS32 %1
  mov dword [RES32], %%after + ROMB
  mov dword [VEC32], 0xffffffff
  RING3 %2
%%after:
  mov [F_EBP], ebp                 ; untouched by pm_common
  mov eax, [STACK0 - 8]            ; ring-3 ESP in the #PF frame
  mov [F_ESP], eax
  call pm_print_vec
  PUTS32 " eip="
  mov eax, [EIP32]
  sub eax, ROMB
  call pm_hex_nosp
  HEX32_32 [F_ESP]
  HEX32_32 [F_EBP]
  call putnl32
%endmacro

main:
  jmp pm_enter

bits 32
enter_main:
  ; a 16-bit stack segment: GDT entry 30h, base 20000h, limit FFFFh, B = 0
  mov dword [GDT_A + SEL_STK16], 0x0000ffff | ((STK16_BASE & 0xffff) << 16)
  mov dword [GDT_A + SEL_STK16 + 4], 0x00009200 | ((STK16_BASE >> 16) & 0xff)
  lgdt [enter_gdtr + ROMB]

  CASE "o16 s32 L0", o16, 0x10, 0x00018000, 0x00017f00, 4, 0
  CASE "o16 s32 L1", o16, 0x10, 0x00018000, 0x00017f00, 4, 1
  CASE "o16 s32 L3", o16, 0x10, 0x00018000, 0x00017f00, 4, 3
  CASE "o32 s32 L0", o32, 0x10, 0x00018000, 0x00017f00, 4, 0
  CASE "o32 s32 L1", o32, 0x10, 0x00018000, 0x00017f00, 4, 1
  CASE "o32 s32 L3", o32, 0x10, 0x00018000, 0x00017f00, 4, 3
  CASE "o32 s32 L33", o32, 0x10, 0x00018000, 0x00017f00, 0, 33
  CASE "o16 s16 L0", o16, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 0
  CASE "o16 s16 L1", o16, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 1
  CASE "o16 s16 L3", o16, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 3
  CASE "o32 s16 L0", o32, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 0
  CASE "o32 s16 L1", o32, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 1
  CASE "o32 s16 L3", o32, SEL_STK16, 0x5a5a8000, 0x5a5a7f00, 4, 3
  CASE "o16 s32 L3 ebp-hi", o16, 0x10, 0x00018000, 0x00027f00, 4, 3
  CASE "o32 s16 L3 ebp-hi", o32, SEL_STK16, 0x5a5a8000, 0x11117f00, 4, 3

  ; paging: 0-4 MiB identity-mapped for user access but SUPPAGE (supervisor)
  mov edi, PT0
  mov eax, 0x007
.fill:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 0x1000
  jne .fill
  mov edi, PD
.clr:
  mov dword [edi], 0
  add edi, 4
  cmp edi, PD + 0x1000
  jne .clr
  mov dword [PD], PT0 | 0x007
  mov dword [PT0 + (SUPPAGE >> 12) * 4], SUPPAGE | 0x003
  mov dword [SUPPAGE + 0x10fc], 0x0004fffc   ; displays read by the ring-3 frames
  mov dword [SUPPAGE + 0x10f8], 0x0004fff8
  mov dword [SUPPAGE + 0x1000], 0x0004f000
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  PF "pf o32 L3 push", pf_o32_push
  PF "pf o16 L8 push", pf_o16_push
  PF "pf o32 L0 split", pf_o32_split
  PF "pf o32 L3 read", pf_o32_read
  PF "pf o16 L0 ok", pf_o16_ok
  EXIT 0

; Ring 3 (flat 23h, 32-bit stack): ENTER frames ending at SUPPAGE + 1000h.
pf_o32_push:                       ; pushes at +1004, +1000, then +0FFC faults
  mov esp, SUPPAGE + 0x1008
  mov ebp, SUPPAGE + 0x1100
  enter 4, 3
  int 0x80
pf_o16_push:                       ; words from +1006 down; +0FFE faults
  mov esp, SUPPAGE + 0x1008
  mov ebp, SUPPAGE + 0x1100
  o16 enter 0, 8
  int 0x80
pf_o32_split:                      ; the push of EBP straddles into SUPPAGE
  mov esp, SUPPAGE + 0x1002
  mov ebp, 0x12345678
  enter 0, 0
  int 0x80
pf_o32_read:                       ; the display read at EBP - 8 faults (read)
  mov esp, SUPPAGE + 0x1100
  mov ebp, SUPPAGE + 0x1004
  enter 0, 3
  int 0x80
pf_o16_ok:                         ; stays in the user page: no fault (INT 80h)
  mov esp, SUPPAGE + 0x1008
  mov ebp, SUPPAGE + 0x1100
  o16 enter 0, 3
  int 0x80

enter_gdtr: dw 0x37
            dd GDT_A
bits 16
ROM_END
