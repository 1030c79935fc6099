; A loop that keeps touching a device (MMIO): the I/O APIC's register select
; (IOREGSEL at FEC00000h, 82093AA datasheet §3.1: an 8-bit index, read back as
; written; QEMU keeps it in a byte too). A block leaves for the interpreter at an
; access off its fast path; an instruction that keeps leaving on a device is
; translated again by the interpreter's handler (web/jit/translator.ts
; mmioSite), and the loop then stays in its block. A second loop writes the
; local APIC's TPR, whose write ends the run's stretch: the next run goes on
; in blocks after the one instruction it interprets first (exec.ts runCpu).
; A third loop CALLs through a pointer read from the register select.
; The output is the same either way, and compared with qemu: sums of what the
; registers gave to moves, ALU, exchanges, multiplies, a push and string
; instructions, and flags that the instructions on them left (32-bit
; accesses only: the registers are dwords).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

SEL     equ 0xfec00000
TPR     equ 0xfee00080
SCRATCH equ 0x5000              ; a dword of RAM for MOVS
CALLEE  equ 0x80                ; fits the register select's byte
PASSES  equ 3000

main:
  jmp pm_enter

bits 32
main32:
  xor ebx, ebx                  ; sums of what the register gave
  mov ebp, 0x12345678           ; the same, after a ROL each time
  xor esi, esi                  ; flags that instructions on the register left
  mov ecx, PASSES
.loop:
  mov eax, ecx
  imul eax, eax, 0x9d           ; a byte that moves every pass
  mov [SEL], eax                ; bits 31:8 are not kept
  mov edi, [SEL]
  add ebx, edi
  rol ebp, 5
  add ebp, [SEL]
  adc esi, 0
  test dword [SEL], 0x80
  setz al
  movzx eax, al
  add esi, eax
  mov eax, ecx
  xchg [SEL], eax
  add ebx, eax
  mov eax, 7
  xadd [SEL], eax
  add ebp, eax
  mov eax, ecx
  and eax, 0x0f
  add eax, 0xf8                 ; F8h-107h: now and then what the register holds
  mov edi, ecx
  cmpxchg [SEL], edi            ; equal: the register takes EDI, else EAX the register
  setz dl
  add ebx, eax
  movzx edx, dl
  add esi, edx
  imul edi, [SEL]
  add ebx, edi
  push dword [SEL]
  pop eax
  rol ebp, 3
  add ebp, eax
  shl dword [SEL], cl
  adc esi, 0
  inc dword [SEL]
  neg dword [SEL]
  sbb esi, 0
  mov eax, 0x01010101
  mul dword [SEL]
  add ebx, eax
  add ebp, edx
  bt dword [SEL], 2
  adc esi, 0
  ; one element of a string instruction from or to it (DS = ES, flat)
  push ecx
  push esi
  mov edi, SEL
  mov eax, ecx
  stosd                         ; EDI moves on past the register
  mov esi, SEL
  lodsd
  add ebx, eax
  mov esi, SEL
  mov edi, SCRATCH
  movsd
  add ebp, [SCRATCH]
  mov edi, SEL
  mov eax, 0x40
  scasd
  pop esi
  pop ecx
  setb al
  movzx eax, al
  add ebx, eax
  dec ecx
  jnz .loop
  ; The local APIC's task priority (TPR, FEE00080h; SDM vol. 3 §10.8.3.1: read
  ; back as written): a write to it ends the run's stretch (machine.ts
  ; mmioWrite), so the block leaves after it, and the run goes on at the
  ; instruction after the write, not a block start.
  mov ecx, PASSES
.tpr:
  mov eax, ecx
  and eax, 0xf0
  mov [TPR], eax
  add ebx, [TPR]
  rol ebx, 3
  xor ebp, ebx
  add esi, ebp
  shr esi, 1
  dec ecx
  jnz .tpr
  ; An indirect CALL through a pointer read from the register select (a
  ; callee at 80h: INC EBX; RET): not an instruction a block runs by its
  ; handler (translator.ts byHandlerOk), so it goes on leaving its block, and
  ; its page's translations are not dropped for it
  mov word [CALLEE], 0xc343
  mov dword [SEL], CALLEE
  mov ecx, 100
.ind:
  call [SEL]
  dec ecx
  jnz .ind
  PUTS32 "mmio"
  HEX32_32 ebx
  HEX32_32 ebp
  HEX32_32 esi
  call putnl32
  EXIT 0

  ROM_END
