; PCI configuration mechanism #1: i440FX host bridge, PIIX3 ISA bridge and IDE
; function registers, BAR4 sizing, PAM shadow switching of 0xE0000 and 0xC8000;
; compared with qemu-system-i386.
%include "lib/rom.inc"
%include "lib/hexraw.inc"

%macro CFGR 1
  mov eax, %1
  mov dx, 0xcf8
  out dx, eax
  mov dx, 0xcfc
  in eax, dx
  call hx32
%endmacro
%macro CFGW 2
  mov eax, %1
  mov dx, 0xcf8
  out dx, eax
  mov dx, 0xcfc
  mov eax, %2
  out dx, eax
%endmacro
%macro CFGW8 2
  mov eax, %1
  mov dx, 0xcf8
  out dx, eax
  mov dx, 0xcfc + (%1 & 3)
  mov al, %2
  out dx, al
%endmacro

main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  PUTS "addr "
  mov eax, 0x80000858
  mov dx, 0xcf8
  out dx, eax
  in eax, dx
  call hx32
  call nl
  PUTS "host "
  CFGR 0x80000000
  CFGR 0x80000004
  CFGR 0x80000008
  CFGR 0x8000000c
  CFGR 0x80000058
  CFGR 0x8000005c
  CFGR 0x80000070
  call nl
  PUTS "isa "
  CFGR 0x80000800
  CFGR 0x80000804
  CFGR 0x80000808
  CFGR 0x8000080c
  CFGR 0x8000084c
  CFGR 0x80000860
  CFGR 0x80000868
  CFGR 0x80000870
  CFGR 0x80000874
  CFGR 0x80000878
  CFGR 0x800008a0
  CFGR 0x800008a8
  call nl
  PUTS "ide "
  CFGR 0x80000900
  CFGR 0x80000904
  CFGR 0x80000908
  CFGR 0x8000090c
  CFGR 0x80000910
  CFGR 0x80000920
  CFGR 0x8000093c
  CFGR 0x80000940
  CFGW 0x80000920, 0xffffffff
  CFGR 0x80000920
  CFGW 0x80000920, 0x0000c001
  CFGR 0x80000920
  call nl
  PUTS "none "
  CFGR 0x80001800                ; 00:03.0 (00:02.0 is the VGA)
  CFGR 0x80010000
  CFGR 0x00000000
  call nl
  PUTS "pirq "
  CFGW8 0x80000860, 0x0b
  CFGW8 0x80000861, 0x0a
  CFGR 0x80000860
  ; byte and word reads at offsets
  mov eax, 0x80000800
  mov dx, 0xcf8
  out dx, eax
  mov dx, 0xcfe
  in ax, dx
  call hx16
  mov dx, 0xcfd
  in al, dx
  call hx8
  call nl

  call nl
  PUTS "pam "
  mov ax, 0xe000
  mov ds, ax
  mov al, [0]
  call hx8
  mov byte [0], 0x5a
  mov al, [0]
  call hx8
  CFGW8 0x8000005e, 0x33         ; PAM5: E0000-E7FFF read/write DRAM
  mov byte [0], 0x5a
  mov al, [0]
  call hx8
  CFGW8 0x8000005e, 0x11         ; read-only DRAM
  mov byte [0], 0x77
  mov al, [0]
  call hx8
  CFGW8 0x8000005e, 0x22         ; write-only: reads from the bus
  mov byte [0], 0x66
  mov al, [0]
  call hx8
  CFGW8 0x8000005e, 0x11
  mov al, [0]
  call hx8
  CFGW8 0x8000005e, 0x00
  mov al, [0]
  call hx8
  ; high half of PAM5: E4000
  mov ax, 0xe400
  mov ds, ax
  CFGW8 0x8000005e, 0x30
  mov byte [0], 0x12
  mov al, [0]
  call hx8
  CFGR 0x8000005c
  CFGW8 0x8000005e, 0x00
  call nl
  EXIT 0
ROM_END
