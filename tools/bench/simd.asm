; SIMD throughput benchmark ROM (issue 17), run by tools/bench/simd.mjs in
; RingZero, v86 and qemu-system-i386 alike.
;
; A 64 KiB system BIOS image (`-bios`): the reset vector at FFFF0h jumps to
; `main` (CS = F000h, real mode), which enters 32-bit protected mode with flat
; segments, enables SSE as an OS would (SDM vol. 3 §13.1: CR4.OSFXSR and
; CR4.OSXMMEXCPT set, CR0.EM clear, CR0.MP set, CR0.TS clear), fills 8 KiB of
; data and then runs ITERS passes of an SSE2 kernel over it:
;   - integer pass over IA (1024 dwords): a multiply-xor-shift mix per lane
;     (MOVDQA, PSHUFD, PMULUDQ, PUNPCKL/HDQ, PUNPCKL/HQDQ, PXOR, PSRLQ, PADDD);
;   - float pass, SAXPY-like: x = CVTDQ2PS(IA >> 8) * 2^-24, y = 0.75 y + A x
;     over FY (1024 floats; MOVAPS, MULPS, ADDPS), and CVTTPS2DQ(1024 y) is
;     XORed back into IA so that the two passes feed each other.
; Every value stays finite, normal or zero and far from overflow, so the
; result is IEEE-exact in any correct implementation (no NaN payloads, no
; denormals, MXCSR at its reset value 1F80h: round to nearest, all masked).
;
; Output goes to COM1 the way a polled driver writes it: wait for LSR.THRE
; (bit 5 of port 3FDh), write THR (3F8h). The lines are
;   SIMD-START                      before the timed part
;   SIMD-END <16 hex digits>        after it: the float hash (32 bits), then
;                                   the integer hash XOR PMOVMSKB of it
; then CLI; HLT. Any exception prints "SIMD-FAULT <vector> <eip>" and halts;
; a CPU without SSE2 (CPUID.1:EDX bit 26) prints "SIMD-NOSSE2" and halts.
;
; Build: nasm -f bin -I tools/bench/ [-DITERS=n] -o simd.rom tools/bench/simd.asm

bits 16
org 0
cpu prescott

%ifndef ITERS
ITERS      equ 10000
%endif

ROMLIN     equ 0xf0000          ; linear address of ROM offset 0
STACK_TOP  equ 0x90000
IDT_ADDR   equ 0x80000          ; 48 interrupt gates, built at run time

; IDT_GATE vector, handler: a 32-bit interrupt gate at IDT_ADDR (EDI) to the
; ROM label `handler` (clobbers EAX).
%macro IDT_GATE 2
  mov eax, %2 + ROMLIN
  mov [edi + (%1) * 8], ax
  mov word [edi + (%1) * 8 + 2], SEL_CODE
  mov word [edi + (%1) * 8 + 4], GATE_INT32
  shr eax, 16
  mov [edi + (%1) * 8 + 6], ax
%endmacro
IA         equ 0x100000         ; 1024 dwords, the integer state
FY         equ IA + 4096        ; 1024 floats, the SAXPY vector
DATA_BYTES equ 4096


PIC1_CMD   equ 0x20             ; 8259A master
PIC1_DATA  equ 0x21
PIC2_DATA  equ 0xa1             ; 8259A slave's mask register
ICW1_INIT_ICW4 equ 0x11
ICW4_8086  equ 0x01
OCW2_EOI   equ 0x20             ; non-specific end of interrupt
VEC_IRQ0   equ 0x20
VEC_SPURIOUS equ 0x2f           ; the APIC's spurious vector (low 4 bits set on P6)
CPUID1_EDX_APIC equ 9
MSR_APIC_BASE equ 0x1b
APIC_BASE_ENABLE equ 1 << 11
APIC_BASE_MASK equ 0xfffff000
APIC_SVR   equ 0xf0             ; local APIC registers (SDM vol. 3 §10.4.1)
APIC_LVT_LINT0 equ 0x350
APIC_LVT_LINT1 equ 0x360
APIC_SVR_ENABLE equ 1 << 8
APIC_DM_EXTINT equ 7 << 8
APIC_DM_NMI equ 4 << 8
PIT_CH0    equ 0x40             ; 8254
PIT_CMD    equ 0x43
PIT_CH0_MODE0 equ 0x30
PIT_1MS    equ 1193             ; 1.193182 MHz input clock

