; A block start whose instruction crosses into the next page (web/jit/
; translator.ts acrossPage): ADD EAX, imm32 with its opcode as the last byte
; of one page and the immediate on the next, CALLed in a loop, so that its
; start is hot. The block runs it by the interpreter's handler, which fetches
; the bytes on the next page itself each time:
;   - a new immediate written on the next page is the one added (no
;     translation holds it);
;   - a new opcode written on the first page (SUB) drops the page's
;     translations, and SUB is what runs;
;   - with the next page not present, the instruction is #PF at its start:
;     CR2 the next page, the saved EIP the instruction's.
; A second routine puts MOV ECX, [EBX + disp32]'s ModRM on the next page:
; what the instruction is depends on that page, so its start stays the
; interpreter's (the output is the same either way).
; Lines: the sums in EAX after each round of calls; the MOV's sum; the
; fault's report and its EIP.
;
; Memory: 4 KiB pages identity-mapping 0-4 MiB.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

PD      equ 0x40000
PT      equ 0x41000
PAGE    equ 0x21000             ; ADD's immediate starts here
ADDR    equ PAGE - 1            ; the ADD: opcode 05h, the page's last byte
MOVAT   equ 0x23000 - 1         ; the MOV: opcode 8Bh the page's last byte
ROUNDS  equ 500

main:
  jmp pm_enter

bits 32
main32:
  IDENTITY_4K PD, PT, 0x003     ; present, writable
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  ; ADD EAX, 01020304h; RET across PAGE
  mov byte [ADDR], 0x05
  mov dword [PAGE], 0x01020304
  mov byte [PAGE + 4], 0xc3
  xor eax, eax
  call round
  HEX32_32 eax
  ; another immediate, on the next page only
  mov dword [PAGE], 0x00000011
  call round
  HEX32_32 eax
  ; SUB EAX, imm32 (2Dh) on the first page
  mov byte [ADDR], 0x2d
  call round
  HEX32_32 eax
  call putnl32

  ; MOV ECX, [EBX + 10h]; RET with ModRM on the next page: 8Bh | 4Bh 10h C3h
  mov byte [MOVAT], 0x8b
  mov dword [MOVAT + 1], 0x00c3104b
  mov dword [0x5010], 0x1234
  mov ebx, 0x5000
  xor eax, eax
  mov ebp, ROUNDS
.mov:
  mov ecx, MOVAT
  call ecx
  add eax, ecx
  dec ebp
  jnz .mov
  HEX32_32 eax
  call putnl32

  ; the next page not present: #PF fetching the immediate
  mov dword [PT + (PAGE >> 12) * 4], 0
  mov eax, cr3
  mov cr3, eax
  TRY32
  mov ecx, ADDR
  call ecx
  ENDTRY32
  mov eax, [EIP32]
  HEX32_32 eax
  call putnl32
  EXIT 0

; ROUNDS calls of the routine at ADDR
round:
  mov ebp, ROUNDS
.call:
  mov ecx, ADDR
  call ecx
  dec ebp
  jnz .call
  ret

  ROM_END
