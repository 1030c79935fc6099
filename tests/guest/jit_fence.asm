; LFENCE, MFENCE and SFENCE inside translated blocks (jit.test.ts). With their
; CPUID feature (SSE2 for LFENCE and MFENCE, SSE for SFENCE) they do nothing
; here, where memory is coherent and in program order; without it they are
; #UD (SDM vol. 2 LFENCE, MFENCE, SFENCE: neither CR0 nor CR4 matters to them).
; CR4.OSFXSR is set, so that a block's SSE checks pass and the fences take the
; translated path; the -cpu model decides the features.
;
; Each case runs three times in a loop (the harness translates a block from its
; second execution: run 1 is interpreted, runs 2 and 3 translated) and prints
;   NAME V EIP-offset ECX
; V the vector taken (ff: none), the offset from the fence to the EIP it
; pushed, and ECX (1 before the fence, 2 after it).
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"
%include "jit-case.inc"

UD_V    equ 0x41000        ; the vector taken
UD_EIP  equ 0x41004        ; the EIP it pushed
UD_ECX  equ 0x41008
UD_RES  equ 0x41010        ; where the handler goes on
N       equ 0x41024        ; runs left

main:
  jmp pm_enter

%macro FENCE 2+
  %push f
  mov dword [N], 3
%$run:
  mov dword [UD_V], 0xff
  mov dword [UD_RES], %$after + ROMB
  mov ecx, 1
%$insn:
  %2
  mov ecx, 2
  mov [UD_ECX], ecx
  mov dword [UD_EIP], %$insn + ROMB
%$after:
  CASE_SHOW %1, UD_V, UD_EIP, UD_ECX
%endmacro

bits 32
main32:
  mov word [IDT_A + 6 * 8], ud_handler
  mov eax, cr4
  or eax, 0x200            ; OSFXSR
  mov cr4, eax
  FENCE "lfence", lfence
  FENCE "mfence", mfence
  FENCE "sfence", sfence
  PUTS32 "end"
  call putnl32
  EXIT 0

; #UD (vector 6, an interrupt gate): note the EIP and ECX, go on at UD_RES
ud_handler:
  mov dword [UD_V], 6
  mov [UD_ECX], ecx
  pop eax
  mov [UD_EIP], eax
  push dword [UD_RES]
  iretd

  ROM_END
