; 16550A COM1 interrupts with MCR.OUT2 clear, as xv6's uartinit leaves it (FIFO
; off, 9600 baud, 8N1, MCR = 0, IER = received data): QEMU raises IRQ4 whenever
; IIR shows an interrupt, whatever MCR says, and xv6 depends on it for its
; console input. Checks a THR-empty interrupt with MCR = 0 and a received-data
; interrupt in loopback (MCR = 10h, OUT2 still clear); the handler reports IIR,
; the byte read and the 8259A's ISR. Compared with qemu-system-i386.
%include "lib/rom.inc"
%include "lib/hexraw.inc"
%include "lib/pic.inc"

COM1 equ 0x3f8
IRQ4_VECTOR equ 0x08 + 4

%macro OUTB 2
  mov dx, %1
  mov al, %2
  out dx, al
%endmacro
%macro INB 1
  mov dx, %1
  in al, dx
%endmacro

main:
  mov ax, 0
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [IRQ4_VECTOR * 4], irq4
  mov word [IRQ4_VECTOR * 4 + 2], 0xf000
  mov byte [count], 0
  PIC_INIT
  mov al, 0xef          ; master: only IRQ4
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  ; xv6 uartinit
  OUTB COM1 + 2, 0x00   ; FIFO off
  OUTB COM1 + 3, 0x80   ; DLAB
  OUTB COM1 + 0, 12     ; 115200 / 9600
  OUTB COM1 + 1, 0x00
  OUTB COM1 + 3, 0x03   ; 8N1, DLAB off
  OUTB COM1 + 4, 0x00   ; MCR: OUT2 clear
  OUTB COM1 + 1, 0x01   ; received-data interrupt
  INB COM1 + 5
  call hx8
  INB COM1 + 2
  call hx8
  INB COM1 + 0
  call nl
  sti
  PUTS "thre "
  mov bl, [count]
  OUTB COM1 + 1, 0x03   ; + THR empty: raised at once, THR is empty
  call wait_irq
  PUTS "loop "
  OUTB COM1 + 1, 0x01
  OUTB COM1 + 4, 0x10   ; loopback, OUT2 still clear
  mov bl, [count]
  OUTB COM1 + 0, 0x41
  call wait_irq
  cli
  OUTB COM1 + 4, 0x00
  OUTB COM1 + 1, 0x00
  mov al, [count]
  call hx8
  call nl
  EXIT 0

; wait_irq: until the handler's count differs from BL (bounded)
wait_irq:
  mov ecx, 1000000
.l: cmp bl, [count]
  jne .d
  dec ecx
  jnz .l
  PUTS "none "
.d: call nl
  ret

irq4:
  push ax
  push dx
  INB COM1 + 2          ; identifies (and for THRE, clears) the interrupt
  call hx8
  cmp al, 0x04
  jne .e
  INB COM1 + 0
  call hx8
.e: mov al, 0x0b        ; OCW3: read ISR
  out 0x20, al
  in al, 0x20
  call hx8
  mov al, 0x20
  out 0x20, al
  inc byte [count]
  pop dx
  pop ax
  iret

count equ 0x600
ROM_END
