; The block cache (asm/cpu/jit.ts) with more hot starts than a set has slots:
; jitcache.test.ts chooses three physical addresses whose starts map to one
; set of the cache and writes them at STARTS before the first instruction.
; Here each gets a two-byte function, INC EAX; RET, and a loop calls the three
; in turn ROUNDS times; then EAX (3 * ROUNDS) is printed. Each function is
; hot (the harness translates from a start's second execution), so each is to
; be translated, though the set holds two.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

STARTS  equ 0x800          ; three dwords: where the functions go
ROUNDS  equ 20

main:
  jmp pm_enter

bits 32
main32:
  mov esi, STARTS
  mov ecx, 3
.copy:
  mov edi, [esi]
  mov word [edi], 0xc340   ; inc eax (40), ret (C3)
  add esi, 4
  loop .copy
  xor eax, eax
  mov ebx, ROUNDS
.round:
  call [STARTS]
  call [STARTS + 4]
  call [STARTS + 8]
  dec ebx
  jnz .round
  HEX32_32 eax
  call putnl32
  EXIT 0

  ROM_END
