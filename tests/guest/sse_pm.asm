; SSE in 32-bit protected mode with paging (sse.test.ts, against qemu -cpu
; coreduo): #GP(0) for a misaligned MOVAPS, #PF for stores that cross into a
; not-present page (memory before the boundary must be unchanged), MONITOR at
; CPL 3 #UD while SSE runs there. Written for this project.
%include "lib/rom.inc"
%include "lib/pm.inc"
cpu prescott

%define PD    0x10000
%define EDGE  0x400000             ; the first byte of the not-present 4 MiB page
%define DATA  0x20000

%macro TRYP 2+
  PPUTS %1
  SET_RESUME %%after
  %2
%%after:
  SET_RESUME 0
  PPUTS " "
%endmacro

main:
  PM_ENTER
  bits 32
  mov edi, PD
.clr:
  mov dword [edi], 0
  add edi, 4
  cmp edi, PD + 0x1000
  jne .clr
  mov dword [PD], 0x000000 | 0x087   ; 0-4 MiB: 4 MiB page, user, writable; 4-8 MiB absent
  mov eax, PD
  mov cr3, eax
  mov eax, cr4
  or eax, 0x610                      ; PSE, OSFXSR, OSXMMEXCPT
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000
  mov cr0, eax
  mov dword [DATA], 0x11111111
  mov dword [DATA + 4], 0x22222222
  mov dword [DATA + 8], 0x33333333
  mov dword [DATA + 12], 0x44444444
  movups xmm0, [DATA]
  pcmpeqb xmm1, xmm1                 ; all ones: every MASKMOVDQU byte selected

  TRYP "movaps-mis", movaps xmm2, [DATA + 4]
  mov dword [EDGE - 8], 0xa5a5a5a5
  mov dword [EDGE - 4], 0x5a5a5a5a
  TRYP "movups-st", movups [EDGE - 8], xmm0
  mov eax, cr2
  call phex32
  PPUTS " "
  mov eax, [EDGE - 8]
  call phex32
  PPUTS " "
  mov eax, [EDGE - 4]
  call phex32
  PPUTS " "
  TRYP "movsd-st", movsd [EDGE - 4], xmm0
  mov eax, [EDGE - 4]
  call phex32
  PPUTS " "
  TRYP "movups-ld", movups xmm2, [EDGE - 4]
  TRYP "movntps", movntps [EDGE - 16], xmm0
  mov eax, [EDGE - 16]
  call phex32
  call pnl
  TO_RING3 ring3
ring3:
  mov ax, SEL_DATA3                  ; IRET to CPL 3 nulled DS (DPL 0)
  mov ds, ax
  PPUTS "cpl3: "
  movaps xmm3, [DATA]
  pextrw eax, xmm3, 3
  call phex32
  PPUTS " "
  xor ecx, ecx
  mov eax, DATA
  TRYP "monitor", monitor
  TRYP "mwait", mwait
  TRYP "ldmxcsr", ldmxcsr [DATA + 16]
  call pnl
  PPUTS "end"
  call pnl
  EXIT 0
  bits 16
ROM_END
