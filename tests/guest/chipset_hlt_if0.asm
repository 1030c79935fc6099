; HLT with interrupts disabled (IF=0 from reset): the machine halts for good.
%include "lib/rom.inc"
main:
  PUTS "halt"
  hlt
  EXIT 1
ROM_END
