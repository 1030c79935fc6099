; Virtual-8086 mode (SDM vol. 3 ch. 20): enter with IRETD (VM=1 in the popped
; EFLAGS, segments from the frame), real-mode style segments (base = sel * 16),
; I/O through the TSS bitmap, INT n with IOPL 3 through a DPL 3 gate to ring 0
; (9-dword frame with GS FS DS ES, data segments nulled, stack from TSS0) and
; IRETD back, IRET inside v8086 mode with IOPL 3, then with IOPL 0: INT n, CLI,
; PUSHF and IRET raise #GP(0) to the ring-0 monitor; INT3 to a DPL 0 gate is
; #GP(1Ah). CR4.VME is not used.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define V86_CS 0xf000
%define V86_SS 0x0800
%define V86_SP 0x0ff0

main:
  mov sp, 0x7000
  PM_ENTER
  SET_GATE 0x21, SEL_CODE0, v86_int21, GATE_INT32 | DPL3
  SET_GATE 0x22, SEL_CODE0, v86_iopl0, GATE_INT32 | DPL3
  SET_GATE 13, SEL_CODE0, v86_gp, GATE_INT32
  push dword 0x0300          ; GS
  push dword 0x0200          ; FS
  push dword 0x0100          ; DS
  push dword 0x0400          ; ES
  push dword V86_SS
  push dword V86_SP
  push dword 0x00023002      ; VM, IOPL 3
  push dword V86_CS
  push dword v86code
  iretd

bits 16
v86code:
  mov si, v86msg
  call puts
  mov ax, cs
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, ss
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, ds
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, es
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, fs
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, gs
  call rhex16
  mov al, ' '
  out 0xe9, al
  mov ax, sp
  call rhex16
  mov al, ' '
  out 0xe9, al
  pushf
  pop ax
  and ax, 0x7702
  call rhex16
  call rnl
  mov ax, 0x1234
  mov ds, ax
  mov word [0x10], 0xbeef    ; linear 12350h
  mov ax, [0x10]
  call rhex16
  call rnl

  mov bx, 0x21
  int 0x21
.int21_ret:                  ; the labels name addresses for events.test.ts
  mov si, v86msg2
  call puts
  pushf
  push cs
  push word .after_iret
  iret
.after_iret:
  mov si, v86msg3
  call puts
  int 0x22                   ; ring 0 sets IOPL 0 in our EFLAGS
.gp_pushf:
  pushf                      ; #GP(0)
.gp_int21:
  int 0x21                   ; #GP(0)
.gp_cli:
  cli                        ; #GP(0)
.gp_sti:
  sti                        ; #GP(0)
.gp_iret:
  iret                       ; #GP(0)
.gp_int3:
  int3                       ; gate 3 has DPL 0: #GP(1Ah)
  mov si, v86msg4            ; print without PUSHF (IOPL 0 now)
.pl:
  mov al, [cs:si]
  test al, al
  jz .pd
  out 0xe9, al
  inc si
  jmp .pl
.pd:
  int 0x23                   ; #GP(0): the monitor ends the test

bits 32
; INT 21h from v8086 mode: [esp] EIP CS EFLAGS ESP SS ES DS FS GS
v86_int21:
  PPUTS "int21 ss:esp="
  mov ax, ss
  call phex16
  PPUTS ":"
  mov eax, esp
  call phex32
  PPUTS " segs="
  mov ax, ds
  call phex16
  PPUTS ","
  mov ax, es
  call phex16
  PPUTS ","
  mov ax, fs
  call phex16
  PPUTS ","
  mov ax, gs
  call phex16
  PPUTS " frame"
  xor esi, esi
.l:
  PPUTS " "
  mov eax, [esp + esi * 4]
  cmp esi, 2
  jne .p
  and eax, 0x000f7702
.p:
  call phex32
  add esi, 1
  cmp esi, 9
  jne .l
  call pnl
  iretd

v86_iopl0:
  and dword [esp + 8], ~0x3000
  iretd

; #GP from v8086 mode: [esp] error EIP CS EFLAGS ESP SS ES DS FS GS
v86_gp:
  push eax
  push ebx
  mov ax, SEL_DATA0
  mov ds, ax
  PPUTS "#GP e="
  mov eax, [esp + 8]
  call phex32
  PPUTS " at "
  mov ax, [esp + 16]
  call phex16
  PPUTS ":"
  mov ax, [esp + 12]
  call phex16
  PPUTS " efl="
  mov eax, [esp + 20]
  and eax, 0x000f7702
  call phex32
  ; opcode at CS * 16 + IP
  mov eax, [esp + 16]
  add eax, eax
  add eax, eax
  add eax, eax
  add eax, eax
  add eax, [esp + 12]
  mov bl, [eax]
  PPUTS " op="
  mov al, bl
  call phex8
  call pnl
  cmp bl, 0xcd
  jne .one
  mov eax, [esp + 16]
  add eax, eax
  add eax, eax
  add eax, eax
  add eax, eax
  add eax, [esp + 12]
  cmp byte [eax + 1], 0x23
  je v86_done
  add dword [esp + 12], 1
.one:
  add dword [esp + 12], 1
  pop ebx
  pop eax
  add esp, 4
  iretd

v86_done:
  PPUTS "v86 done, [12350h]="
  mov ax, [0x12350]
  call phex16
  call pnl
  mov ax, SEL_DATA0
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov esp, STACK0_TOP
  PM_LEAVE
  PUTS "real mode again"
  call putnl
  EXIT 0

section .rodata
v86msg: db "v86 cs ss ds es fs gs sp fl: ", 0
v86msg2: db "v86 after int21", 10, 0
v86msg3: db "v86 after iret", 10, 0
v86msg4: db "v86 after #GPs", 10, 0
section .text
ROM_END
