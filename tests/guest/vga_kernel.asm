; A Multiboot kernel (the a.out kludge: a flat image loaded at 1 MiB) that
; writes to the VGA text screen at B8000H as a teaching kernel does, with no
; mode set and no font of its own: it relies on the text mode and the 8x16 font
; the VGA BIOS leaves (QEMU's -kernel runs SeaBIOS and its VGA BIOS first;
; RingZero's direct boot loads the same BIOS's font, web/host/kernel.ts). Then
; "done" on port E9H and a halt, for tests/guest/vga.test.ts's screendumps.
;
; Screen: the whole 80x25 written over (QEMU's shows SeaBIOS's messages until
; then); row 0 a title, rows 2-5 all 256 characters (64 a row, so 9-dot
; line-drawing columns show), row 7 the 16 foreground colours, row 8 the 8
; background colours (attribute bit 7 is blink, left alone); the cursor off.

        bits 32
        org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000                 ; bit 16: the load addresses are in the header
mbhdr:
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)
        dd mbhdr                        ; header_addr
        dd mbhdr                        ; load_addr
        dd 0                            ; load_end_addr: the whole file
        dd 0                            ; bss_end_addr: no bss
        dd start                        ; entry_addr

SCREEN equ 0xb8000
ROW    equ 160

start:
        cld
        ; every cell: a space, grey on blue (not the BIOS's 0720H, so a cleared
        ; screen and this one differ)
        mov edi, SCREEN
        mov ecx, 80 * 25
        mov ax, 0x1720
        rep stosw

        mov esi, title
        mov edi, SCREEN
        mov ah, 0x1f                    ; bright white on blue
.title: lodsb
        test al, al
        jz .chars
        stosw
        jmp .title

.chars: ; characters 00H-FFH, grey on black, 64 a row from row 2
        xor ebx, ebx
.char:  mov eax, ebx
        shr eax, 6                      ; row - 2
        imul edi, eax, ROW
        mov eax, ebx
        and eax, 63
        lea edi, [SCREEN + 2 * ROW + edi + eax * 2]
        mov al, bl
        mov ah, 0x07
        mov [edi], ax
        inc ebx
        cmp ebx, 256
        jb .char

        ; row 7: "#" in each foreground colour on black; row 8: a space on each background
        xor ebx, ebx
.fg:    mov al, '#'
        mov ah, bl
        mov [SCREEN + 7 * ROW + ebx * 4], ax
        inc ebx
        cmp ebx, 16
        jb .fg
        xor ebx, ebx
.bg:    mov eax, ebx
        shl eax, 4
        or al, 0x0f
        mov ah, al
        mov al, 'B'
        mov [SCREEN + 8 * ROW + ebx * 4], ax
        inc ebx
        cmp ebx, 8
        jb .bg

        ; the cursor off: CRTC 0AH (cursor start) bit 5
        mov dx, 0x3d4
        mov al, 0x0a
        out dx, al
        inc dx
        in al, dx
        or al, 0x20
        out dx, al

        mov esi, done
        mov dx, 0xe9
.done:  lodsb
        test al, al
        jz .halt
        out dx, al
        jmp .done
.halt:  cli
        hlt
        jmp .halt

title:  db "RingZero -kernel: text written to B8000H with the VGA BIOS's font", 0
done:   db "done", 10, 0
