; MWAIT with IF=1 is woken by IRQ0 from the 8254 through the 8259A, as HLT
; (sse.test.ts; chipset_hlt_pit.asm with MONITOR/MWAIT). Same output as qemu -cpu coreduo.
%include "lib/rom.inc"
%include "lib/hexraw.inc"
cpu prescott
%macro PIT_WAIT 0
  xor eax, eax
  xor ecx, ecx
  xor edx, edx
  monitor
  mwait
%endmacro
%include "lib/pitwait.inc"
