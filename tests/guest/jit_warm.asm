; When the translator takes a block start (asm/cpu/jit.ts jitRun, weighCounted):
; a start is counted once per execution and once more per 4 instructions the
; interpreter ran from it. jit.test.ts runs this with a threshold of 100: LONG
; (41 instructions to its RET) counts 11 an execution and is translated within
; its 30 calls; SHORT (2) counts 1 and is not within its 90. The guest prints
; "long" and "short" after each run of calls, where the test reads the
; machine's count of translated instructions.
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

main:
  jmp pm_enter

bits 32
main32:
  xor eax, eax
  mov ecx, 30
.l:
  push ecx
  call r_long
  pop ecx
  loop .l
  PUTS32 "long"
  HEX32_32 eax
  call putnl32
  mov ecx, 90
.s:
  push ecx
  call r_short
  pop ecx
  loop .s
  PUTS32 "short"
  HEX32_32 eax
  call putnl32
  EXIT 0

r_long:
%rep 20
  add eax, ecx
  xor eax, 0x5a5a5a5a
%endrep
  ret

r_short:
  add eax, ecx
  ret

  ROM_END
