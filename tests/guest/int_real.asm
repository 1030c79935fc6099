; Real-address mode interrupts and far transfers (SDM vol. 3 §20.1.4; vol. 2 INT
; n/INTO/INT3, IRET, CALL/JMP/RET far, BOUND): frames pushed through the IVT,
; IRET and IRETD, far CALL/JMP with ptr16:16, m16:16, m16:32 and 32-bit operand
; size, RETF n, BOUND #BR, CLI/STI. (INT1 is left out: QEMU resets on it in real
; mode instead of delivering vector 1.)
%include "lib/rom.inc"
%include "lib/pm.inc"

%macro SETVEC 2
  mov word [(%1) * 4], %2
  mov word [(%1) * 4 + 2], 0xf000
%endmacro

main:
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  SETVEC 0x40, show_frame
  SETVEC 3, show_frame
  SETVEC 4, show_frame
  SETVEC 5, br_handler
  mov bx, 0x40
  int 0x40
  mov bx, 3
  int3
  mov bx, 4
  mov al, 0x10
  add al, 0x10              ; OF = 0
  into                      ; nothing
  mov al, 0x7f
  add al, 1                 ; OF = 1
  into
  mov si, msg_after
  call puts

  ; IRETD: 32-bit frame built by hand
  pushfd
  push dword 0xf000
  push dword .after_iretd
  iretd
.after_iretd:
  mov si, msg_iretd
  call puts
  mov ax, sp
  call rhex16
  call rnl

  ; far calls and jumps
  call 0xf000:farproc
  push word 0x1111
  push word 0x2222
  call far [cs:ptr_far2]
  mov si, msg_sp
  call puts
  mov ax, sp
  call rhex16
  call rnl
  o32 call far [cs:ptr_far32]
  call dword 0xf000:farproc32
  jmp far [cs:ptr_jmp]
  mov si, msg_bad
  call puts
.jmp_target:
  mov si, msg_jmp
  call puts

  ; BOUND: in range, then #BR (the handler skips the 5-byte instruction)
  mov ax, 3
  bound ax, [cs:bndpair]
  mov ax, 9
  bound ax, [cs:bndpair]
  mov si, msg_bound
  call puts

  cli
  sti
  cli
  mov si, msg_done
  call puts
  EXIT 0

; print "vec BB ip=IIII cs=CCCC fl=FFFF sp=SSSS"
show_frame:
  push bp
  mov bp, sp
  push ax
  push si
  mov si, msg_vec
  call puts
  mov al, bl
  call rhex8
  mov si, msg_ip
  call puts
  mov ax, [bp + 2]
  call rhex16
  mov si, msg_cs
  call puts
  mov ax, [bp + 4]
  call rhex16
  mov si, msg_fl
  call puts
  mov ax, [bp + 6]
  and ax, 0x7f02            ; system flags and OF (set by the ADD before INTO)
  call rhex16
  mov si, msg_spx
  call puts
  mov ax, bp
  add ax, 2
  call rhex16
  pushf
  pop ax
  and ax, 0x0300
  mov si, msg_now
  call puts
  call rhex16
  call rnl
  pop si
  pop ax
  pop bp
  iret

br_handler:
  push bp
  mov bp, sp
  mov si, msg_br
  call puts
  mov ax, [bp + 2]
  call rhex16
  call rnl
  add word [bp + 2], 5
  pop bp
  iret

farproc:
  push bp
  mov bp, sp
  mov si, msg_far
  call puts
  mov ax, [bp + 2]
  call rhex16
  mov al, ' '
  call putc
  mov ax, [bp + 4]
  call rhex16
  call rnl
  pop bp
  retf

farproc2:
  push bp
  mov bp, sp
  mov si, msg_far2
  call puts
  mov ax, [bp + 4]
  call rhex16
  mov al, ' '
  call putc
  mov ax, [bp + 6]
  call rhex16
  mov al, ' '
  call putc
  mov ax, [bp + 8]
  call rhex16
  call rnl
  pop bp
  retf 4

farproc32:
  push bp
  mov bp, sp
  mov si, msg_far32
  call puts
  mov ax, [bp + 6]
  call rhex16
  mov al, ' '
  call putc
  mov ax, [bp + 8]
  call rhex16
  mov al, ' '
  call putc
  mov ax, [bp + 10]
  call rhex16
  call rnl
  pop bp
  o32 retf

section .rodata
ptr_far2: dw farproc2, 0xf000
ptr_far32: dd farproc32
  dw 0xf000
ptr_jmp: dw main.jmp_target, 0xf000
bndpair: dw 0, 5
msg_vec: db "vec ", 0
msg_ip: db " ip=", 0
msg_cs: db " cs=", 0
msg_fl: db " fl=", 0
msg_spx: db " sp=", 0
msg_now: db " now=", 0
msg_after: db "after ints", 10, 0
msg_iretd: db "after iretd sp=", 0
msg_far: db "far ret ", 0
msg_far2: db "far2 ret cs p2 p1: ", 0
msg_far32: db "far32 hi cs cs-hi: ", 0
msg_sp: db "after retf 4 sp=", 0
msg_jmp: db "jmp far ok", 10, 0
msg_bad: db "jmp far FAILED", 10, 0
msg_br: db "#BR at ", 0
msg_bound: db "after bound", 10, 0
msg_done: db "done", 10, 0
section .text
ROM_END
