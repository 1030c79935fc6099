bits 32
; Micro-benchmark: the fixed cost of an instruction (fetch, dispatch, the checks
; around it): NOPs and register-to-register MOV/ADD, nothing touching memory.
; Per outer iteration: 1024 loops of 18 instructions.
%include "micro.inc"
bench_body:
  shl ecx, 10
  xor eax, eax
  mov ebx, 0x01234567
.l:
  nop
  nop
  nop
  nop
  nop
  nop
  nop
  nop
  mov edx, ebx
  mov edx, ebx
  mov edx, ebx
  mov edx, ebx
  add eax, ebx
  add eax, ebx
  add eax, ebx
  add eax, ebx
  dec ecx
  jnz .l
  ret
ROM_END
