; ATAPI CD-ROM from real mode on the secondary channel (0x170-0x177, 0x376),
; medium given with -cdrom: signature, IDENTIFY DEVICE abort, IDENTIFY PACKET
; DEVICE, then PACKET commands through PIO: TEST UNIT READY, REQUEST SENSE,
; INQUIRY, READ CAPACITY, READ(10) with a small byte count limit, READ TOC,
; an out-of-range read and an unknown opcode. Each command prints the status and
; interrupt reason of each phase, the DRQ byte counts, a sum/xor of the data
; words and its first bytes.
; Uses only MOV/ADD/SUB/XOR/TEST/INC/DEC/Jcc/CALL/IN/OUT (see ata_pio.asm).
%include "lib/rom.inc"

%macro TF 2            ; command block register (offset from 0x170), value
  mov dx, 0x170 + %1
  mov al, %2
  out dx, al
%endmacro

; PKT label, byte count limit, bytes to show, {12 packet bytes}
%macro PKT 4
  [section .rodata]
  %%cdb: db %4
  __SECT__
  PUTS %1
  mov si, %%cdb
  mov bx, %2
  mov bp, %3
  call packet
%endmacro

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov dx, 0x376
  mov al, 0x02          ; nIEN
  out dx, al
  TF 6, 0xa0
  call waitnb
  PUTS "sig "
  call taskfile
  PUTS " st="
  call status
  call putnl

  TF 7, 0xec
  call waitnb
  PUTS "identify st="
  call status
  PUTS " err="
  mov dx, 0x171
  in al, dx
  call hex8
  PUTS " tf="
  call taskfile
  call putnl

  TF 7, 0xa1
  call waitnb
  PUTS "idpacket st="
  call status
  mov bx, 0x1000
  mov cx, 256
  mov dx, 0x170
.id:
  in ax, dx
  mov [bx], ax
  add bx, 2
  dec cx
  jnz .id
  PUTS " after="
  call status
  PUTS " w0="
  mov ax, [0x1000]
  call hex16
  call putnl

  PKT "tur", 0xfffe, 0, {0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
  PKT "sense", 0xfffe, 14, {0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0}
  PKT "tur", 0xfffe, 0, {0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
  PKT "inquiry", 0xfffe, 8, {0x12, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0}
  PKT "capacity", 0xfffe, 8, {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
  PKT "read10", 0x0800, 8, {0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0}
  PKT "read10x3", 0x0600, 4, {0x28, 0, 0, 0, 0, 20, 0, 0, 3, 0, 0, 0}
  PKT "toc", 0xfffe, 20, {0x43, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0}
  PKT "tocmsf", 0xfffe, 20, {0x43, 2, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0}
  PKT "pastend", 0xfffe, 0, {0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}
  PKT "sense", 0xfffe, 14, {0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0}
  PKT "badop", 0xfffe, 0, {0xd9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
  PKT "sense", 0xfffe, 14, {0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0}
  EXIT 0

; ---- helpers ----

waitnb:
  push ax
  push dx
  mov dx, 0x177
.w:
  in al, dx
  test al, 0x80
  jnz .w
  pop dx
  pop ax
  ret

; CS:SI = 12-byte packet, BX = byte count limit, BP = data bytes to print.
; Data goes to 0:2000; its words are summed into [0x1f00] and xored into [0x1f02].
packet:
  mov word [0x1f00], 0
  mov word [0x1f02], 0
  mov word [0x1f04], 0x2000
  TF 1, 0
  mov dx, 0x174
  mov al, bl
  out dx, al
  inc dx
  mov al, bh
  out dx, al
  TF 7, 0xa0
  call waitnb
  PUTS " cmd="
  call status
  call ireason
  mov dx, 0x170
  mov cx, 6
.p:
  mov ax, [cs:si]
  out dx, ax
  add si, 2
  dec cx
  jnz .p
.drq:
  call waitnb
  mov dx, 0x177
  in al, dx
  test al, 0x08
  jz .done
  PUTS " drq="
  call status
  call ireason
  mov al, ':'
  out 0xe9, al
  mov dx, 0x175
  in al, dx
  mov ch, al
  dec dx
  in al, dx
  mov cl, al
  mov ax, cx
  call hex16
  mov bx, [0x1f04]
  mov dx, 0x170
.w:
  in ax, dx
  mov [bx], ax
  add bx, 2
  add [0x1f00], ax
  xor [0x1f02], ax
  sub cx, 2
  ja .w
  mov [0x1f04], bx
  jmp .drq
.done:
  PUTS " end="
  call status
  call ireason
  PUTS " err="
  mov dx, 0x171
  in al, dx
  call hex8
  PUTS " sum="
  mov ax, [0x1f00]
  call hex16
  PUTS " xor="
  mov ax, [0x1f02]
  call hex16
  test bp, bp
  jz .nl
  PUTS " data="
  mov bx, 0x2000
.b:
  mov al, [bx]
  call hex8
  inc bx
  dec bp
  jnz .b
.nl:
  call putnl
  ret

status:
  push ax
  push dx
  mov dx, 0x177
  in al, dx
  call hex8
  pop dx
  pop ax
  ret

; "/" and the interrupt reason (sector count register, IO and CoD bits)
ireason:
  push ax
  push dx
  mov al, '/'
  out 0xe9, al
  mov dx, 0x172
  in al, dx
  and al, 3
  call hex8
  pop dx
  pop ax
  ret

taskfile:
  push ax
  push dx
  mov dx, 0x172
.t:
  in al, dx
  call hex8
  inc dx
  cmp dx, 0x176
  jz .d
  mov al, '.'
  out 0xe9, al
  jmp .t
.d:
  pop dx
  pop ax
  ret

hex8:
  push bx
  mov bl, al
  mov bh, 0
  add bx, bx
  mov al, [cs:bx + hextab]
  out 0xe9, al
  mov al, [cs:bx + hextab + 1]
  out 0xe9, al
  pop bx
  ret

hex16:
  push ax
  mov al, ah
  call hex8
  pop ax
  push ax
  call hex8
  pop ax
  ret

section .rodata
hextab:
%assign i 0
%rep 256
  %assign hi i / 16
  %assign lo i % 16
  %if hi < 10
    db '0' + hi
  %else
    db 'a' + hi - 10
  %endif
  %if lo < 10
    db '0' + lo
  %else
    db 'a' + lo - 10
  %endif
  %assign i i + 1
%endrep

ROM_END
