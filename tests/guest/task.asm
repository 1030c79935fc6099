; Hardware task switches (SDM vol. 3 ch. 7): CALL to a 32-bit TSS and IRET back
; (NT, back-link, busy bits, registers saved and restored, CR0.TS), JMP through a
; task gate and JMP back (busy bits cleared, NT not set), INT n through an IDT
; task gate twice (the task resumes after its IRET), a 16-bit TSS, an exception
; with an error code through a task gate, and the faults: CALL to a busy TSS
; (#GP(sel)), a TSS whose limit is too small (#TS(sel)).
%include "lib/rom.inc"
%include "lib/pm.inc"

%define S_TSSA  0x40
%define S_TGATE 0x48
%define S_TSSB  0x50
%define S_TSSC  0x58
%define S_TSSD  0x60    ; 16-bit TSS
%define S_TSSX  0x68    ; limit too small
%define TSS_C   0x3300
%define TSS_D   0x3400

; INIT_TSS32 base, eip, esp, ebx: a ring-0 task with flat data segments
%macro INIT_TSS32 4
  mov dword [%1 + 0x1c], 0
  mov dword [%1 + 0x20], %2
  mov dword [%1 + 0x24], 2
  mov dword [%1 + 0x34], %4
  mov dword [%1 + 0x38], %3
  mov dword [%1 + 0x48], SEL_DATA0
  mov dword [%1 + 0x4c], SEL_CODE0
  mov dword [%1 + 0x50], SEL_DATA0
  mov dword [%1 + 0x54], SEL_DATA0
  mov dword [%1 + 0x58], SEL_DATA0
  mov dword [%1 + 0x5c], SEL_DATA0
  mov dword [%1 + 0x60], 0
%endmacro

main:
  mov sp, 0x7000
  PM_ENTER
  mov ebx, TSS_C
.z:
  mov dword [ebx], 0
  add ebx, 4
  cmp ebx, TSS_D + 0x100
  jne .z
  SET_DESC S_TSSA, TSS_A, 0x67, ACC_TSS32, 0
  SET_GATE_DESC S_TGATE, S_TSSA, 0, GATE_TASK, 0
  SET_DESC S_TSSB, TSS_B, 0x67, ACC_TSS32, 0
  SET_DESC S_TSSC, TSS_C, 0x67, ACC_TSS32, 0
  SET_DESC S_TSSD, TSS_D, 0x2b, ACC_TSS16, 0
  SET_DESC S_TSSX, TSS_C, 0x60, ACC_TSS32, 0
  INIT_TSS32 TSS_A, task_a, 0x8800, 0xa0a0a0a0
  INIT_TSS32 TSS_B, task_b, 0x8a00, 0xb0b0b0b0
  INIT_TSS32 TSS_C, task_c, 0x8c00, 0xc0c0c0c0
  ; 16-bit TSS: IP 0Eh, FLAGS 10h, AX..DI 12h..20h, ES CS SS DS 22h..28h, LDT 2Ah
  mov word [TSS_D + 0x0e], task_d
  mov word [TSS_D + 0x10], 2
  mov word [TSS_D + 0x18], 0xd0d0
  mov word [TSS_D + 0x1a], 0x8e00
  mov word [TSS_D + 0x22], SEL_DATA0
  mov word [TSS_D + 0x24], SEL_CODE0
  mov word [TSS_D + 0x26], SEL_DATA0
  mov word [TSS_D + 0x28], SEL_DATA0
  SET_GATE 0x60, S_TSSB, 0, GATE_TASK

  mov ebx, 0x11111111
  mov esi, 0x22222222
  call S_TSSA:0
  PPUTS "main after call:"
  call show
  mov eax, cr0
  and eax, 8
  PPUTS " ts="
  call phex8
  PPUTS " ebx="
  mov eax, ebx
  call phex32
  PPUTS " esi="
  mov eax, esi
  call phex32
  PPUTS " saved eipA="
  mov eax, [TSS_A + 0x20]
  sub eax, task_a
  call phex32
  call pnl

  jmp S_TGATE:0
  PPUTS "main after jmp:"
  call show
  call pnl

  int 0x60
  PPUTS "main after int60:"
  call show
  call pnl
  int 0x60
  PPUTS "main after int60 #2:"
  call show
  call pnl

  call S_TSSD:0
  PPUTS "main after call16:"
  call show
  PPUTS " ebx="
  mov eax, ebx
  call phex32
  call pnl

  SET_RESUME .f1
  call SEL_TSS0:0           ; busy: #GP(28h)
.f1:
  SET_RESUME .f2
  jmp S_TSSX:0              ; limit 60h < 67h: #TS(68h)
.f2:
  SET_RESUME 0
  ; #GP through a task gate: the error code lands on task C's stack
  SET_GATE 13, S_TSSC, 0, GATE_TASK
  mov ax, 0x400
  mov ds, ax                ; #GP(400h) -> task C, which resumes us at .f3
.f3:
  PPUTS "main after task C:"
  call show
  PPUTS " ds="
  mov ax, ds
  call phex16
  call pnl
  PM_LEAVE
  PUTS "real mode again"
  call putnl
  EXIT 0

bits 32
; show: " tr=TTTT nt=N busy: 0=xx A=xx B=xx C=xx D=xx" (type bytes of the TSS descriptors)
show:
  push eax
  PPUTS " tr="
  str eax
  call phex16
  pushfd
  pop eax
  and eax, 0x4000
  PPUTS " nt="
  call phex16
  PPUTS " acc:"
  mov al, [GDT_BASE + SEL_TSS0 + 5]
  call phex8
  PPUTS " "
  mov al, [GDT_BASE + S_TSSA + 5]
  call phex8
  PPUTS " "
  mov al, [GDT_BASE + S_TSSB + 5]
  call phex8
  PPUTS " "
  mov al, [GDT_BASE + S_TSSC + 5]
  call phex8
  PPUTS " "
  mov al, [GDT_BASE + S_TSSD + 5]
  call phex8
  pop eax
  ret

task_a:
  PPUTS "A:"
  call show
  PPUTS " link="
  mov ax, [TSS_A]
  call phex16
  PPUTS " ebx="
  mov eax, ebx
  call phex32
  PPUTS " esp="
  mov eax, esp
  call phex32
  PPUTS " main saved ebx="
  mov eax, [TSS0 + 0x34]
  call phex32
  call pnl
  mov ebx, 0xa1a1a1a1
  iretd
  PPUTS "A again:"
  call show
  PPUTS " ebx="
  mov eax, ebx
  call phex32
  call pnl
  jmp SEL_TSS0:0

task_b:
  PPUTS "B:"
  call show
  PPUTS " link="
  mov ax, [TSS_B]
  call phex16
  call pnl
  iretd
  PPUTS "B again:"
  call show
  call pnl
  iretd

task_c:
  pop eax
  PPUTS "C: error="
  call phex32
  call show
  PPUTS " faulting eip="
  mov eax, [TSS0 + 0x20]
  call phex32
  call pnl
  mov dword [TSS0 + 0x20], main.f3
  mov dword [TSS0 + 0x54], SEL_DATA0
  iretd

task_d:
  and esp, 0xffff           ; a 16-bit TSS leaves ESP[31:16] undefined
  PPUTS "D:"
  call show
  PPUTS " link="
  mov ax, [TSS_D]
  call phex16
  PPUTS " bx="
  mov ax, bx
  call phex16
  PPUTS " sp="
  mov ax, sp
  call phex16
  call pnl
  iretd
ROM_END