CR0_PE     equ 1 << 0
CR0_MP     equ 1 << 1
CR0_EM     equ 1 << 2
CR0_TS     equ 1 << 3
CR4_OSFXSR equ 1 << 9
CR4_OSXMMEXCPT equ 1 << 10
GATE_INT32 equ 0x8e00           ; present, DPL 0, 32-bit interrupt gate
SEL_CODE   equ 0x08
SEL_DATA   equ 0x10
CPUID1_EDX_SSE2 equ 26

section .text
main:
  cli
  o32 lgdt [cs:gdt_desc]
  mov eax, cr0
  or al, CR0_PE
  mov cr0, eax
  jmp dword SEL_CODE:(pm_entry + ROMLIN)

bits 32
pm_entry:
  mov ax, SEL_DATA
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  mov esp, STACK_TOP
  call idt_setup
  call uart_init
  mov eax, 1
  cpuid
  bt edx, CPUID1_EDX_SSE2
  jc .sse2
  mov esi, msg_nosse2 + ROMLIN
  call puts
  jmp halt
.sse2:
  mov eax, cr0
  and eax, ~(CR0_EM | CR0_TS)
  or eax, CR0_MP
  mov cr0, eax
  mov eax, cr4
  or eax, CR4_OSFXSR | CR4_OSXMMEXCPT
  mov cr4, eax
  ldmxcsr [mxcsr_reset + ROMLIN]
  call data_init

  mov esi, msg_start + ROMLIN
  call puts
  call pit_wait
  mov ebp, ITERS
  pxor xmm7, xmm7               ; integer accumulator across all passes
.outer:
  call int_pass
  call float_pass
  dec ebp
  jnz .outer

  call checksum                 ; EDX:EAX
  mov esi, msg_end + ROMLIN
  call puts
  xchg eax, edx
  call puthex32
  mov eax, edx
  call puthex32
  mov al, 10
  call putc
halt:
  cli
.h:
  hlt
  jmp .h

; IA[i] <- scrambled sequence; FY[i] <- 0.
data_init:
  mov edi, IA
  xor ecx, ecx
  mov eax, 0x2545f491
.fill:
  lea eax, [eax + eax * 4 + 0x3b9]
  rol eax, 7
  mov [edi + ecx * 4], eax
  inc ecx
  cmp ecx, DATA_BYTES / 4
  jb .fill
  mov edi, FY
  mov ecx, DATA_BYTES / 4
  xor eax, eax
  rep stosd
  ret

; One pass over IA, 4 lanes at a time: v <- (lo(v*M) ^ hi(v*M)), then
; x ^= x >> 29 per qword, then + K per lane; the accumulator XMM7 += v.
int_pass:
  movdqa xmm6, [mul_m + ROMLIN]
  movdqa xmm5, [add_k + ROMLIN]
  mov esi, IA
.v:
  movdqa xmm0, [esi]
  pshufd xmm1, xmm0, 0xb1       ; lanes 1 0 3 2
  movdqa xmm2, xmm0
  pmuludq xmm2, xmm6            ; qwords v0*M, v2*M
  pmuludq xmm1, xmm6            ; qwords v1*M, v3*M
  movdqa xmm3, xmm2
  punpckldq xmm3, xmm1          ; lo(v0M) lo(v1M) hi(v0M) hi(v1M)
  punpckhdq xmm2, xmm1          ; lo(v2M) lo(v3M) hi(v2M) hi(v3M)
  movdqa xmm4, xmm3
  punpcklqdq xmm3, xmm2         ; the four low halves
  punpckhqdq xmm4, xmm2         ; the four high halves
  pxor xmm3, xmm4
  movdqa xmm1, xmm3
  psrlq xmm1, 29
  pxor xmm3, xmm1
  paddd xmm3, xmm5
  movdqa [esi], xmm3
  paddd xmm7, xmm3
  add esi, 16
  cmp esi, IA + DATA_BYTES
  jb .v
  ret

; One SAXPY-like pass: x = float(IA >> 8) * 2^-24 (exact, in [0, 1)),
; y = 0.75 * y + A * x (stays in [0, 4A)), IA ^= int(1024 * y).
float_pass:
  movaps xmm4, [f_scale + ROMLIN]
  movaps xmm5, [f_decay + ROMLIN]
  movaps xmm6, [f_a + ROMLIN]
  mov esi, IA
  mov edi, FY
