; The gallery's mode 13h demo (?demo=paint, web/ui/config.ts): a boot sector
; that SeaBIOS boots from a hard disk image, written for this project. It sets
; VGA mode 13h (320x200, 256 colours) through the VGA BIOS, fills the screen
; with a pattern in the default palette's hue ring (colours 20h-2Fh), prints a
; title with the BIOS teletype, and paints a 4x4 brush where the arrow keys
; move it (4 pixels a press); Space takes the next colour of the brush (white,
; light red, light green, light blue, yellow: default palette entries 15, 12,
; 10, 9, 14). Keys come through the BIOS (INT 16h), so from the page's screen
; through the PS/2 keyboard and SeaBIOS's IRQ 1 handler. Built by
; tools/guest/build.mjs: nasm -f bin, padded to a 64 KiB disk image.

bits 16
org 0x7c00

WIDTH   equ 320
HEIGHT  equ 200
BRUSH   equ 4
TOP     equ 24                  ; the title's three text rows stay unpainted
SCAN_UP equ 0x48
SCAN_DOWN equ 0x50
SCAN_LEFT equ 0x4b
SCAN_RIGHT equ 0x4d

start:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        sti
        mov ax, 0x0013                  ; mode 13h
        int 0x10
        push word 0xa000
        pop es
        ; The background: colour 20h + ((x xor y) / 8) mod 16, a checked weave.
        xor di, di
        xor dx, dx                      ; y
.row:   xor cx, cx                      ; x
.col:   mov ax, cx
        xor ax, dx
        shr ax, 3
        and al, 0x0f
        add al, 0x20
        stosb
        inc cx
        cmp cx, WIDTH
        jb .col
        inc dx
        cmp dx, HEIGHT
        jb .row
        mov si, title
        mov bl, 15                      ; teletype in a graphics mode: BL is the colour
.title: lodsb
        test al, al
        jz .drawn
        mov ah, 0x0e
        int 0x10
        jmp .title
.drawn: call plot

keys:   xor ah, ah                      ; wait for a key: AH scan code, AL character
        int 0x16
        cmp ah, SCAN_UP
        je .up
        cmp ah, SCAN_DOWN
        je .down
        cmp ah, SCAN_LEFT
        je .left
        cmp ah, SCAN_RIGHT
        je .right
        cmp al, ' '
        jne keys
        mov al, [brush_index]           ; the next colour
        inc ax
        cmp al, colours_end - colours
        jb .set
        xor al, al
.set:   mov [brush_index], al
        jmp .moved
.up:    cmp word [y], TOP + BRUSH
        jb keys
        sub word [y], BRUSH
        jmp .moved
.down:  cmp word [y], HEIGHT - 2 * BRUSH
        ja keys
        add word [y], BRUSH
        jmp .moved
.left:  cmp word [x], BRUSH
        jb keys
        sub word [x], BRUSH
        jmp .moved
.right: cmp word [x], WIDTH - 2 * BRUSH
        ja keys
        add word [x], BRUSH
.moved: call plot
        jmp keys

; The brush at (x, y) in its colour: BRUSH rows of BRUSH pixels from y * 320 + x.
plot:   mov ax, [y]
        mov di, WIDTH
        mul di
        add ax, [x]
        mov di, ax
        movzx bx, byte [brush_index]
        mov al, [colours + bx]
        mov dx, BRUSH
.line:  mov cx, BRUSH
        rep stosb
        add di, WIDTH - BRUSH
        dec dx
        jnz .line
        ret

x:           dw 160
y:           dw 100
brush_index: db 0
colours:     db 15, 12, 10, 9, 14
colours_end:
title:       db "RingZero: VGA mode 13h", 13, 10, "Arrows paint, Space: next colour", 0

        times 510 - ($ - $$) db 0
        dw 0xaa55
