; Translations that wait for their wasm module (asm/cpu/jit.ts HOST_WAITING):
; at a threshold of 1000 (jit.test.ts) a start the translator took waits, run
; by the interpreter, until the host has 16 blocks for one module, the start
; has run 1000/16 more times, or the run slice ends.
; 1. Twenty routines grow hot together: sixteen fill a module, the other four
;    are installed when one of them has run its 62 more times. EAX sums all.
; 2. SMC, a routine copied to RAM (its own page), is called until the
;    translator takes it and a few times more, fewer than 62: its translation
;    waits. Then its MOV's immediate is rewritten, which must drop the waiting
;    translation (its page watched for writes from the translation on): had it
;    been installed after the write, the routine would return the old value.
;    The output is the old value, then the new one at every later call.
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

SMC equ 0x20000                 ; SMC's copy: MOV EAX, imm32 (B8 imm); RET

main:
  jmp pm_enter

bits 32
main32:
  ; 1. twenty routines, 1200 rounds
  xor eax, eax
  mov ecx, 1200
.round:
%assign i 0
%rep 20
  call r_%[i]
%assign i i+1
%endrep
  dec ecx
  jnz .round
  PUTS32 "sum"
  HEX32_32 eax
  call putnl32
  ; 2. SMC: 1020 calls (taken at about its 1001st), a write, 1200 more
  mov esi, smc + ROMB
  mov edi, SMC
  mov ecx, smc_end - smc
  rep movsb
  mov ecx, 1020
.before:
  mov edx, SMC
  call edx
  dec ecx
  jnz .before
  HEX32_32 eax
  mov dword [SMC + 1], 0x22222222
  xor ebx, ebx
  mov ecx, 1200
.after:
  mov edx, SMC
  call edx
  cmp eax, 0x22222222
  jne .wrong
  inc ebx
.wrong:
  dec ecx
  jnz .after
  HEX32_32 ebx
  call putnl32
  EXIT 0

%assign i 0
%rep 20
r_%[i]:
  add eax, ecx
  rol eax, (i % 7) + 1
  xor eax, 0x1000193 * (i + 1)
  ret
%assign i i+1
%endrep

smc:
  mov eax, 0x11111111
  ret
smc_end:

  ROM_END
