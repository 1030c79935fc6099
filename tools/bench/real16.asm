; 16-bit code throughput benchmark ROM (issue 13), run by tools/bench/simd.mjs
; --rom real16 in RingZero, v86 and qemu-system-i386 alike.
;
; A 64 KiB system BIOS image (`-bios`): the reset vector at FFFF0h jumps to
; `main` (CS = F000h), which stays in real mode, interrupts off, and runs
; ITERS passes of the kind of code a BIOS or a real-mode program runs:
;   - a checksum of 16 KiB by LODSW, with ADD/ADC and a loop counter in CX;
;   - a table walk: bytes through [BX+SI] and XLAT-free look-ups in ES, with
;     a CALL to a routine that takes its arguments on the stack through BP
;     (PUSH, MOV [BP+n], RET, ADD SP), and a conditional branch per element;
;   - REP MOVSW of 4 KiB from DS to ES, and a word-by-word compare back;
;   - a 32-bit multiply-add in 16-bit code (66h: EAX, EDX).
; Every value is an integer: the same result in any correct implementation.
;
; Output goes to COM1 the way a polled driver writes it: wait for LSR.THRE
; (bit 5 of port 3FDh), write THR (3F8h). The lines are
;   REAL16-START                    before the timed part
;   REAL16-END <8 hex digits>       after it: the checksum
; then CLI; HLT.
;
; Build: nasm -f bin -I tools/bench/ [-DITERS=n] -o real16.rom tools/bench/real16.asm

bits 16
org 0
cpu 686

%ifndef ITERS
ITERS      equ 2000
%endif

SEG_A      equ 0x1000           ; 64 KiB of data, filled at start
SEG_B      equ 0x2000           ; the copy's destination, the look-up table
SEG_STACK  equ 0x3000
WORDS      equ 8192             ; the checksum's 16 KiB
COPY_WORDS equ 2048             ; the copy's 4 KiB
WALK       equ 1024             ; table-walk elements


section .text
main:
  cli
  cld
  mov ax, SEG_STACK
  mov ss, ax
  mov sp, 0xfffe
  call uart_init
  call data_init
  mov si, msg_start
  call puts
  xor edi, edi                  ; the checksum
  mov bp, ITERS
.pass:
  call checksum
  call walk
  call copy
  call mix
  dec bp
  jnz .pass
  mov si, msg_end
  call puts
  mov eax, edi
  call puthex32
  mov al, 10
  call putc
  cli
  hlt

; data_init: SEG_A:0..FFFF with a word pattern, SEG_B:0..FF a byte table.
data_init:
  mov ax, SEG_A
  mov es, ax
  xor di, di
  mov ax, 0x1234
  mov cx, 0x8000
.a:
  stosw
  add ax, 0x9e37
  rol ax, 3
  loop .a
  mov ax, SEG_B
  mov es, ax
  xor di, di
  mov cx, 256
  mov al, 0x5b
.b:
  stosb
  add al, 0x3d
  loop .b
  ret

; checksum: EDI += a 16-bit sum with carries of SEG_A:0..WORDS*2.
checksum:
  push ds
  mov ax, SEG_A
  mov ds, ax
  xor si, si
  xor dx, dx
  mov cx, WORDS
.l:
  lodsw
  add dx, ax
  adc dx, 0
  dec cx
  jnz .l
  pop ds
  movzx edx, dx
  add edi, edx
  ret

; walk: for WALK bytes of SEG_A, look each up in SEG_B's table through a
; routine called with two stack arguments; odd results are added, even
; ones XORed into EDI.
walk:
  push ds
  push es
  mov ax, SEG_A
  mov ds, ax
  mov ax, SEG_B
  mov es, ax
  xor bx, bx
  mov si, 0x100
  mov cx, WALK
.l:
  mov al, [bx+si]
  xor ah, ah
  push ax
  push cx
  call lookup
  add sp, 4
  test al, 1
  jz .even
  movzx eax, ax
  add edi, eax
  jmp .next
.even:
  xor di, ax
.next:
  inc si
  dec cx
  jnz .l
  pop es
  pop ds
  ret

; lookup(count, byte): AX = table[byte] * 3 + count, through BP.
lookup:
  push bp
  mov bp, sp
  push bx
  mov bx, [bp+6]                ; the byte
  mov al, [es:bx]
  xor ah, ah
  mov bx, ax
  shl ax, 1
  add ax, bx
  add ax, [bp+4]                ; the count
  pop bx
  pop bp
  ret

; copy: SEG_A:0 -> SEG_B:1000h, COPY_WORDS words by REP MOVSW; then compare
; back word by word, counting the equal ones into EDI.
copy:
  push ds
  push es
  mov ax, SEG_A
  mov ds, ax
  mov ax, SEG_B
  mov es, ax
  xor si, si
  mov di, 0x1000
  mov cx, COPY_WORDS
  rep movsw
  xor si, si
  mov bx, 0x1000
  mov cx, COPY_WORDS
  xor dx, dx
.l:
  mov ax, [si]
  cmp ax, [es:bx]
  jne .ne
  inc dx
.ne:
  add si, 2
  add bx, 2
  loop .l
  pop es
  pop ds
  movzx edx, dx
  add edi, edx
  ret

; mix: 256 rounds of a 32-bit multiply-add on EDI in 16-bit code.
mix:
  mov cx, 256
.l:
  mov eax, edi
  mov edx, 0x9e3779b1
  mul edx
  xor eax, edx
  add eax, 0x6a09e667
  mov edi, eax
  loop .l
  ret

%include "uart.inc"

; putc: AL to COM1 once the transmitter holding register is empty.
putc:
  push dx
  push ax
  mov dx, UART_LSR
.w:
  in al, dx
  test al, LSR_THRE
  jz .w
  pop ax
  mov dx, UART_THR
  out dx, al
  pop dx
  ret

; puts: CS:SI until NUL.
puts:
  push ax
  push si
.l:
  mov al, [cs:si]
  test al, al
  jz .d
  call putc
  inc si
  jmp .l
.d:
  pop si
  pop ax
  ret

; puthex32: EAX as 8 lower-case hex digits.
puthex32:
  push eax
  push cx
  mov cx, 8
.l:
  rol eax, 4
  push eax
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .p
  add al, 'a' - '9' - 1
.p:
  call putc
  pop eax
  loop .l
  pop cx
  pop eax
  ret

msg_start: db "REAL16-START", 10, 0
msg_end:   db "REAL16-END ", 0

section .reset start=0xfff0
  jmp 0xf000:main
  times 16 - ($ - $$) db 0xf4
