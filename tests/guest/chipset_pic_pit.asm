; 8259A and 8254 registers as a BIOS programs them, read back through the ports;
; compared with qemu-system-i386 (same PC chipset). Only time-independent
; values are printed (IRQ0's IRR bit and live counts are masked off).
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "lib/hexraw.inc"
main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  PUTS "pic "
  PIC_INIT              ; master vectors 0x08, slave 0x70
  in al, 0x21           ; IMR cleared by ICW1
  call hx8
  mov al, 0xb8
  out 0x21, al
  mov al, 0x8e
  out 0xa1, al
  in al, 0x21
  call hx8
  in al, 0xa1
  call hx8
  mov al, 0x0b          ; OCW3: read ISR
  out 0x20, al
  in al, 0x20
  call hx8
  out 0xa0, al
  in al, 0xa0
  call hx8
  mov al, 0x0a          ; OCW3: read IRR (IRQ0 bit is time dependent)
  out 0x20, al
  in al, 0x20
  and al, 0xfe
  call hx8
  ; ELCR: writable bits only
  mov dx, 0x4d0
  mov al, 0xff
  out dx, al
  in al, dx
  call hx8
  inc dx
  out dx, al
  in al, dx
  call hx8
  mov al, 0
  out dx, al
  dec dx
  out dx, al
  in al, dx
  call hx8
  call nl

  PUTS "pit "
  ; counter 0, LSB/MSB, mode 2: read-back status
  mov al, 0x34
  out 0x43, al
  mov al, 0xf0
  out 0x40, al
  out 0x40, al
  mov al, 0xe2          ; read-back: status only, counter 0
  out 0x43, al
  in al, 0x40
  and al, 0x7f          ; OUT in mode 2: high per the 8254 datasheet, QEMU reports low
  call hx8
  ; counter latch: MSB of a count just loaded (0xF0F0 minus a few clocks)
  mov al, 0x00
  out 0x43, al
  in al, 0x40
  in al, 0x40
  cmp al, 0xf0          ; counting down from 0xF0F0 (how far depends on the host in QEMU)
  ja .bad
  PUTS "le "
  jmp .ok
.bad:
  call hx8
.ok:
  ; counter 0 LSB only, mode 0, BCD: status
  mov al, 0x11
  out 0x43, al
  mov al, 0x99
  out 0x40, al
  mov al, 0xe2
  out 0x43, al
  in al, 0x40
  call hx8
  ; counter 2 mode 3 MSB-only, gate off: status via read-back of counter 2
  mov al, 0
  out 0x61, al
  mov al, 0xa6
  out 0x43, al
  mov al, 0x10
  out 0x42, al
  mov al, 0xe8
  out 0x43, al
  in al, 0x42
  call hx8
  ; counter 1 status after reset programming by nobody (mode/access from reset)
  mov al, 0x74          ; counter 1, LSB/MSB, mode 2
  out 0x43, al
  mov al, 0x12
  out 0x41, al
  mov al, 0x00
  out 0x41, al
  mov al, 0xe4
  out 0x43, al
  in al, 0x41
  and al, 0x7f
  call hx8
  ; counter 2, mode 0, short count, gate on: OUT2 (port 0x61 bit 5) goes high
  mov al, 0xb0
  out 0x43, al
  mov al, 0x20
  out 0x42, al
  mov al, 0
  out 0x42, al
  in al, 0x61
  and al, 0x20
  call hx8              ; OUT2 low right after the count is written
  mov al, 1
  out 0x61, al
  mov cx, 0
.w:
  in al, 0x61
  test al, 0x20
  jnz .hi
  dec cx
  jnz .w
  PUTS "timeout "
.hi:
  in al, 0x61
  and al, 0x23
  call hx8
  ; port 0x61 writable bits
  mov al, 0x0e
  out 0x61, al
  in al, 0x61
  and al, 0x03          ; bits 2-3 (parity/IOCHK enables) read back on PIIX3, not in QEMU
  call hx8
  call nl
  EXIT 0
ROM_END