.v:
  movdqa xmm2, [esi]
  movdqa xmm0, xmm2
  psrld xmm0, 8
  cvtdq2ps xmm0, xmm0
  mulps xmm0, xmm4
  movaps xmm1, [edi]
  mulps xmm1, xmm5
  mulps xmm0, xmm6
  addps xmm1, xmm0
  movaps [edi], xmm1
  mulps xmm1, [f_1024 + ROMLIN]
  cvttps2dq xmm1, xmm1
  pxor xmm2, xmm1
  movdqa [esi], xmm2
  add esi, 16
  add edi, 16
  cmp esi, IA + DATA_BYTES
  jb .v
  ret

; EAX = fold(XMM7) ^ PMOVMSKB(XMM7); EDX = fold of FY's bits, each vector
; added to the running sum rotated by one lane (so that order matters).
checksum:
  pmovmskb ecx, xmm7
  pshufd xmm0, xmm7, 0x4e
  pxor xmm0, xmm7
  pshufd xmm1, xmm0, 0xb1
  pxor xmm0, xmm1
  movd eax, xmm0
  xor eax, ecx
  pxor xmm0, xmm0
  mov esi, FY
.v:
  pshufd xmm0, xmm0, 0x39
  paddd xmm0, [esi]
  add esi, 16
  cmp esi, FY + DATA_BYTES
  jb .v
  pshufd xmm1, xmm0, 0x4e
  pxor xmm0, xmm1
  pshufd xmm1, xmm0, 0xb1
  pxor xmm0, xmm1
  movd edx, xmm0
  ret

%include "uart.inc"

; putc: AL to COM1 once THR is empty. Preserves every register.
putc:
  push edx
  push eax
  mov dx, UART_LSR
.wait:
  in al, dx
  test al, LSR_THRE
  jz .wait
  pop eax
  mov dx, UART_THR
  out dx, al
  pop edx
  ret

; puts: the NUL-terminated string at ESI (linear).
puts:
  push eax
  push esi
.l:
  mov al, [esi]
  test al, al
  jz .d
  call putc
  inc esi
  jmp .l
.d:
  pop esi
  pop eax
  ret

; puthex32: EAX as 8 lower-case hex digits.
puthex32:
  push eax
  push ecx
  push edx
  mov edx, eax
  mov ecx, 8
.n:
  rol edx, 4
  mov al, dl
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 'a' - '0' - 10
.o:
  call putc
  dec ecx
  jnz .n
  pop edx
  pop ecx
  pop eax
  ret

; Let the line drain: sleep in HLT until the 8254 (channel 0, mode 0, one
; shot) interrupts through the 8259A, about 1 ms. This also ends RingZero's
; run slice, so its CLI writes SIMD-START out when the guest prints it rather
; than at the end of a slice (up to 2M instructions later), and the host's
; clock starts on time in every emulator.
pit_wait:
  call apic_virtual_wire
  mov al, ICW1_INIT_ICW4        ; 8259A master: edge, cascade, ICW4
  out PIC1_CMD, al
  mov al, VEC_IRQ0              ; IRQ0-7 -> vectors 20h-27h
  out PIC1_DATA, al
  mov al, 1 << 2                ; the slave on IR2
  out PIC1_DATA, al
  mov al, ICW4_8086
  out PIC1_DATA, al
  mov al, ~1                    ; only IRQ0
  out PIC1_DATA, al
  mov al, 0xff
  out PIC2_DATA, al
  mov al, PIT_CH0_MODE0         ; channel 0, lobyte/hibyte, mode 0, binary
  out PIT_CMD, al
  mov al, PIT_1MS & 0xff
  out PIT_CH0, al
  mov al, PIT_1MS >> 8
  out PIT_CH0, al
  sti
  hlt                           ; STI's shadow: the interrupt comes in HLT
  cli
  mov al, 0xff
  out PIC1_DATA, al
  ret

