; Step over a recursive call (tests/guest/stepover.test.ts): rec calls itself
; through the same CALL until CX reaches 0, so the instruction after that CALL
; is reached first by the deepest call's return, then by each outer one.
%include "lib/rom.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov cx, 4
  xor dx, dx
  call rec
  PUTS "done"
  EXIT 0

rec:
  dec cx
  jz rec_base
  mov bx, sp
rec_call:
  call rec
rec_after:
  inc dx
rec_base:
  ret

ROM_END
