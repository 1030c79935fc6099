; MC146818 / CMOS: control registers and the PC BIOS bytes QEMU's pc machine
; sets for 32 MiB of RAM; NVRAM read/write; compared with qemu-system-i386.
%include "lib/rom.inc"
%include "lib/hexraw.inc"

%macro CMOSR 1
  mov al, %1
  out 0x70, al
  in al, 0x71
  call hx8
%endmacro

main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  PUTS "rtc "
  mov al, 0x0a
  out 0x70, al
  in al, 0x71
  and al, 0x7f          ; UIP is time dependent
  call hx8
  CMOSR 0x0b
  CMOSR 0x0c
  CMOSR 0x0d
  call nl
  PUTS "mem "
  CMOSR 0x15
  CMOSR 0x16
  CMOSR 0x17
  CMOSR 0x18
  CMOSR 0x30
  CMOSR 0x31
  CMOSR 0x34
  CMOSR 0x35
  CMOSR 0x5b
  CMOSR 0x5c
  CMOSR 0x5d
  call nl
  PUTS "cfg "
  CMOSR 0x0e
  CMOSR 0x0f
  CMOSR 0x10
  CMOSR 0x12
  CMOSR 0x14
  CMOSR 0x32
  CMOSR 0x5f
  call nl
  PUTS "nvram "
  mov al, 0x40
  out 0x70, al
  mov al, 0xa5
  out 0x71, al
  mov al, 0x7f
  out 0x70, al
  mov al, 0x3c
  out 0x71, al
  CMOSR 0x40
  CMOSR 0x7f
  ; NMI-disable bit 7 of the index does not change the register selected
  CMOSR 0xc0
  ; register B: binary + 24h, read back
  mov al, 0x0b
  out 0x70, al
  mov al, 0x06
  out 0x71, al
  CMOSR 0x0b
  ; SET bit clears UIE
  mov al, 0x0b
  out 0x70, al
  mov al, 0x96
  out 0x71, al
  CMOSR 0x0b
  mov al, 0x0b
  out 0x70, al
  mov al, 0x02
  out 0x71, al
  ; register A divider/rate
  mov al, 0x0a
  out 0x70, al
  mov al, 0x2a
  out 0x71, al
  mov al, 0x0a
  out 0x70, al
  in al, 0x71
  and al, 0x7f
  call hx8
  call nl
  EXIT 0
ROM_END