; With a local APIC (CPUID.1:EDX bit 9), the 8259A reaches the CPU through
; LINT0, which is masked after reset (SDM vol. 3 §10.4.7.1); program the virtual
; wire mode a BIOS sets up (MP spec 1.4 §3.6.2.2): APIC software-enabled,
; LINT0 ExtINT, LINT1 NMI.
apic_virtual_wire:
  mov eax, 1
  cpuid
  bt edx, CPUID1_EDX_APIC
  jnc .none
  mov ecx, MSR_APIC_BASE
  rdmsr
  test eax, APIC_BASE_ENABLE
  jz .none
  and eax, APIC_BASE_MASK
  mov dword [eax + APIC_SVR], APIC_SVR_ENABLE | VEC_SPURIOUS
  mov dword [eax + APIC_LVT_LINT0], APIC_DM_EXTINT
  mov dword [eax + APIC_LVT_LINT1], APIC_DM_NMI
.none:
  ret

spurious_irq:
  iretd

timer_irq:
  push eax
  mov al, OCW2_EOI
  out PIC1_CMD, al
  pop eax
  iretd

; 32 fault gates, gate i to fault_stubs + i * FAULT_STUB_SIZE, and the timer's.
idt_setup:
  mov edi, IDT_ADDR
  mov ecx, (VEC_SPURIOUS + 1) * 2
  xor eax, eax
  rep stosd                     ; gates 21h-2Eh: not present
  mov edi, IDT_ADDR
  mov eax, fault_stubs + ROMLIN
  xor ecx, ecx
.g:
  mov edx, eax
  mov [edi + ecx * 8], ax
  mov word [edi + ecx * 8 + 2], SEL_CODE
  mov word [edi + ecx * 8 + 4], GATE_INT32
  shr edx, 16
  mov [edi + ecx * 8 + 6], dx
  add eax, FAULT_STUB_SIZE
  inc ecx
  cmp ecx, 32
  jb .g
  IDT_GATE VEC_IRQ0, timer_irq
  IDT_GATE VEC_SPURIOUS, spurious_irq
  lidt [idt_desc + ROMLIN]
  ret

FAULT_STUB_SIZE equ 8
align FAULT_STUB_SIZE
fault_stubs:
%assign v 0
%rep 32
  push byte v
  jmp near fault
  align FAULT_STUB_SIZE, db 0xcc
%assign v v + 1
%endrep

; "SIMD-FAULT vvvvvvvv eeeeeeee": the vector and the faulting EIP (SDM vol. 3
; §6.13: vectors 8, 10-14 and 17 push an error code below EIP).
fault:
  mov ebx, [esp]                ; vector
  mov edi, [esp + 4]
  mov ecx, 1 << 8 | 1 << 10 | 1 << 11 | 1 << 12 | 1 << 13 | 1 << 14 | 1 << 17
  bt ecx, ebx
  jnc .noerr
  mov edi, [esp + 8]
.noerr:
  mov esi, msg_fault + ROMLIN
  call puts
  mov eax, ebx
  call puthex32
  mov al, ' '
  call putc
  mov eax, edi
  call puthex32
  mov al, 10
  call putc
  jmp halt

msg_start: db "SIMD-START", 10, 0
msg_end:   db "SIMD-END ", 0
msg_fault: db "SIMD-FAULT ", 0
msg_nosse2: db "SIMD-NOSSE2", 10, 0

align 16
mul_m:   times 4 dd 0x9e3779b1              ; odd: v * M is a bijection mod 2^32
add_k:   dd 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a
f_scale: times 4 dd 0x33800000              ; 2^-24
f_decay: times 4 dd 0x3f400000              ; 0.75
f_a:     dd 0x3fa66666, 0x3f8ccccd, 0x3fb33333, 0x3fc00000   ; 1.3 1.1 1.4 1.5
f_1024:  times 4 dd 0x44800000              ; 1024.0
mxcsr_reset: dd 0x1f80

align 8
gdt:
  dq 0
  dq 0x00CF9A000000FFFF         ; 0x08: code, base 0, 4 GiB, 32-bit
  dq 0x00CF92000000FFFF         ; 0x10: data, base 0, 4 GiB, 32-bit
gdt_desc:
  dw 23
  dd gdt + ROMLIN
idt_desc:
  dw (VEC_SPURIOUS + 1) * 8 - 1
  dd IDT_ADDR

section .reset start=0xfff0
bits 16
  jmp 0xf000:main
  times 16 - ($ - $$) db 0xf4
