; Bus-master IDE DMA (SFF-8038i) from real mode on the primary channel: the
; PIIX IDE function's BAR4 is set to 0xC000 through PCI configuration mechanism 1
; (RingZero's stub wiring has the bus master there until pci.ts places it), then
; READ DMA into a two-entry PRD table (one entry crossing a page), WRITE DMA
; read back through PIO, and a PRD table larger than the transfer.
; Uses only MOV/ADD/XOR/TEST/INC/DEC/Jcc/CALL/IN/OUT (see ata_pio.asm).
%include "lib/rom.inc"

%macro TF 2            ; task-file register (offset from 0x1F0), value
  mov dx, 0x1f0 + %1
  mov al, %2
  out dx, al
%endmacro
%macro PCIW 2          ; PCI config dword write: 00:01.1 register %1 = %2
  mov dx, 0xcf8
  mov eax, 0x80000900 + %1
  out dx, eax
  mov dx, 0xcfc
  mov eax, %2
  out dx, eax
%endmacro
%macro BMW 2           ; bus-master register byte write
  mov dx, 0xc000 + %1
  mov al, %2
  out dx, al
%endmacro

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov es, ax
  PCIW 0x20, 0xc001          ; BAR4: I/O at 0xC000
  PCIW 0x40, 0x80008000      ; IDETIM: both channels decode
  PCIW 0x04, 0x00000005      ; I/O space and bus master enable
  ; INTRQ stays enabled (nIEN clear): the bus master latches its interrupt bit
  ; from it. IF is clear from reset and the PIC is not set up, so nothing is delivered.

  ; PRD table at 0:8000: 1 KiB at 0x10F00 (crosses a page), 512 bytes at 0x30000, EOT
  mov word [0x8000], 0x0f00
  mov word [0x8002], 0x0001
  mov word [0x8004], 0x0400
  mov word [0x8006], 0x0000
  mov word [0x8008], 0x0000
  mov word [0x800a], 0x0003
  mov word [0x800c], 0x0200
  mov word [0x800e], 0x8000
  mov dx, 0xc004
  mov eax, 0x8000
  out dx, eax
  BMW 0, 0x08                ; direction: device to memory, not started
  TF 6, 0xe0
  TF 2, 3
  TF 3, 42
  TF 4, 0
  TF 5, 0
  TF 7, 0xc8
  BMW 0, 0x09                ; start
  call bmwait
  PUTS "readdma "
  call bmresult
  BMW 0, 0x00
  BMW 2, 0x06                ; clear interrupt and error
  ; sum of the words landed in memory
  xor si, si
  xor di, di
  mov ax, 0x1000
  mov ds, ax
  mov bx, 0x0f00
  mov cx, 512
  call memsum
  mov ax, 0x3000
  mov ds, ax
  xor bx, bx
  mov cx, 256
  call memsum
  xor ax, ax
  mov ds, ax
  PUTS " mem"
  call sums
  call putnl

  ; WRITE DMA: 1 KiB from 0x40000 (words 0x5000 + i) to LBA 100
  mov ax, 0x4000
  mov ds, ax
  xor bx, bx
  mov cx, 512
  mov ax, 0x5000
.f:
  mov [bx], ax
  add bx, 2
  inc ax
  dec cx
  jnz .f
  xor ax, ax
  mov ds, ax
  mov word [0x9000], 0x0000
  mov word [0x9002], 0x0004
  mov word [0x9004], 0x0400
  mov word [0x9006], 0x8000
  mov dx, 0xc004
  mov eax, 0x9000
  out dx, eax
  BMW 0, 0x00                ; memory to device
  TF 6, 0xe0
  TF 2, 2
  TF 3, 100
  TF 4, 0
  TF 5, 0
  TF 7, 0xca
  BMW 0, 0x01
  call bmwait
  PUTS "writedma "
  call bmresult
  call putnl
  BMW 0, 0x00
  BMW 2, 0x06
  TF 2, 2
  TF 3, 100
  TF 6, 0xe0
  TF 7, 0x20
  mov bp, 2
  call readn
  PUTS "readback "
  call result

  ; One sector into a 64 KiB PRD entry: the table is not used up
  mov word [0x9000], 0x0000
  mov word [0x9002], 0x0005
  mov word [0x9004], 0x0000
  mov word [0x9006], 0x8000
  BMW 0, 0x08
  TF 2, 1
  TF 3, 7
  TF 6, 0xe0
  TF 7, 0xc8
  BMW 0, 0x09
  call bmwait
  PUTS "bigprd "
  call bmresult
  call putnl
  BMW 0, 0x00
  PUTS "stopped bm="
  mov dx, 0xc002
  in al, dx
  call hex8
  call putnl
  EXIT 0

; Wait for the bus master's interrupt bit, then for the drive to leave BSY.
bmwait:
  push ax
  push dx
  mov dx, 0xc002
.w:
  in al, dx
  test al, 0x04
  jz .w
  call waitnb
  pop dx
  pop ax
  ret

; "bm=SS st=SS tf=..."
bmresult:
  PUTS "bm="
  mov dx, 0xc002
  in al, dx
  call hex8
  PUTS " st="
  call status
  PUTS " tf="
  call taskfile
  ret

; CX words at DS:BX summed into SI, xored into DI
memsum:
  mov ax, [bx]
  add si, ax
  xor di, ax
  add bx, 2
  dec cx
  jnz memsum
  ret

sums:
  PUTS " sum="
  mov ax, si
  call hex16
  PUTS " xor="
  mov ax, di
  call hex16
  ret

%include "lib/ata.inc"

ROM_END
