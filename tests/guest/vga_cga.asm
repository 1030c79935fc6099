; Mode 04h (320x200x4, CGA) by registers: even rows at B800:0000, odd rows at
; B800:2000, 2 bits a pixel; the host compares the monitor's screendump with
; qemu-system-i386's (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, mode04h_regs
  call set_regs
  call set_dac
  mov ax, 0xb800
  mov es, ax
  xor di, di                  ; even rows: byte k = k & FFh
.e:
  mov ax, di
  stosb
  cmp di, 8000
  jb .e
  mov di, 0x2000              ; odd rows: byte k = (k * 5) ^ 1Bh
.o:
  mov ax, di
  mov bl, 5
  mul bl
  xor al, 0x1b
  stosb
  cmp di, 0x2000 + 8000
  jb .o
  mov al, [es:0x2001]         ; odd/even read back
  call puthex8
  call putnl
  DONE

ROM_END
