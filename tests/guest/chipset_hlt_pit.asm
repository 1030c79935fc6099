; HLT with IF=1 is woken by IRQ0 from the 8254 through the 8259A (real-mode IVT);
; the handler reports the in-service register and exits. Same output as qemu.
%include "lib/rom.inc"
%include "lib/hexraw.inc"
%macro PIT_WAIT 0
  hlt
%endmacro
%include "lib/pitwait.inc"
