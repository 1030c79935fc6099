; "Mode X" (320x240x256, unchained): each plane written through the map mask,
; four pixels at once with all planes, the start address moved down 8 lines; the
; host compares screendumps with qemu-system-i386 (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, modex_regs
  call set_regs
  call set_dac
  mov ax, 0xa000
  mov es, ax
  SQ 2, 0x0f                  ; clear all four planes
  xor di, di
  xor ax, ax
  mov cx, 0x8000
  rep stosw
  mov bl, 0                   ; plane
.plane:
  mov dx, 0x3c4
  mov al, 2
  mov cl, bl
  mov ah, 1
  shl ah, cl
  out dx, ax                  ; map mask: this plane
  xor di, di
.px:                          ; pixel (4a + p) at address a: (a + 37p) & FFh
  mov ax, di
  mov al, bl
  mov ah, 37
  mul ah
  add ax, di
  stosb
  cmp di, 80 * 256
  jb .px
  inc bl
  cmp bl, 4
  jb .plane
  SQ 2, 0x0f                  ; a bar with all planes: 4 pixels a byte
  mov di, 80 * 50 + 10
  mov cx, 40
  mov al, 0xfe
  rep stosb
  SQ 2, 0x09                  ; planes 0 and 3 only
  mov di, 80 * 52 + 10
  mov cx, 40
  mov al, 0x01
  rep stosb
  mov dx, 0x3d4               ; start address = 8 lines down
  mov ax, ((80 * 8) & 0xff00) | 0x0c
  out dx, ax
  mov ax, (((80 * 8) & 0xff) << 8) | 0x0d
  out dx, ax
  GC 4, 2                     ; read map 2 at address 5
  mov al, [es:5]
  call puthex8
  call putnl
  DONE

ROM_END
