; Flags the translator leaves uncomputed (web/jit/translator.ts markDeadFlags):
; the eager part of a shift's, rotate's or multiply's flags (CF, OF) and the
; CF that INC and DEC keep, where a later instruction of the block writes all
; six arithmetic flags before anything can see them. Each case is a routine
; of its own (so a block of its own), called three times (jit.test.ts
; translates a block from its second run); the output is compared with qemu's.
;
; "dead" cases: the flags are written again by a register-only ALU, TEST,
;   NEG, shift or multiply, with only register moves between: the registers
;   and the later instruction's flags are what the block must leave.
; "seen" cases, where the earlier flags are visible and must be computed:
;   - a fault between them or in the later instruction itself: a memory
;     operand at HOLE, a page not present, is #PF, and the exception's frame
;     holds EFLAGS as they were before the faulting instruction (printed
;     from the frame: sys-pm.inc's EFL32);
;   - a Jcc, ADC or SETcc reading them;
;   - an instruction that writes some flags only (INC and DEC keep CF, ROL),
;     a shift by CL = 0 or by an immediate 0 (no flag changes), then PUSHFD.
; Each line: the arithmetic flags (CF PF AF ZF SF OF: mask 8D5h) and EAX,
; EBX, ECX, EDX after the routine, or " v=0e ..." and the frame's flags.
; Each routine starts with TEST ECX, ECX (ECX = 0: ZF PF), so that flags a
; case does not write are known.
;
; Memory: 4 KiB pages identity-mapping 0-4 MiB but HOLE.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

FLAGS   equ 0x8d5               ; CF PF AF ZF SF OF
PD      equ 0x40000
PT      equ 0x41000
HOLE    equ 0x200000            ; not present

main:
  jmp pm_enter

bits 32
; The registers and flags each routine starts from.
%macro START 0
  mov eax, 0x80000001
  mov ebx, 0x7fffffff
  mov ecx, 0
  mov edx, 0x00000003
  test ecx, ecx
%endmacro

; CASE {instruction}, ...: a routine of these after fixed register values,
; then PUSHFD; called three times, each printing the flags and registers.
%macro CASE 1-6
  jmp %%over
%%routine:
  START
  %rep %0
  %1
  %rotate 1
  %endrep
  pushfd
  and dword [esp], FLAGS
  pop esi
  ret
%%over:
  mov ebp, 3
%%again:
  call %%routine
  HEX32_32 esi
  HEX32_32 eax
  HEX32_32 ebx
  HEX32_32 ecx
  HEX32_32 edx
  PUTS32 " |"
  dec ebp
  jnz %%again
  call putnl32
%endmacro

; FAULT {instruction}, ...: the same, where the routine faults (#PF) part-way:
; the vector and the frame's flags, three times.
%macro FAULT 1-6
  jmp %%over
%%routine:
  START
  %rep %0
  %1
  %rotate 1
  %endrep
  ret
%%over:
  mov ebp, 3
%%again:
  mov dword [EFL32], 0xffffffff
  TRY32
  call %%routine
  ENDTRY32
  mov eax, [EFL32]
  and eax, FLAGS
  HEX32_32 eax
  PUTS32 " |"
  dec ebp
  jnz %%again
  call putnl32
%endmacro

main32:
  IDENTITY_4K PD, PT, 0x003     ; present, writable
  mov dword [PT + (HOLE >> 12) * 4], 0
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  ; dead: written again before anything sees them
  CASE {shl eax, 4}, {mov ecx, eax}, {add eax, ebx}
  CASE {stc}, {inc ecx}, {cmp ecx, ebx}
  CASE {dec edx}, {movzx ecx, dl}, {lea esi, [ecx + 1]}, {test edx, edx}
  CASE {imul eax, ebx}, {mov edx, eax}, {test edx, edx}
  CASE {imul ax, bx}, {sub ax, 1}
  CASE {imul eax, ebx, 12345}, {or eax, eax}
  CASE {mov cl, 3}, {shr ebx, cl}, {xor ecx, ecx}
  CASE {rol eax, 8}, {lea edx, [eax + ebx]}, {and eax, edx}
  CASE {mul ebx}, {xchg eax, edx}, {neg edx}
  CASE {sar ebx, 2}, {bswap ebx}, {not ecx}, {shl edx, 1}
  CASE {imul ebx}, {sub ecx, edx}

  ; seen: a fault between, or in the instruction that writes them again
  FAULT {shl eax, 1}, {add ebx, [HOLE]}
  FAULT {shl eax, 1}, {mov ecx, [HOLE]}, {add eax, ebx}
  FAULT {xor esi, esi}, {stc}, {inc ecx}, {add ebx, [HOLE]}
  FAULT {imul eax, ebx}, {mov ecx, [HOLE]}, {test eax, eax}
  FAULT {rol eax, 1}, {cmp ebx, [HOLE]}
  ; seen: read by a Jcc, ADC, SETcc
  CASE {shl eax, 1}, {mov ecx, eax}, {jnc .nc}, {mov ebx, 1}, {.nc: add ecx, 0}
  CASE {stc}, {inc ecx}, {adc ebx, 0}
  CASE {shl eax, 1}, {adc ebx, 0}
  CASE {imul eax, ebx}, {seto dl}, {add eax, 0}
  ; seen: a later instruction that writes only some flags, or none
  CASE {rol eax, 1}, {inc ecx}
  CASE {xor edx, edx}, {stc}, {inc ecx}, {not ebx}
  CASE {shl eax, 1}, {shl ebx, cl}
  CASE {shl eax, 1}, {db 0xc1, 0xe3, 0x00}        ; shl ebx, 0
  CASE {imul eax, ebx}, {dec ecx}
  EXIT 0

  ROM_END
