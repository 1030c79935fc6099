; Mode 0Dh (320x200x16) by registers: two pages drawn with write mode 2 (page 0
; at A000:0000, page 1 at A000:2000), the display started at page 1 and split by
; the line compare register (scan line 150: below it, page 0 from address 0);
; the host compares the monitor's screendump with qemu-system-i386's
; (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, mode0dh_regs
  call set_regs
  call set_dac
  mov ax, 0xa000
  mov es, ax
  GC 5, 0x02                  ; write mode 2
  xor di, di                  ; page 0: byte k colour k / 40 & 15, bit mask 0F0h then 0Fh
.p0:
  GC 8, 0xf0
  mov ax, di
  mov bl, 40
  div bl
  mov ah, [es:di]
  mov [es:di], al
  GC 8, 0x0f
  mov ah, [es:di]
  not al
  mov [es:di], al
  inc di
  cmp di, 8000
  jb .p0
  GC 8, 0xff
  mov di, 0x2000              ; page 1: colour (k ^ k >> 3) & 15, all bits
.p1:
  mov ax, di
  mov bx, ax
  shr bx, 3
  xor ax, bx
  mov [es:di], al
  inc di
  cmp di, 0x2000 + 8000
  jb .p1
  GC 5, 0x00
  mov dx, 0x3d4
  mov ax, 0x200c              ; start address 2000h
  out dx, ax
  mov ax, 0x000d
  out dx, ax
  mov ax, (150 << 8) | 0x18   ; line compare 150 (overflow bits clear)
  out dx, ax
  mov ax, 0x0f07              ; overflow: line compare bit 8 clear
  out dx, ax
  mov ax, 0x8009              ; max scan line: double scan, line compare bit 9 clear
  out dx, ax
  mov al, [es:0x2005]
  call puthex8
  call putnl
  DONE

ROM_END
