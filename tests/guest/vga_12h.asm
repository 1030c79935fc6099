; Mode 12h (640x480x16, planar) by registers, drawn with write modes 0-3,
; set/reset, enable set/reset, data rotate, function select AND/OR/XOR, bit
; mask, map mask and latched copies; read modes 0 and 1 print what they return.
; The host compares the monitor's screendump with qemu-system-i386's
; (tests/guest/vga.test.ts).
%include "lib/rom.inc"
%include "vga_lib.inc"

%define ROW(y) ((y) * 80)

; fill_rows first, count: CX bytes from ES:DI with AL (a read before each write,
; so the latches hold the byte written over)
fill:
  push cx
.l:
  mov ah, [es:di]
  stosb
  loop .l
  pop cx
  ret

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov si, mode12h_regs
  call set_regs
  call set_dac
  mov ax, 0xa000
  mov es, ax
  ; clear: enable set/reset on all planes, colour 0
  GC 1, 0x0f
  GC 0, 0x00
  xor di, di
  mov cx, ROW(480)
  call fill
  ; write mode 0, set/reset colour 1 over rows 0-59
  GC 0, 0x01
  xor di, di
  mov cx, ROW(60)
  call fill
  ; bit mask F0h, colour 4 over rows 10-19: left half of each byte
  GC 0, 0x04
  GC 8, 0xf0
  mov di, ROW(10)
  mov cx, ROW(10)
  call fill
  GC 8, 0xff
  ; plain data rotated right by 2, planes 1 and 3 only, over rows 60-79
  GC 1, 0x00
  GC 3, 0x02
  SQ 2, 0x0a
  mov di, ROW(60)
  mov cx, ROW(20)
  mov al, 0x0f
  call fill
  SQ 2, 0x0f
  GC 3, 0x00
  ; enable set/reset on planes 0 and 2 only (colour 5), data 33h for planes 1 and 3
  GC 1, 0x05
  GC 0, 0x05
  mov di, ROW(80) + 20
  mov cx, 40
  mov al, 0x33
  call fill
  GC 1, 0x00
  ; write mode 2: colour from the data's low nibble, bit mask 81h, rows 100-119
  GC 5, 0x02
  GC 8, 0x81
  mov di, ROW(100)
  mov cx, ROW(20)
  mov al, 0x0e
  call fill
  ; write mode 3: bit mask = rotated data AND bit mask, colour from set/reset
  GC 5, 0x03
  GC 8, 0xff
  GC 0, 0x0c
  mov di, ROW(120)
  mov cx, ROW(20)
  mov al, 0x3c
  call fill
  GC 3, 0x01                  ; rotate 1 in write mode 3
  GC 0, 0x0a
  mov di, ROW(130) + 40
  mov cx, 20
  mov al, 0x3c
  call fill
  GC 3, 0x00
  GC 5, 0x00
  ; function select with set/reset on all planes: XOR F over rows 0-29,
  ; AND 5 over rows 40-69, OR 2 over rows 100-109
  GC 1, 0x0f
  GC 0, 0x0f
  GC 3, 0x18
  xor di, di
  mov cx, ROW(30)
  call fill
  GC 0, 0x05
  GC 3, 0x08
  mov di, ROW(40)
  mov cx, ROW(30)
  call fill
  GC 0, 0x02
  GC 3, 0x10
  mov di, ROW(100)
  mov cx, ROW(10)
  call fill
  GC 3, 0x00
  GC 1, 0x00
  ; write mode 1: copy rows 0-139 to rows 300-439 through the latches
  GC 5, 0x01
  push ds
  mov ax, 0xa000
  mov ds, ax
  xor si, si
  mov di, ROW(300)
  mov cx, ROW(140)
  rep movsb
  pop ds
  GC 5, 0x00
  ; read mode 0, each plane at row 10; read mode 1: compare colour 5 (don't care
  ; plane 3), then colour 1 with all planes, at rows 10, 50 and 120
  mov bl, 0
.rm0:
  mov dx, 0x3ce
  mov al, 4
  mov ah, bl
  out dx, ax
  mov al, [es:ROW(10)]
  call puthex8
  inc bl
  cmp bl, 4
  jb .rm0
  call putnl
  GC 5, 0x08
  GC 2, 0x05
  GC 7, 0x07
  mov al, [es:ROW(10)]
  call puthex8
  mov al, [es:ROW(50)]
  call puthex8
  mov al, [es:ROW(120)]
  call puthex8
  GC 2, 0x01
  GC 7, 0x0f
  mov al, [es:ROW(10)]
  call puthex8
  mov al, [es:ROW(50)]
  call puthex8
  call putnl
  GC 5, 0x00
  ; the attribute palette: entry 2 -> DAC 2Ah, entry 13 -> 07h
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, 0x22
  out dx, al
  mov al, 0x2a
  out dx, al
  mov al, 0x2d
  out dx, al
  mov al, 0x07
  out dx, al
  DONE

ROM_END
