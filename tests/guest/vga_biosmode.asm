; A standard VGA mode set through the VGA BIOS (SeaBIOS's vgabios-stdvga.bin,
; run from the std VGA's ROM BAR) under SeaBIOS: a boot sector that sets MODE
; with INT 10h AH=00h, turns the cursor off (AH=01h, CX=2000h), writes a line
; through the BIOS teletype (AH=0Eh: in a graphics mode the BIOS draws the
; glyphs from its font), a row of characters with attributes (AH=09h), and in
; a graphics mode a block of pixels in every colour the mode has (AH=0Ch), then
; prints "done" on port E9h and halts, for the host's screendump.
; Written for this project; tests/guest/vga_vbe.test.ts runs it on both machines
; for each mode.
bits 16
org 0x7c00

%ifndef MODE
%define MODE 0x03
%endif
%ifndef GRAPHICS
%define GRAPHICS 0
%endif
%ifndef COLOURS
%define COLOURS 16
%endif

boot:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  mov ax, MODE                ; AH=00h: set mode
  int 0x10
  mov ah, 0x01                ; cursor off
  mov cx, 0x2000
  int 0x10
  mov si, title
.tty:
  lodsb
  test al, al
  jz .attrs
  mov ah, 0x0e
  mov bx, 0x000f              ; page 0, colour 15 (graphics modes)
  int 0x10
  jmp .tty
.attrs:
  ; row 2: characters 'A'.. with attributes 1..15, one each (AH=09h writes at the cursor)
  mov dx, 0x0200
  mov bl, 1
.attr:
  mov ah, 0x02                ; cursor to DH, DL
  mov bh, 0
  int 0x10
  mov ah, 0x09
  mov al, bl
  add al, 'A' - 1
  mov bh, 0
  mov cx, 1
  int 0x10
  inc dl
  inc bl
  cmp bl, 16
  jb .attr
%if GRAPHICS
  ; pixels: rows 40-71, 4 columns per colour, every colour of the mode
  mov dx, 40
.row:
  xor cx, cx
.px:
  mov ax, cx
  shr ax, 2
  mov ah, 0x0c                ; write pixel AL at CX, DX
  mov bh, 0
  int 0x10
  inc cx
  cmp cx, COLOURS * 4
  jb .px
  inc dx
  cmp dx, 72
  jb .row
%endif
  mov si, done
.done:
  lodsb
  test al, al
  jz .halt
  out 0xe9, al
  jmp .done
.halt:
  cli
  hlt
  jmp .halt

title: db "RingZero: INT 10h mode set", 13, 10, 0
done: db "done", 10, 0

  times 510 - ($ - $$) db 0
  dw 0xaa55
  times 32768 - ($ - $$) db 0   ; a disk of 64 sectors
