; Conditions read where the translator does not know which operation last set
; the flags (web/jit/emitter.ts flagAtRunTime): PROBE is reached by an indirect
; CALL, so it starts a block of its own, and its SETcc and ADC find the flag
; state as the caller left it - lazy from an ADD, ADC, SUB, SBB, logic
; operation, INC/DEC (CF kept), a shift (CF set eagerly), of 8, 16 or 32 bits
; with the register's other bits set, or set outright (STC, POPF). Each case
; runs three times (jit.test.ts translates a block from its second run); the
; output is compared with qemu's.
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

main:
  jmp pm_enter

bits 32
; CASE {instruction}, {instruction}...: a case's flag-setting instructions,
; then the probe; three times.
%macro CASE 1-4
  mov ebp, 3
%%again:
  mov eax, 0x12345601
  mov edx, 0xabcdef02
  %rep %0
  %1
  %rotate 1
  %endrep
  mov esi, probe + ROMB
  call esi
  dec ebp
  jnz %%again
  call putnl32
%endmacro

main32:
  CASE {mov al, 0xff}, {add al, 1}                ; CF ZF, 8 bits
  CASE {add al, 0x7f}                             ; SF, 8 bits
  CASE {mov ax, 0xffff}, {add ax, 1}              ; CF ZF, 16 bits
  CASE {add eax, 0xedcba9ff}                      ; CF ZF, 32 bits
  CASE {add eax, 1}                               ; none
  CASE {stc}, {mov eax, -1}, {adc eax, 0}         ; carry-in: CF ZF
  CASE {stc}, {adc al, 0xfe}                      ; carry-in: CF ZF, 8 bits
  CASE {clc}, {adc ax, 0xa9fe}                    ; no carry-in, 16 bits
  CASE {sub al, dl}                               ; 01 - 02: CF SF, 8 bits
  CASE {cmp dl, al}                               ; 02 - 01: none
  CASE {sub ax, 0x5601}                           ; ZF, 16 bits
  CASE {cmp eax, edx}                             ; CF, 32 bits
  CASE {stc}, {sbb al, 0x01}                      ; borrow-in: 01 - 01 - 1
  CASE {stc}, {sbb eax, 0x12345600}               ; borrow-in: ZF
  CASE {clc}, {sbb dx, ax}                        ; no borrow-in, 16 bits
  CASE {and eax, edx}                             ; logic: CF clear
  CASE {xor al, al}                               ; logic: ZF, 8 bits
  CASE {or dx, 0x8000}                            ; logic: SF, 16 bits
  CASE {stc}, {inc eax}                           ; CF kept set
  CASE {clc}, {mov al, 0xff}, {inc al}            ; ZF, CF kept clear
  CASE {stc}, {dec dx}                            ; 16 bits, CF kept
  CASE {shl eax, 4}                               ; CF from the shift, SF ZF lazy
  CASE {shr al, 1}                                ; CF 1, 8 bits
  CASE {push 0x0c3}, {popfd}                      ; set outright: SF ZF CF
  CASE {push 0x002}, {popfd}                      ; all clear
  CASE {neg al}                                   ; CF SF
  EXIT 0

; B, Z, S, BE and CF by ADC, from flags this block did not set.
probe:
  setb [result]
  setz [result + 1]
  sets [result + 2]
  setbe [result + 3]
  mov ecx, 0
  adc ecx, 0x10
  HEX32_32 [result]
  HEX32_32 ecx
  ret

result: equ 0x60000

  ROM_END
