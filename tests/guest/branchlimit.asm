; Near branches to a target beyond the code segment's limit (SDM vol. 2 JMP,
; Jcc, CALL, RET: "IF tempEIP is not within code segment limit THEN #GP(0)"):
; the branch itself faults, with EIP at the branch and nothing of it done (no
; return address pushed, no pop). Code selector 30H is a 32-bit segment over the
; ROM (base F0000H) whose limit is the offset of bl_edge, an INT3; a branch to
; bl_edge itself is allowed. Each case runs three times, so that a translator
; that compiles a block on its second run is covered as well.
; qemu 7.2 checks no code segment limit on near branches (the fault comes, if
; at all, from fetching the target), so this test has no qemu reference.
; Prints per run: name, vector, error code, faulting EIP, the branch's own
; offset, and ESP at the fault (STK unless the case pushed before its branch:
; a CALL that had pushed, or a RET that had popped, would show otherwise).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN bl_main
%define PM_COMMON_HOOK bl_hook
%include "sys-pm.inc"

STK     equ 0x8000             ; ESP when each case starts
FARP    equ 0x680              ; far pointer to the case
ESPF    equ 0x688              ; ESP when the exception came
SEL_LIM equ 0x30

main:
  jmp pm_enter

; CASE name, entry, branch
%macro CASE 3
  mov esi, 3
%%again:
  PUTS32 %1
  mov dword [RES32], %%after + ROMB
  mov dword [VEC32], 0xffffffff
  mov dword [FARP], %2
  mov word [FARP + 4], SEL_LIM
  mov esp, STK
  jmp far [FARP]
%%after:
  mov esp, STACK0
  HEX32_32 [VEC32]
  HEX32_32 [ERR32]
  HEX32_32 [EIP32]
  HEX32_32 %3
  HEX32_32 [ESPF]
  call putnl32
  dec esi
  jnz %%again
%endmacro

bits 32
bl_main:
  mov dword [GDT_A + SEL_LIM], bl_edge - $$   ; base 15:0 = 0, limit 15:0
  mov dword [GDT_A + SEL_LIM + 4], 0x00409a0f
  lgdt [bl_gdtr + ROMB]
  CASE "jmp-reg", c_jmp, b_jmp
  CASE "call-reg", c_call, b_call
  CASE "ret", c_ret, b_ret
  CASE "ret-imm", c_reti, b_reti
  CASE "jcc-rel32", c_jcc, b_jcc
  CASE "call-rel32", c_callr, b_callr
  CASE "jmp-rel32", c_jmpr, b_jmpr
  CASE "jmp-limit", c_ok, bl_edge
  EXIT 0

; vector, error code and EIP from the frame; ESP before it (same privilege:
; EIP, CS, EFLAGS under the stub's two pushes)
bl_hook:
  lea eax, [esp + 20]
  mov [ss:ESPF], eax
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  pop eax
  mov [VEC32], eax
  pop dword [ERR32]
  pop dword [EIP32]
  mov esp, STACK0
  jmp [RES32]

bl_gdtr: dw 0x37
         dd GDT_A

; --- the limited segment's code (CS = 30H, EIP = ROM offset) ---
c_jmp:   mov eax, bl_edge + 1
b_jmp:   jmp eax
c_call:  mov eax, bl_edge + 1
b_call:  call eax
c_ret:   push dword bl_edge + 1
b_ret:   ret
c_reti:  push dword bl_edge + 1
b_reti:  ret 8
c_jcc:   xor eax, eax
b_jcc:   jz near bl_edge + 0x11
c_callr: nop
b_callr: call bl_edge + 0x21
c_jmpr:  nop
b_jmpr:  jmp near bl_edge + 0x41
c_ok:    mov eax, bl_edge
         jmp eax
bl_edge: int3
bits 16
ROM_END
