; Smallest end-to-end check: reset vector, real-mode fetch, MOV, OUT to 0xE9,
; a near and a far jump, and the exit port.
%include "lib/rom.inc"
main:
  mov ax, 0x1234
  mov bl, 0x56
  PUTS "smoke "
  jmp short .a
  PUTS "not here"
.a:
  jmp 0xf000:.b
.b:
  mov eax, 0xdeadbeef
  call puthex32
  call putnl
  EXIT 0
ROM_END
