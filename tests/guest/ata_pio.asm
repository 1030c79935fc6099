; ATA PIO from real mode on the primary channel (ports 0x1F0-0x1F7, 0x3F6),
; master disk given with -hda: soft reset and signature, IDENTIFY DEVICE words
; that do not name the emulator, READ SECTORS, WRITE SECTORS then read back,
; SET MULTIPLE + READ MULTIPLE, READ SECTORS EXT (48-bit), CHS addressing with
; the default geometry, and the error paths (past the end, unknown command).
; Sector data is reported as a 16-bit sum and xor of the words read.
; Uses only MOV/ADD/XOR/AND/TEST/INC/DEC/Jcc/CALL/IN/OUT (printing through a
; byte-to-hex table), so it runs before the shift and string families land.
%include "lib/rom.inc"

%macro TF 2            ; task-file register (offset from 0x1F0), value
  mov dx, 0x1f0 + %1
  mov al, %2
  out dx, al
%endmacro

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax

  ; Software reset with interrupts off (nIEN), as a BIOS does.
  mov dx, 0x3f6
  mov al, 0x06
  out dx, al
  mov al, 0x02
  out dx, al
  call waitnb
  PUTS "sig "
  call taskfile
  call putnl

  ; IDENTIFY DEVICE into 0:1000
  TF 6, 0xa0
  TF 7, 0xec
  call waitnb
  PUTS "identify st="
  call status
  mov bx, 0x1000
  mov cx, 256
  mov dx, 0x1f0
.id:
  in ax, dx
  mov [bx], ax
  add bx, 2
  dec cx
  jnz .id
  PUTS " after="
  call status
  call putnl
  PUTS "words"
%macro IDW 1
  mov al, ' '
  out 0xe9, al
  mov ax, [0x1000 + %1 * 2]
  call hex16
%endmacro
  IDW 0
  IDW 1
  IDW 3
  IDW 6
  IDW 47
  IDW 49
  IDW 53
  IDW 54
  IDW 55
  IDW 56
  IDW 57
  IDW 58
  IDW 59
  IDW 60
  IDW 61
  IDW 80
  IDW 83
  IDW 100
  IDW 101
  IDW 102
  call putnl

  ; READ SECTORS: LBA 5, 3 sectors
  TF 2, 3
  TF 3, 5
  TF 4, 0
  TF 5, 0
  TF 6, 0xe0
  TF 7, 0x20
  mov bp, 3
  call readn
  PUTS "read "
  call result

  ; WRITE SECTORS: LBA 9, 2 sectors of words 0x1234 + i
  TF 2, 2
  TF 3, 9
  TF 4, 0
  TF 5, 0
  TF 6, 0xe0
  TF 7, 0x30
  mov bp, 2
.ws:
  call waitnb
  mov dx, 0x1f0
  mov cx, 256
  mov ax, 0x1234
.ww:
  out dx, ax
  inc ax
  dec cx
  jnz .ww
  dec bp
  jnz .ws
  call waitnb
  PUTS "write st="
  call status
  PUTS " tf="
  call taskfile
  call putnl
  TF 2, 3
  TF 3, 8
  TF 6, 0xe0
  TF 7, 0x20
  mov bp, 3
  call readn
  PUTS "readback "
  call result

  ; SET MULTIPLE MODE 4, READ MULTIPLE 6 sectors from LBA 30
  TF 2, 4
  TF 7, 0xc6
  call waitnb
  PUTS "setmult st="
  call status
  call putnl
  TF 2, 6
  TF 3, 30
  TF 4, 0
  TF 5, 0
  TF 6, 0xe0
  TF 7, 0xc4
  mov bp, 6
  call readn
  PUTS "readmult "
  call result

  ; READ SECTORS EXT: LBA 0x000000000102 (258), 2 sectors
  TF 2, 0
  TF 2, 2
  TF 3, 0
  TF 3, 0x02
  TF 4, 0
  TF 4, 0x01
  TF 5, 0
  TF 5, 0
  TF 6, 0x40
  TF 7, 0x24
  mov bp, 2
  call readn
  PUTS "readext "
  call result

  ; CHS with the default translation (16 heads, 63 sectors): C0 H1 S3 = LBA 65
  TF 2, 1
  TF 3, 3
  TF 4, 0
  TF 5, 0
  TF 6, 0xa1
  TF 7, 0x20
  mov bp, 1
  call readn
  PUTS "chs "
  call result

  ; READ VERIFY: LBA 100, 8 sectors; the address ends at the last one
  TF 2, 8
  TF 3, 100
  TF 4, 0
  TF 5, 0
  TF 6, 0xe0
  TF 7, 0x40
  call waitnb
  PUTS "verify st="
  call status
  PUTS " tf="
  call taskfile
  call putnl

  ; Past the end of the 2048-sector disk: LBA 2048
  TF 2, 1
  TF 3, 0x00
  TF 4, 0x08
  TF 5, 0
  TF 6, 0xe0
  TF 7, 0x20
  call waitnb
  PUTS "pastend st="
  call status
  PUTS " err="
  mov dx, 0x1f1
  in al, dx
  call hex8
  call putnl

  ; An unknown command aborts
  TF 7, 0xfe
  call waitnb
  PUTS "unknown st="
  call status
  PUTS " err="
  mov dx, 0x1f1
  in al, dx
  call hex8
  call putnl

  ; Device 1 is absent: its status reads 0
  TF 6, 0xb0
  PUTS "slave st="
  mov dx, 0x1f7
  in al, dx
  call hex8
  call putnl
  EXIT 0

%include "lib/ata.inc"

ROM_END
