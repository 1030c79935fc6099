; A RET in a translated block whose return EIP names other code than at its
; CALL: CR3 changed in between. Whatever a translator remembers of a CALL to
; find the RET's target faster (a return-address stack was tried: docs/
; PERFORMANCE.md) must be forgotten then. Linear 4 MiB-8 MiB is physical 8 MiB
; under page directory PDA and 12 MiB under PDB; both hold SNIP (call F
; through EAX, EBX <- a mark, back to PDA, RET), with marks AAAAh and BBBBh.
; F switches to PDB on odd passes, so the CALL's return lands in the 12 MiB
; copy; on even passes it returns to the 8 MiB copy, which is therefore
; translated too (jit.test.ts translates from a block's second run). Each
; pass prints EBX: AAAA, BBBB alternately. (No CR3 write comes right before
; the CALL to SNIP: a block is looked up only where the TLB already maps its
; code, and the CALL in SNIP must run translated.)
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"

PDA equ 0x42000
PDB equ 0x43000
MARK equ 7                      ; SNIP's MOV EBX: its immediate at +8

main:
  jmp pm_enter

bits 32
main32:
  ; two page directories with 4 MiB pages: 0-4 MiB identity, 4-8 MiB at 8 or 12 MiB
  mov edi, PDA
  mov ecx, 2048
  xor eax, eax
  rep stosd
  mov dword [PDA], 0x83
  mov dword [PDB], 0x83
  mov dword [PDA + 4], 0x800083
  mov dword [PDB + 4], 0xc00083
  ; SNIP at 8 MiB (mark AAAAh) and 12 MiB (mark BBBBh)
  mov esi, snip + ROMB
  mov edi, 0x800000
  mov ecx, snip_end - snip
  rep movsb
  mov esi, snip + ROMB
  mov edi, 0xc00000
  mov ecx, snip_end - snip
  rep movsb
  mov dword [0x800000 + MARK + 1], 0xaaaa
  mov dword [0xc00000 + MARK + 1], 0xbbbb
  mov eax, PDA
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10                  ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov ebp, 0
.pass:
  mov ecx, 0x400000
  call ecx
  HEX32_32 ebx
  inc ebp
  cmp ebp, 12
  jne .pass
  call putnl32
  EXIT 0

; F: on odd passes (EBP), the same linear code from the other copy on. Its
; RET is a block of its own, reached by a jump after the CR3 write (the NOP's
; fetch maps the page again), so that it runs translated.
f_ret:
  ret
f:
  test ebp, 1
  jz f_ret
  mov eax, PDB
  mov cr3, eax
  nop
  jmp f_ret

snip:
  mov eax, f + ROMB
  call eax
  mov ebx, 0                    ; (MARK: the immediate patched per copy)
  mov eax, cr3
  cmp eax, PDA
  je .a
  mov eax, PDA
  mov cr3, eax
.a:
  ret
snip_end:

  ROM_END
