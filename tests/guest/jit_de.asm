; The translator's #DE where qemu cannot be the reference (jit.test.ts): IDIV of
; its width's INT_MIN by -1, which qemu 7.2 itself dies of (a host SIGFPE: its
; helper divides in C), and a wasm i32.div_s or i64.div_s would trap on. SDM
; vol. 2 IDIV: the quotient (2^31, 2^15, 2^7) does not fit, so #DE; a fault
; names the instruction and leaves the registers as they were. The 8-bit form
; and a quotient that just fits are here beside them.
;
; Each case runs three times in a loop (the harness translates a block from its
; second execution: run 1 is interpreted, runs 2 and 3 translated) and prints
;   NAME V EIP-offset EAX EDX
; V the vector taken (ff: none), the offset from the divide to the EIP it
; pushed, and EAX, EDX as the handler found them (or after the divide).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"
%include "jit-case.inc"

DE_V    equ 0x41000        ; the vector taken
DE_EIP  equ 0x41004        ; the EIP it pushed
DE_EAX  equ 0x41008
DE_EDX  equ 0x4100c
DE_RES  equ 0x41010        ; where the handler goes on
MEM     equ 0x41020        ; a memory divisor
N       equ 0x41024        ; runs left

main:
  jmp pm_enter

; DESTART, the loads of the dividend and divisor, DETEST name, instruction: run
; the loads and the instruction three times, printing what it did each time
%macro DESTART 0
  %push de
  mov dword [N], 3
%$run:
%endmacro
%macro DETEST 2+
  mov dword [DE_V], 0xff
  mov dword [DE_RES], %$after + ROMB
%$insn:
  %2
  mov [DE_EAX], eax
  mov [DE_EDX], edx
  mov dword [DE_EIP], %$insn + ROMB
%$after:
  CASE_SHOW %1, DE_V, DE_EIP, DE_EAX, DE_EDX
%endmacro

bits 32
main32:
  mov word [IDT_A + 0 * 8], de_handler

  ; 32 bits: EDX:EAX = -2^63, by -1 in a register and in memory
  DESTART
  mov edx, 0x80000000
  xor eax, eax
  mov ecx, -1
  DETEST "idiv32r", idiv ecx
  DESTART
  mov edx, 0x80000000
  xor eax, eax
  mov dword [MEM], -1
  DETEST "idiv32m", idiv dword [MEM]
  ; 16 bits: DX:AX = -2^31 (the upper halves of EAX, EDX stay)
  DESTART
  mov edx, 0x11118000
  mov eax, 0x22220000
  mov cx, 0xffff
  DETEST "idiv16r", idiv cx
  DESTART
  mov edx, 0x11118000
  mov eax, 0x22220000
  mov word [MEM], 0xffff
  DETEST "idiv16m", idiv word [MEM]
  ; 8 bits: AX = -2^15
  DESTART
  mov eax, 0x33338000
  mov edx, 0x44444444
  mov cl, 0xff
  DETEST "idiv8r", idiv cl
  ; -2^31 / -1 does not fit either; -2^31 / 1 does (EAX = 80000000, EDX = 0)
  DESTART
  mov edx, 0xffffffff
  mov eax, 0x80000000
  mov ecx, -1
  DETEST "idiv32q", idiv ecx
  DESTART
  mov edx, 0xffffffff
  mov eax, 0x80000000
  mov ecx, 1
  DETEST "idiv32ok", idiv ecx
  PUTS32 "end"
  call putnl32
  EXIT 0

; #DE (vector 0, an interrupt gate): note the EIP and registers, go on at DE_RES
de_handler:
  mov dword [DE_V], 0
  mov [DE_EAX], eax
  mov [DE_EDX], edx
  pop eax
  mov [DE_EIP], eax
  push dword [DE_RES]
  mov eax, [DE_EAX]
  iretd

  ROM_END
