; Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts
; (CR4.PVI), SDM vol. 3 §20.3, §20.4 (table 20-2) and vol. 2 CLI, STI, PUSHF,
; POPF, INT n, IRET. Expected values: tests/guest/vme.test.ts (from the SDM;
; QEMU's TCG has no VME). Without the feature only the first part runs: CPUID
; and CR4.VME/PVI reserved.
;
; The ring-0 monitor: #GP prints "#GP e=<error> op=<opcode bytes> fl=<EFLAGS
; image & 1A7300h>" and skips the instruction; IDT gates 1, 3, 4, 40h, 50h
; print "idtVV eip=ok|bad cs= fl= sp= ss=" (eip=ok: the return address is DI);
; INT 7Fh (through its gate, or as a #GP with IOPL < 3) is a service: BL=1
; EFLAGS image := (image & ~ECX) | EDX, 2 TSS I/O map base := DX, 3 on to the
; PVI part, 4 CR4 := (CR4 & ~ECX) | EDX, 5 the end, 6 on to ring 1 with PVI.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define V86_CS 0xf000
%define V86_SS 0x0800
%define V86_SP 0x0ff0
%define SEL_TSSV 0x40          ; TSS at TSS_A with a redirection bitmap
%define IOMAP 0x88             ; redirection bitmap at 68h-87h, I/O bitmap 88h-A7h
%define TSSV_LIMIT 0xa8
%define FLMASK 0x1a7300        ; VIP VIF VM NT IOPL IF TF
%define SEL_CODE1 0x49         ; ring 1 code (base F0000h) and data, for PVI at CPL 1
%define SEL_DATA1 0x51

main:
  mov sp, 0x7000
  mov al, 0xff                 ; no IRQs: IF is set in v8086 mode below
  out 0x21, al
  out 0xa1, al
  PM_ENTER
  mov eax, 1
  cpuid
  PPUTS "cpuid.1 edx.vme="
  mov eax, edx
  and eax, 2
  call phex8
  call pnl
  mov ebp, edx
  SET_RESUME .pvi
  mov eax, cr4
  or eax, 1                    ; CR4.VME
  mov cr4, eax
.pvi:
  SET_RESUME .rd
  mov eax, cr4
  or eax, 2                    ; CR4.PVI
  mov cr4, eax
.rd:
  SET_RESUME 0
  PPUTS "cr4="
  mov eax, cr4
  and eax, 3
  call phex8
  call pnl
  test ebp, 2
  jnz .vme
  PPUTS "no vme"
  call pnl
  EXIT 0
.vme:
  mov eax, cr4
  and eax, ~3
  mov cr4, eax
  ; TSS_A: ring-0 stack, redirection bitmap (vectors 3, 4, 40h clear: redirected),
  ; I/O bitmap with ports 0-FFh allowed.
  SET_DESC SEL_TSSV, TSS_A, TSSV_LIMIT, ACC_TSS32, 0
  SET_DESC SEL_CODE1, 0xf0000, 0xffff, 0xbb, FL_32
  SET_DESC SEL_DATA1, 0, 0xfffff, 0xb3, FL_32G
  mov dword [TSS_A + 4], STACK0_TSS
  mov dword [TSS_A + 8], SEL_DATA0
  mov word [TSS_A + 0x66], IOMAP
  mov ebx, TSS_A + IOMAP - 32
.rb:
  mov byte [ebx], 0xff
  add ebx, 1
  cmp ebx, TSS_A + IOMAP
  jne .rb
  mov byte [TSS_A + IOMAP - 32 + 0], 0xe7     ; vectors 3 and 4
  mov byte [TSS_A + IOMAP - 32 + 8], 0xfe     ; vector 40h
  mov byte [TSS_A + TSSV_LIMIT], 0xff
  mov ax, SEL_TSSV
  ltr ax
  ; the v8086 task's IVT at linear 0
  mov dword [3 * 4], (V86_CS << 16) + v86_h03
  mov dword [0x40 * 4], (V86_CS << 16) + v86_h40
  SET_GATE 1, SEL_CODE0, idt_1, GATE_INT32
  SET_GATE 3, SEL_CODE0, idt_3, GATE_INT32 | DPL3
  SET_GATE 4, SEL_CODE0, idt_4, GATE_INT32 | DPL3
  SET_GATE 13, SEL_CODE0, gp_handler, GATE_INT32
  SET_GATE 0x40, SEL_CODE0, idt_0x40, GATE_INT32 | DPL3
  SET_GATE 0x50, SEL_CODE0, idt_0x50, GATE_INT32 | DPL3
  SET_GATE 0x7f, SEL_CODE0, svc_idt, GATE_INT32 | DPL3
  push dword 0                 ; GS
  push dword 0                 ; FS
  push dword 0                 ; DS
  push dword 0                 ; ES
  push dword V86_SS
  push dword V86_SP
  push dword 0x00023202        ; VM, IOPL 3, IF
  push dword V86_CS
  push dword v86main
  iretd

bits 16
%macro V86FL 1                 ; print "<text> " and FLAGS as PUSHF gives them, & 7301h
  PUTS %1
  PUTS " "
  pushf
  pop ax
  and ax, 0x7301
  call rhex16
  call rnl
%endmacro
%macro SVC 3                   ; SVC function, ECX, EDX
  mov bl, %1
  mov ecx, %2
  mov edx, %3
  int 0x7f
%endmacro

v86main:
  PUTS "a0"
  call rnl
  mov di, .a0
  int 0x40                     ; CR4.VME = 0, IOPL 3: the IDT (method 1)
.a0:
  SVC 4, 1, 1                  ; CR4.VME = 1
  PUTS "a1"
  call rnl
  mov di, .a1
  int 0x40                     ; bit clear, IOPL 3: the IVT (method 5)
.a1:
  V86FL "a1 back"
  mov di, .a2
  int 0x50                     ; bit set, IOPL 3: the IDT (method 4)
.a2:
  SVC 1, 0x183000, 0x80000     ; IOPL 0, VIF 1, VIP 0 (IF stays 1)
  V86FL "b1 pushf"
  cli
  V86FL "b1 cli"
  int 0x50                     ; bit set, IOPL 0: #GP(0) (method 3)
  PUTS "b2"
  call rnl
  mov di, .b2
  int 0x40                     ; bit clear, IOPL 0: the IVT (method 6), VIF 0
.b2:
  V86FL "b2 back"
  sti
  V86FL "b3 sti"
  int 0x50
  mov di, .b3
  int 0x40                     ; method 6 with VIF 1
.b3:
  V86FL "b3 back"
  ; POPF at IOPL 0 (16-bit): TF in the image #GP; IF goes to VIF; IF, IOPL stay
  push word 0x0100
  popf
  add sp, 2
  push word 0x0000
  popf
  V86FL "b4 popf 0000"
  push word 0x3000
  popf
  int 0x50                     ; shows IF 1 and IOPL 0 kept
  push word 0x0201
  popf
  V86FL "b4 popf 0201"
  ; VIP set: STI, POPF/IRET setting IF fault; clearing IF does not
  cli
  SVC 1, 0x100000, 0x100000
  sti
  push word 0x0200
  popf
  add sp, 2
  push word 0x0200
  push cs
  push word .b5bad
  iret
  add sp, 6
  jmp .b5c
.b5bad:
  PUTS "iret with VIP BAD"
  call rnl
.b5c:
  push word 0x0000
  popf
  cli
  int 0x50
  SVC 1, 0x100000, 0
  ; IRET at IOPL 0: TF in the image #GP; otherwise IF -> VIF, IOPL stays
  push word 0x0100
  push cs
  push word .b6bad
  iret
  add sp, 6
  jmp .b6c
.b6bad:
  PUTS "iret with TF BAD"
  call rnl
.b6c:
  push word 0x3201
  push cs
  push word .b7
  iret
  PUTS "iret BAD"
  call rnl
.b7:
  V86FL "b7 iret"
  int 0x50
  ; 32-bit forms stay IOPL-sensitive
  push dword 0x200
  o32 push cs
  push dword .b8bad
  o32 iret
  add sp, 12
  jmp .b8c
.b8bad:
  PUTS "iretd BAD"
  call rnl
.b8c:
  o32 pushf
  push dword 0
  o32 popf
  add sp, 4
  ; INT3, INTO, INT1 are not INT n: the IDT, whatever the bitmap
  mov di, .b10a
  int3
.b10a:
  mov di, .b10b
  int 3                        ; CD 03: redirected (bit 3 clear)
.b10b:
  mov al, 0x7f
  add al, 1                    ; OF
  mov di, .b10c
  into
.b10c:
  mov di, .b10d
  db 0xf1                      ; INT1 (ICEBP)
.b10d:
  ; the bitmap beyond the TSS limit: #GP(0) (no printing meanwhile: the I/O
  ; bitmap is beyond it too)
  SVC 2, 0, 0x100
  int 0x40
  SVC 2, 0, IOMAP
  PUTS "b11"
  call rnl
  mov di, .b11
  int 0x40
.b11:
  SVC 3, 0, 0

; v8086 handlers in the task's IVT
v86_h40:
  push bp
  mov bp, sp
  PUTS "h40 sp="
  lea ax, [bp + 2]
  call rhex16
  PUTS " ip="
  cmp di, [bp + 2]
  je .ok
  PUTS "bad"
  jmp .c
.ok:
  PUTS "ok"
.c:
  PUTS " cs="
  mov ax, [bp + 4]
  call rhex16
  PUTS " img="
  mov ax, [bp + 6]
  and ax, 0x7301
  call rhex16
  PUTS " now="
  pushf
  pop ax
  and ax, 0x7301
  call rhex16
  call rnl
  push di
  mov di, .r
  int 0x50
.r:
  pop di
  pop bp
  iret

v86_h03:
  push bp
  mov bp, sp
  PUTS "h03 ip="
  cmp di, [bp + 2]
  je .ok
  PUTS "bad"
  jmp .c
.ok:
  PUTS "ok"
.c:
  PUTS " img="
  mov ax, [bp + 6]
  and ax, 0x7301
  call rhex16
  call rnl
  pop bp
  iret

bits 32
; PVI: CPL 3, IOPL 0 (SDM vol. 3 §20.4)
phase_pvi:
  mov ax, SEL_DATA0
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov esp, STACK0_TOP
  PPUTS "pvi"
  call pnl
  mov eax, cr4
  or eax, 2
  mov cr4, eax
  push dword SEL_DATA3
  push dword STACK3_TOP
  push dword 0x0002            ; IOPL 0, IF 0
  push dword SEL_CODE3
  push dword ring3
  iretd

ring3:
  mov esi, 4                   ; a loop: the translator sees these more than once
.l:
  sti
  pushfd
  pop eax
  cli
  pushfd
  pop ebx
  sub esi, 1
  jnz .l
  PPUTS "c1 sti "
  and eax, FLMASK
  call phex32
  PPUTS " cli "
  mov eax, ebx
  and eax, FLMASK
  call phex32
  call pnl
  mov bl, 1
  mov ecx, 0x100000
  mov edx, 0x100000
  int 0x7f                     ; VIP
  sti                          ; #GP(0)
  cli                          ; VIF 0 again: no fault
  PPUTS "c2 cli ok"
  call pnl
  mov bl, 1
  mov ecx, 0x100000
  mov edx, 0
  int 0x7f
  mov bl, 4
  mov ecx, 2
  mov edx, 0
  int 0x7f                     ; CR4.PVI = 0
  cli                          ; #GP(0)
  sti                          ; #GP(0)
  mov bl, 6
  int 0x7f

; CPL 1, IOPL 0, CR4.PVI = 1: PVI is for CPL 3 only, CLI and STI #GP(0)
ring1:
  PPUTS "cpl1"
  call pnl
  cli
  sti
  mov bl, 5
  int 0x7f

to_ring1:
  mov esp, STACK0_TOP
  mov eax, cr4
  or eax, 2
  mov cr4, eax
  push dword SEL_DATA1
  push dword 0x8800
  push dword 0x0002
  push dword SEL_CODE1
  push dword ring1
  iretd

finish:
  mov ax, SEL_DATA0
  mov ds, ax
  PPUTS "done"
  call pnl
  EXIT 0

; --- the ring-0 monitor ---
%macro IDT_STUB 1
idt_%1:
  push dword %1
  jmp idt_common
%endmacro
IDT_STUB 1
IDT_STUB 3
IDT_STUB 4
IDT_STUB 0x40
IDT_STUB 0x50

; [esp] vector, then EIP CS EFLAGS ESP SS (ES DS FS GS from v8086 mode)
idt_common:
  push eax
  PPUTS "idt"
  mov al, [esp + 4]
  call phex8
  PPUTS " eip="
  mov ax, [esp + 8]
  cmp ax, di
  je .ok
  PPUTS "bad"
  jmp .c
.ok:
  PPUTS "ok"
.c:
  PPUTS " cs="
  mov ax, [esp + 12]
  call phex16
  PPUTS " fl="
  mov eax, [esp + 16]
  and eax, FLMASK
  call phex32
  PPUTS " sp="
  mov ax, [esp + 20]
  call phex16
  PPUTS " ss="
  mov ax, [esp + 24]
  call phex16
  call pnl
  pop eax
  add esp, 4
  iretd

; the service: EAX = the frame (EIP CS EFLAGS), BL function, ECX, EDX
svc:
  cmp bl, 1
  jne .n2
  push ecx
  not ecx
  and [eax + 8], ecx
  pop ecx
  push edx
  and edx, ecx
  or [eax + 8], edx
  pop edx
  ret
.n2:
  cmp bl, 2
  jne .n3
  mov [TSS_A + 0x66], dx
  ret
.n3:
  cmp bl, 3
  je phase_pvi
  cmp bl, 5
  je finish
  cmp bl, 6
  je to_ring1
  push eax
  mov eax, cr4
  not ecx
  and eax, ecx
  not ecx
  or eax, edx
  mov cr4, eax
  pop eax
  ret

svc_idt:
  push ds
  push eax
  mov ax, SEL_DATA0
  mov ds, ax
  lea eax, [esp + 8]
  call svc
  pop eax
  pop ds
  iretd

; [esp] error, then EIP CS EFLAGS ...
gp_handler:
  push ds
  push eax
  push ebx
  mov ax, SEL_DATA0
  mov ds, ax
  test dword [esp + 24], 0x20000
  jz .pm
  movzx eax, word [esp + 20]
  shl eax, 4
  movzx ebx, word [esp + 16]
  add eax, ebx
  jmp .have
.pm:
  mov eax, [esp + 16]
  add eax, 0xf0000
.have:
  movzx eax, word [eax]        ; AL the opcode, AH the next byte
  cmp ax, 0x7fcd
  jne .print
  mov ebx, [esp]
  lea eax, [esp + 16]
  call svc
  add dword [esp + 16], 2
  jmp .ret
.print:
  mov ebx, eax
  PPUTS "#GP e="
  mov eax, [esp + 12]
  call phex32
  PPUTS " op="
  mov al, bl
  call phex8
  cmp bl, 0xcd
  je .two
  cmp bl, 0x66
  je .two
  add dword [esp + 16], 1
  jmp .fl
.two:
  mov al, bh
  call phex8
  add dword [esp + 16], 2
.fl:
  PPUTS " fl="
  mov eax, [esp + 24]
  and eax, FLMASK
  call phex32
  call pnl
.ret:
  pop ebx
  pop eax
  pop ds
  add esp, 4
  iretd
ROM_END
