; The return address of a translated block's CALL is warmed (asm/cpu/jit.ts
; warmReturns): it is translated after a quarter of the usual runs. A loop
; whose start and callee are long (40 instructions each: the run loop
; weighs such a start, and translates it after about 364 runs) CALLs a
; routine on the next page; the code the callee RETurns to is short
; (3 instructions, each run counted once). Run 3000 times at the default
; threshold of 4000, that return address is translated only if it was
; warmed (jit.test.ts looks for its block).
; Lines: the return address; the sum in EAX.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

DEST    equ 0x30000             ; the loop is copied here (RAM), its callee 1000h on
ROUNDS  equ 3000

main:
  jmp pm_enter

bits 32
main32:
  mov esi, ROMB + tmpl
  mov edi, DEST
  mov ecx, tmpl_end - tmpl
  rep movsb
  mov eax, DEST + (back - tmpl)
  HEX32_32 eax
  call putnl32
  xor eax, eax
  mov ecx, DEST
  call ecx
  HEX32_32 eax
  call putnl32
  EXIT 0

; position-independent: run at DEST
tmpl:
  mov ebp, ROUNDS
loop_top:
%rep 20
  add eax, ebp
  rol eax, 3
%endrep
  call callee
back:                           ; where the callee returns: 3 instructions a run
  xor eax, ebp
  dec ebp
  jnz loop_top
  ret
  times 0x1000 - ($ - tmpl) db 0x90
callee:                         ; on the next page: the CALL ends the loop's block
%rep 20
  add eax, 0x9e3779b9
  ror eax, 5
%endrep
  ret
tmpl_end:

  ROM_END
