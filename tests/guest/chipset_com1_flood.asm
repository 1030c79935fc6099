; Writes 6000 bytes to COM1 as fast as it can: the TX ring passes half full and
; the machine stops with STOP_OUTPUT so the host can drain it.
%include "lib/rom.inc"
main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov dx, 0x3f8
  mov cx, 6000
  mov al, 'x'
.l:
  out dx, al
  dec cx
  jnz .l
  EXIT 0
ROM_END
