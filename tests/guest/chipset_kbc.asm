; 8042 keyboard controller and port 0x92: status, command byte, self tests,
; output port, A20 gating (checked with a write through the 1 MiB wrap), the
; keyboard's identify reply; compared with qemu-system-i386.
%include "lib/rom.inc"
%include "lib/hexraw.inc"

main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  PUTS "kbc "
  in al, 0x64
  call hx8
  mov al, 0x20
  call cmd
  call rdata
  mov al, 0xaa          ; self test
  call cmd
  call rdata
  in al, 0x64
  call hx8
  mov al, 0xab          ; keyboard interface test
  call cmd
  call rdata
  mov al, 0xa9          ; aux interface test
  call cmd
  call rdata
  mov al, 0xd0          ; output port
  call cmd
  call rdata
  ; command byte write/read: disable translation and interrupts
  mov al, 0x60
  call cmd
  mov al, 0x04
  out 0x60, al
  mov al, 0x20
  call cmd
  call rdata
  ; keyboard identify, untranslated
  mov al, 0xf2
  out 0x60, al
  call rdata
  call rdata
  call rdata
  ; translated
  mov al, 0x60
  call cmd
  mov al, 0x44
  out 0x60, al
  mov al, 0xf2
  out 0x60, al
  call rdata
  call rdata
  call rdata
  ; D2: write keyboard output buffer (translation on: 0x1c becomes 0x1e)
  mov al, 0xd2
  call cmd
  mov al, 0x1c
  out 0x60, al
  call rdata
  ; D3: aux output buffer -> status bit 5
  mov al, 0x99
  call auxecho
  ; D3 with the aux interface disabled (A7): the controller's own output is
  ; not held back by it (Linux's i8042 multiplexer probe depends on that)
  mov al, 0xa7
  call cmd
  mov al, 0x5a
  call auxecho
  mov al, 0xa8
  call cmd
  ; mouse: D4 F2 -> ACK, ID 0
  mov al, 0xd4
  call cmd
  mov al, 0xf2
  out 0x60, al
  call rdata
  call rdata
  call nl

  PUTS "a20 "
  ; [0:0500] and [FFFF:0510] alias when A20 is off
  mov ax, 0
  mov ds, ax
  mov ax, 0xffff
  mov es, ax
  mov byte [0x500], 0x11
  mov byte [es:0x510], 0x22
  mov al, [0x500]
  call hx8
  mov al, 0xd1
  call cmd
  mov al, 0x01          ; output port: A20 off, no reset
  out 0x60, al
  mov byte [0x500], 0x33
  mov al, [es:0x510]
  call hx8
  in al, 0x92
  call hx8
  mov al, 0x02          ; fast A20 on through port 0x92
  out 0x92, al
  mov byte [es:0x510], 0x44
  mov al, [0x500]
  call hx8
  in al, 0x92
  call hx8
  mov al, 0x00
  out 0x92, al
  mov al, 0xd1
  call cmd
  mov al, 0x03
  out 0x60, al
  mov al, [es:0x510]
  call hx8
  mov al, 0xd0
  call cmd
  call rdata
  call nl
  EXIT 0

cmd:
  out 0x64, al
  ret
; D3 with the byte in AL: print status bits OBF and AUXB, then the byte read
auxecho:
  push ax
  mov al, 0xd3
  call cmd
  pop ax
  out 0x60, al
  call waitobf
  in al, 0x64
  and al, 0x21
  call hx8
  in al, 0x60
  call hx8
  ret
waitobf:
  push cx
  mov cx, 0
.l:
  push ax
  in al, 0x64
  test al, 1
  pop ax
  jnz .d
  dec cx
  jnz .l
.d:
  pop cx
  ret
rdata:
  call waitobf
  in al, 0x60
  call hx8
  ret
ROM_END
