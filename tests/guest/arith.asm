; Multiply, divide, NEG/NOT and the decimal adjusts, printed for many operand
; values (see arith_lib.inc) so RingZero's output can be compared with qemu's.
; Flags are masked to those the SDM defines for each instruction.
%include "arith_lib.inc"

main:
  SETUP
  SECTION "MUL r8", k_mul_r8, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "MUL m8", k_mul_m8, tv, tv, 0x8d5, 0x801, 0x55aa55aa
  SECTION "MUL r16", k_mul_r16, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "MUL m16", k_mul_m16, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "MUL r32", k_mul_r32, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "MUL m32", k_mul_m32, tv, tv, 0x8d5, 0x801, 0x55aa55aa
  SECTION "IMUL r8", k_imul_r8, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL m8", k_imul_m8, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r16", k_imul_r16, tv, tv, 0x8d5, 0x801, 0x55aa55aa
  SECTION "IMUL m16", k_imul_m16, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r32", k_imul_r32, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL m32", k_imul_m32, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r16,r16", k_imul2_r16, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r16,m16", k_imul2_m16, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r32,r32", k_imul2_r32, tv, tv, 0x8d5, 0x801, 0x55aa55aa
  SECTION "IMUL r32,m32", k_imul2_m32, tv, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r16,r16,-3", k_imul3_a, tone, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r16,m16,0x1234", k_imul3_b, tone, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r32,r32,127", k_imul3_c, tone, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r32,m32,0x80000001", k_imul3_d, tone, tv, 0, 0x801, 0x55aa55aa
  SECTION "IMUL r32,r32,-1", k_imul3_e, tone, tv, 0, 0x801, 0x55aa55aa

  SECTION "DIV r8", k_div_r8, tv, tv, 0, 0, 0
  SECTION "DIV m8", k_div_m8, tv, tv, 0, 0, 0
  SECTION "DIV r16 dx=0", k_div_r16, tv, tv, 0, 0, 0
  SECTION "DIV r16 dx=12347fff", k_div_r16, tv, tv, 0, 0, 0x12347fff
  SECTION "DIV m16 dx=ffff", k_div_m16, tv, tv, 0, 0, 0xffff
  SECTION "DIV r32 dx=0", k_div_r32, tv, tv, 0, 0, 0
  SECTION "DIV r32 dx=1", k_div_r32, tv, tv, 0, 0, 1
  SECTION "DIV m32 dx=7fffffff", k_div_m32, tv, tv, 0, 0, 0x7fffffff
  SECTION "DIV r32 dx=ffffffff", k_div_r32, tv, tv, 0, 0, 0xffffffff
  SECTION "IDIV r8", k_idiv_r8, tv, tv, 0, 0, 0
  SECTION "IDIV m8", k_idiv_m8, tv, tv, 0, 0, 0
  SECTION "IDIV r16 dx=0", k_idiv_r16, tv, tv, 0, 0, 0
  SECTION "IDIV r16 dx=ffff", k_idiv_r16, tv, tv, 0, 0, 0xffff
  SECTION "IDIV m16 dx=8000", k_idiv_m16, tv, tvnm1w, 0, 0, 0x8000
  SECTION "IDIV r32 dx=0", k_idiv_r32, tv, tv, 0, 0, 0
  SECTION "IDIV r32 dx=ffffffff", k_idiv_r32, tv, tv, 0, 0, 0xffffffff
  SECTION "IDIV m32 dx=80000000", k_idiv_m32, tv, tvnm1, 0, 0, 0x80000000
  SECTION "IDIV r32 dx=7fffffff", k_idiv_r32, tv, tv, 0, 0, 0x7fffffff

  SECTION "NEG r8", k_neg_r8, tv, tzero, 0, 0x8d5, 0
  SECTION "NEG m8", k_neg_m8, tv, tzero, 0x8d5, 0x8d5, 0
  SECTION "NEG r16", k_neg_r16, tv, tzero, 0, 0x8d5, 0
  SECTION "NEG m16", k_neg_m16, tv, tzero, 0, 0x8d5, 0
  SECTION "NEG r32", k_neg_r32, tv, tzero, 0x8d5, 0x8d5, 0
  SECTION "NEG m32", k_neg_m32, tv, tzero, 0, 0x8d5, 0
  SECTION "NOT r8", k_not_r8, tv, tzero, 0x8d5, 0x8d5, 0
  SECTION "NOT m16", k_not_m16, tv, tzero, 0, 0x8d5, 0
  SECTION "NOT r32", k_not_r32, tv, tzero, 0x0d4, 0x8d5, 0
  SECTION "NOT m32", k_not_m32, tv, tzero, 0x801, 0x8d5, 0

  SECTION "DAA", k_daa, tbcd, tflags, 0, 0xd5, 0
  SECTION "DAS", k_das, tbcd, tflags, 0, 0xd5, 0
  SECTION "AAA", k_aaa, tbcd, tflags, 0, 0x11, 0
  SECTION "AAS", k_aas, tbcd, tflags, 0, 0x11, 0
  SECTION "AAM", k_aam, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAM 16", k_aam16, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAM 7", k_aam7, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAM 0", k_aam0, tone, tzero, 0, 0xc4, 0
  SECTION "AAD", k_aad, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAD 16", k_aad16, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAD 0", k_aad0, tbcd, tzero, 0, 0xc4, 0
  SECTION "AAD ff", k_aadff, tbcd, tzero, 0, 0xc4, 0
  SECTION "SALC", k_salc, tv, tflags, 0, 0x8d5, 0
  PUTS "end"
  call putnl
  EXIT 0

