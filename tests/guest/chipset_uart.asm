; 16550A UARTs COM1-COM4: scratch, divisor latch, LCR/MCR, IER/IIR with and
; without FIFOs, THRE interrupt identification and its clearing, loopback data
; and modem lines; compared with qemu-system-i386 (-serial null x4).
%include "lib/rom.inc"
%include "lib/hexraw.inc"

%macro RD 1
  lea_dx %1
  in al, dx
  call hx8
%endmacro
%macro lea_dx 1
  mov dx, bx
  add dx, %1
%endmacro
%macro WR 2
  lea_dx %1
  mov al, %2
  out dx, al
%endmacro

main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov bx, 0x3f8
  call uart
  mov bx, 0x2f8
  call uart
  mov bx, 0x3e8
  call uart
  mov bx, 0x2e8
  call uart
  EXIT 0

uart:
  PUTS "com "
  WR 7, 0x5a
  RD 7
  WR 7, 0xa5
  RD 7
  RD 1              ; IER after reset
  RD 2              ; IIR: no interrupt
  RD 3
  RD 5              ; LSR: THRE TEMT
  ; divisor latch
  WR 3, 0x83
  WR 0, 0x01
  WR 1, 0x00
  RD 0
  RD 1
  WR 3, 0x03
  RD 3
  ; THRE interrupt: enable, identify, cleared by reading IIR
  WR 1, 0x02
  RD 2
  RD 2
  ; FIFO on: IIR top bits
  WR 2, 0xc7
  RD 2
  ; loopback: a byte comes back, DR set, modem lines loop
  WR 4, 0x10
  WR 0, 0x41
  RD 5
  RD 0
  RD 5
  WR 4, 0x1f
  call msr          ; state bits (QEMU has no delta bits in loopback; the 16550 does)
  call msr
  WR 4, 0x10
  call msr
  ; THRE after a write with IER=2
  WR 0, 0x42
  RD 2
  RD 0
  ; RX data available interrupt in loopback (FIFO trigger 1 byte)
  WR 2, 0x07
  WR 1, 0x01
  WR 0, 0x43
  RD 2
  RD 0
  RD 2
  WR 1, 0x00
  WR 2, 0x00
  WR 4, 0x00
  RD 2
  call nl
  ret
msr:
  lea_dx 6
  in al, dx
  and al, 0xf0
  call hx8
  ret
ROM_END
