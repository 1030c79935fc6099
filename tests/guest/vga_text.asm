; Mode 3 (80x25 text, 9-dot characters) by registers, with fonts loaded into
; plane 2 through A0000 as a VGA BIOS does (two character maps, chosen by the
; attribute's bit 3), every character and attribute on screen, the start address
; moved by one row. The cursor is off: QEMU blinks it by its clock. The host
; compares the monitor's screendump with qemu-system-i386's (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, mode3_regs
  call set_regs
  call set_dac
  ; font load: plane 2 only, sequential addressing, A0000 64 KiB
  SQ 2, 0x04
  SQ 4, 0x07
  GC 4, 0x02
  GC 5, 0x00
  GC 6, 0x04
  mov ax, 0xa000
  mov es, ax
  xor di, di                  ; map 0 (offset 0): glyph c row r = (7c + 29r) ^ (r << 4)
  xor bx, bx                  ; bx = c * 32 + r
.f0:
  mov ax, bx
  shr ax, 5                   ; c
  mov cl, 7
  mul cl
  mov dx, bx
  and dx, 31                  ; r
  mov cl, 29
  push ax
  mov al, dl
  mul cl
  mov cl, al
  pop ax
  add al, cl
  mov cl, dl
  shl cl, 4
  xor al, cl
  mov [es:bx], al
  inc bx
  cmp bx, 256 * 32
  jb .f0
  xor bx, bx                  ; map 1 (offset 16 KiB): glyph c row r = c ^ 10101010b >> (r & 3)
.f1:
  mov ax, bx
  shr ax, 5
  mov cx, bx
  and cl, 3
  mov ah, 0xaa
  shr ah, cl
  xor al, ah
  mov [es:bx + 0x4000], al
  inc bx
  cmp bx, 256 * 32
  jb .f1
  ; back to text: odd/even, B8000
  SQ 2, 0x03
  SQ 4, 0x02
  GC 4, 0x00
  GC 5, 0x10
  GC 6, 0x0e
  SQ 3, 0x04                  ; map A (attribute bit 3 = 1) = 1, map B = 0
  mov ax, 0xb800
  mov es, ax
  xor di, di
  xor cx, cx                  ; cell i: character i, attribute 13i + 5
.t:
  mov al, cl
  stosb
  mov al, cl
  mov bl, 13
  mul bl
  add al, 5
  stosb
  inc cx
  cmp cx, 80 * 26
  jb .t
  mov dx, 0x3d4               ; start address: one row down
  mov ax, (80 << 8) | 0x0d
  out dx, ax
  mov ax, 0x200a              ; cursor off
  out dx, ax
  mov al, [es:161]            ; odd/even read back: attribute of cell 80
  call puthex8
  call putnl
  DONE

ROM_END