; --- kernels ---
k_mul_r8:    mul bl
             ret
k_mul_m8:    mul byte [MEM]
             ret
k_mul_r16:   mul bx
             ret
k_mul_m16:   mul word [MEM]
             ret
k_mul_r32:   mul ebx
             ret
k_mul_m32:   mul dword [MEM]
             ret
k_imul_r8:   imul bl
             ret
k_imul_m8:   imul byte [MEM]
             ret
k_imul_r16:  imul bx
             ret
k_imul_m16:  imul word [MEM]
             ret
k_imul_r32:  imul ebx
             ret
k_imul_m32:  imul dword [MEM]
             ret
k_imul2_r16: imul ax, bx
             ret
k_imul2_m16: imul ax, [MEM]
             ret
k_imul2_r32: imul eax, ebx
             ret
k_imul2_m32: imul eax, [MEM]
             ret
k_imul3_a:   imul ax, bx, -3
             ret
k_imul3_b:   imul ax, [MEM], 0x1234
             ret
k_imul3_c:   imul eax, ebx, 127
             ret
k_imul3_d:   imul eax, [MEM], 0x80000001
             ret
k_imul3_e:   imul eax, ebx, strict dword -1
             ret
k_div_r8:    div bl
             ret
k_div_m8:    div byte [MEM]
             ret
k_div_r16:   div bx
             ret
k_div_m16:   div word [MEM]
             ret
k_div_r32:   div ebx
             ret
k_div_m32:   div dword [MEM]
             ret
k_idiv_r8:   idiv bl
             ret
k_idiv_m8:   idiv byte [MEM]
             ret
k_idiv_r16:  idiv bx
             ret
k_idiv_m16:  idiv word [MEM]
             ret
k_idiv_r32:  idiv ebx
             ret
k_idiv_m32:  idiv dword [MEM]
             ret
k_neg_r8:    neg al
             ret
k_neg_m8:    mov [MEM], eax
             neg byte [MEM]
             mov eax, [MEM]
             ret
k_neg_r16:   neg ax
             ret
k_neg_m16:   mov [MEM], eax
             neg word [MEM]
             mov eax, [MEM]
             ret
k_neg_r32:   neg eax
             ret
k_neg_m32:   mov [MEM], eax
             neg dword [MEM]
             mov eax, [MEM]
             ret
k_not_r8:    not al
             ret
k_not_m16:   mov [MEM], eax
             not word [MEM]
             mov eax, [MEM]
             ret
k_not_r32:   not eax
             ret
k_not_m32:   mov [MEM], eax
             not dword [MEM]
             mov eax, [MEM]
             ret
k_daa:       push bx
             popf
             daa
             ret
k_das:       push bx
             popf
             das
             ret
k_aaa:       push bx
             popf
             aaa
             ret
k_aas:       push bx
             popf
             aas
             ret
k_aam:       aam
             ret
k_aam16:     aam 16
             ret
k_aam7:      aam 7
             ret
k_aam0:      aam 0
             ret
k_aad:       aad
             ret
k_aad16:     aad 16
             ret
k_aad0:      aad 0
             ret
k_aadff:     aad 255
             ret
k_salc:      push bx
             popf
             db 0xd6    ; SALC
             ret

section .rodata
TABLE tv, 0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678, \
          0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xdeadbeef, 0x00c0ff9c
; tv without -1: qemu 7.2 itself dies of a host SIGFPE on IDIV of 80000000h (16-bit)
; or 8000000000000000h (32-bit) by -1, so those two are checked in arith_de.asm.
TABLE tvnm1, 0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678, \
          0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xdeadbeef, 0x00c0ff9c
TABLE tvnm1w, 0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x10000, 0x12345678, \
          0x80000000, 0x80000001, 0xfffffffe, 0xdeadbeef, 0x00c0ff9c
TABLE tzero, 0
TABLE tone, 0x11111111
TABLE tflags, 0, 1, 0x10, 0x11
tbcd: dd 256
%assign i 0
%rep 256
  dd 0xabcd0000 | ((i ^ 0xa5) << 8) | i
%assign i i + 1
%endrep
ROM_END
