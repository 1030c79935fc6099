; Privilege-level transfers (SDM vol. 3 §5.8, §6.12): ring 0 -> ring 3 with IRET
; (data segments above CPL are nulled), ring 3 -> ring 0 through interrupt, trap
; and 16-bit interrupt gates with the stack from TSS0 (the handler prints its own
; SS:ESP and the pushed frame), 32- and 16-bit call gates with parameter copying
; and RETF n back to ring 3, a conforming code segment, and the faults: INT n to
; a DPL 0 gate (#GP(n*8+2)), far CALL to ring 0 code, JMP through a call gate to
; an inner ring, MOV DS at ring 3, LGDT at ring 3, RETF to an inner ring.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define S_CGATE32 0x40
%define S_CGATE16 0x48
%define S_CONF0   0x50   ; conforming code, DPL 0
%define S_TSSFIX  0x58   ; task for #TS
%define EFL_MASK  0x000f7702  ; system flags and bit 1 (arithmetic flags vary)

main:
  mov sp, 0x7000
  PM_ENTER
  SET_GATE 0x80, SEL_CODE0, int80, GATE_INT32 | DPL3
  SET_GATE 0x81, SEL_CODE0, int80, GATE_INT32
  SET_GATE 0x82, SEL_CODE0, finish, GATE_INT32 | DPL3
  SET_GATE 0x83, SEL_CODE0, int80, GATE_TRAP32 | DPL3
  SET_GATE 0x84, SEL_CODE0, int84, GATE_INT16 | DPL3
  SET_GATE_DESC S_CGATE32, SEL_CODE0, cg32, GATE_CALL32 | DPL3, 2
  SET_GATE_DESC S_CGATE16, SEL_CODE0, cg16, GATE_CALL16 | DPL3, 1
  SET_DESC S_CONF0, 0xf0000, 0xffff, 0x9f, FL_32
  SET_GATE 0x85, SEL_CODE0, int85, GATE_INT32 | DPL3
  ; #TS handler task
  SET_DESC S_TSSFIX, TSS_A, 0x67, ACC_TSS32, 0
  SET_GATE 10, S_TSSFIX, 0, GATE_TASK
  mov dword [TSS_A + 0x20], tsfix
  mov dword [TSS_A + 0x24], 2
  mov dword [TSS_A + 0x38], 0x8800
  mov dword [TSS_A + 0x48], SEL_DATA0
  mov dword [TSS_A + 0x4c], SEL_CODE0
  mov dword [TSS_A + 0x50], SEL_DATA0
  mov dword [TSS_A + 0x54], SEL_DATA0
  mov ax, SEL_DATA3
  mov fs, ax                ; DPL 3: survives the IRET to ring 3
  TO_RING3 r3

bits 32
r3:
  PPUTS "r3 cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  PPUTS " ds="
  mov ax, ds
  call phex16
  PPUTS " es="
  mov ax, es
  call phex16
  PPUTS " fs="
  mov ax, fs
  call phex16
  PPUTS " gs="
  mov ax, gs
  call phex16
  PPUTS " esp="
  mov eax, esp
  call phex32
  call pnl
  mov ax, SEL_DATA3
  mov ds, ax
  mov es, ax

  mov ebx, 0x80
  int 0x80
  PPUTS "r3 after int80 esp="
  mov eax, esp
  call phex32
  pushfd
  pop eax
  and eax, EFL_MASK
  PPUTS " efl="
  call phex32
  call pnl
  mov ebx, 0x83
  int 0x83                  ; trap gate
  mov ebx, 0x84
  int 0x84                  ; 16-bit interrupt gate
  PPUTS "r3 after int84 esp="
  mov eax, esp
  call phex32
  call pnl

  SET_RESUME .r1
  int 0x81                  ; gate DPL 0 < CPL 3: #GP(40Ah)
.r1:
  SET_RESUME .r2
  int3                      ; IDT gate 3 has DPL 0: #GP(1Ah)
.r2:
  SET_RESUME .r3
  call SEL_CODE0:int80      ; non-conforming DPL 0 from CPL 3: #GP(8)
.r3:
  SET_RESUME .r4
  jmp S_CGATE32 | 3:0       ; JMP through a call gate may not change CPL: #GP(8)
.r4:
  SET_RESUME .r5
  mov ax, SEL_DATA0
  mov ds, ax                ; #GP(10h)
.r5:
  SET_RESUME .r6
  lgdt [PM_SCRATCH]         ; #GP(0)
.r6:
  SET_RESUME .r7
  push dword SEL_CODE0
  push dword .r7
  retf                      ; RETF to an inner ring: #GP(8)
.r7:
  SET_RESUME 0
  add esp, 8

  ; 32-bit call gate with two dword parameters
  mov ax, SEL_DATA3
  mov gs, ax
  push dword 0xaaaa0001
  push dword 0xbbbb0002
  call S_CGATE32 | 3:0
  PPUTS "r3 after cg32 esp="
  mov eax, esp
  call phex32
  PPUTS " ds="
  mov ax, ds
  call phex16
  PPUTS " es="
  mov ax, es
  call phex16
  PPUTS " fs="
  mov ax, fs
  call phex16
  PPUTS " gs="
  mov ax, gs
  call phex16
  call pnl
  mov ax, SEL_DATA3
  mov ds, ax
  mov es, ax

  ; 16-bit call gate with one word parameter
  push word 0xcc03
  call S_CGATE16 | 3:0
  PPUTS "r3 after cg16 esp="
  mov eax, esp
  call phex32
  call pnl

  ; conforming code runs at the caller's CPL
  call S_CONF0 | 3:conf
  PPUTS "r3 after conf cs="
  mov ax, cs
  call phex16
  call pnl

  ; #TS through a task gate: the TSS names a null SS0 for the INT from ring 3;
  ; the handler task repairs it and IRETs to the faulting INT, which then works.
  mov dword [TSS0 + 8], 0
  mov ebx, 0x80
  int 0x80
  PPUTS "r3 after #TS"
  call pnl

  ; IOPL 0 at CPL 3: CLI and STI fault, I/O still allowed by the TSS bitmap.
  int 0x85
  SET_RESUME .c1
  cli                       ; #GP(0)
.c1:
  SET_RESUME .c2
  sti                       ; #GP(0)
.c2:
  SET_RESUME 0
  pushfd
  pop eax
  and eax, EFL_MASK
  PPUTS "r3 iopl0 efl="
  call phex32
  call pnl
  int 0x82

; --- ring 0 handlers ---
; print "tag ss:esp=SSSS:EEEEEEEE frame: eip cs efl esp ss" for a 32-bit frame at [esp]
int80:
  push ebp
  mov ebp, esp
  push eax
  PPUTS "int "
  mov eax, ebx
  call phex8
  PPUTS " cs="
  mov ax, cs
  call phex16
  PPUTS " ss:esp="
  mov ax, ss
  call phex16
  PPUTS ":"
  mov eax, ebp
  add eax, 4
  call phex32
  PPUTS " frame"
  mov eax, [ebp + 4]
  PPUTS " eip="
  call phex32
  mov eax, [ebp + 8]
  PPUTS " cs="
  call phex32
  mov eax, [ebp + 12]
  and eax, EFL_MASK
  PPUTS " efl="
  call phex32
  mov eax, [ebp + 16]
  PPUTS " esp="
  call phex32
  mov eax, [ebp + 20]
  PPUTS " ss="
  call phex32
  pushfd
  pop eax
  and eax, EFL_MASK
  PPUTS " now efl="
  call phex32
  call pnl
  pop eax
  pop ebp
  iretd

; 16-bit gate: frame of words IP CS FLAGS SP SS
int84:
  push ebp
  mov ebp, esp
  push eax
  PPUTS "int 84 ss:esp="
  mov ax, ss
  call phex16
  PPUTS ":"
  mov eax, ebp
  add eax, 4
  call phex32
  PPUTS " frame"
  mov ax, [ebp + 4]
  PPUTS " ip="
  call phex16
  mov ax, [ebp + 6]
  PPUTS " cs="
  call phex16
  mov ax, [ebp + 8]
  and ax, 0x7702
  PPUTS " fl="
  call phex16
  mov ax, [ebp + 10]
  PPUTS " sp="
  call phex16
  mov ax, [ebp + 12]
  PPUTS " ss="
  call phex16
  call pnl
  pop eax
  pop ebp
  o16 iret

; 32-bit call gate target: [esp] EIP CS p2 p1 ESP SS
cg32:
  PPUTS "cg32 cs="
  mov ax, cs
  call phex16
  PPUTS " ss:esp="
  mov ax, ss
  call phex16
  PPUTS ":"
  mov eax, esp
  call phex32
  PPUTS " frame"
  xor esi, esi
.l:
  PPUTS " "
  mov eax, [esp + esi * 4]
  call phex32
  add esi, 1
  cmp esi, 6
  jne .l
  call pnl
  mov ax, SEL_DATA0
  mov ds, ax                ; DPL 0: nulled by the RETF to ring 3
  mov es, ax
  retf 8

; 16-bit call gate target: [esp] IP CS p1 SP SS (words)
cg16:
  PPUTS "cg16 ss:esp="
  mov ax, ss
  call phex16
  PPUTS ":"
  mov eax, esp
  call phex32
  PPUTS " frame"
  xor esi, esi
.l:
  PPUTS " "
  mov ax, [esp + esi * 2]
  call phex16
  add esi, 1
  cmp esi, 5
  jne .l
  call pnl
  o16 retf 2

conf:
  PPUTS "conf cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  call pnl
  retf

; IOPL := 0 in the caller's EFLAGS
int85:
  and dword [esp + 8], ~0x3000
  iretd

; #TS task: error code on its stack; the faulting task is TSS0 at CPL 3
tsfix:
  pop eax
  PPUTS "#TS task e="
  call phex32
  PPUTS " link="
  mov ax, [TSS_A]
  call phex16
  PPUTS " saved cs="
  mov ax, [TSS0 + 0x4c]
  call phex16
  PPUTS " ss="
  mov ax, [TSS0 + 0x50]
  call phex16
  call pnl
  mov dword [TSS0 + 8], SEL_DATA0
  iretd
  jmp tsfix

finish:
  PPUTS "finish cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  call pnl
  mov ax, SEL_DATA0
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov esp, STACK0_TOP
  PM_LEAVE
  PUTS "real mode again"
  call putnl
  EXIT 0
ROM_END
