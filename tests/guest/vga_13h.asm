; Mode 13h (320x200x256, chain-4) by registers: a pattern through A0000, a row
; written with the map mask on planes 0 and 2 only, the DAC set; the host compares
; the monitor's screendump with qemu-system-i386's (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, mode13h_regs
  call set_regs
  call set_dac
  mov ax, 0xa000
  mov es, ax
  xor di, di
.fill:                        ; pixel at offset o: (o ^ (o >> 8)) & FFh
  mov ax, di
  xor al, ah
  stosb
  cmp di, 64000
  jb .fill
  SQ 2, 0x05                  ; chain-4 map mask: planes 0 and 2 (x mod 4 = 0, 2)
  mov di, 100 * 320
  mov cx, 320
  mov al, 0xff
  rep stosb
  SQ 2, 0x0f
  mov di, 120 * 320 + 40      ; word and dword stores
  mov cx, 60
  mov ax, 0x2010
  rep stosw
  mov di, 121 * 320 + 40
  mov cx, 30
  mov eax, 0x80706050
  rep stosd
  mov al, [es:120 * 320 + 41] ; chain-4 read back
  call puthex8
  call putnl
  DONE

ROM_END
