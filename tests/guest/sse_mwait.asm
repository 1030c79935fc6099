; MWAIT with interrupts disabled waits as HLT does: the machine halts after
; MONITOR and MWAIT and never prints "after" (sse.test.ts). Written for this project.
%include "lib/rom.inc"
cpu prescott

main:
  cli
  xor eax, eax
  mov ds, ax
  xor ecx, ecx
  xor edx, edx
  monitor
  PUTS "before"
  mwait
  PUTS "after"
  EXIT 0
ROM_END
