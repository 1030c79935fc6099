; Shifts and rotates (ROL ROR RCL RCR SHL/SAL SHR SAR, SHLD SHRD) printed for
; many values and counts, register and memory operands, 8/16/32 bits (see
; arith_lib.inc), for comparison with qemu. Flags: shift mode of the driver,
; i.e. OF only for a count of 1, all six flags compared for a count of 0
; (must be unchanged); AF is undefined for shifts; rotates leave SF ZF PF AF.
%include "arith_lib.inc"

; kernels for one shift/rotate op: count in CL, value in EAX (memory form via MEM)
%macro SHK 1
k_%1_r8:  %1 al, cl
          ret
k_%1_m8:  mov [MEM], eax
          %1 byte [MEM], cl
          mov eax, [MEM]
          ret
k_%1_r16: %1 ax, cl
          ret
k_%1_m16: mov [MEM], eax
          %1 word [MEM], cl
          mov eax, [MEM]
          ret
k_%1_r32: %1 eax, cl
          ret
k_%1_m32: mov [MEM], eax
          %1 dword [MEM], cl
          mov eax, [MEM]
          ret
%endmacro

; SHSEC op, fin, fmask: the six sections of one op
%macro SHSEC 3
  %defstr %%n %1
  %defstr %%f %2
  %strcat %%r8 %%n, " r8 fin=", %%f
  %strcat %%m8 %%n, " m8 fin=", %%f
  %strcat %%r16 %%n, " r16 fin=", %%f
  %strcat %%m16 %%n, " m16 fin=", %%f
  %strcat %%r32 %%n, " r32 fin=", %%f
  %strcat %%m32 %%n, " m32 fin=", %%f
  SECTION %%r8, k_%1_r8, tsv, tcnt, %2, %3, 0
  SECTION %%m8, k_%1_m8, tsv, tcnt, %2, %3, 0
  SECTION %%r16, k_%1_r16, tsv, tcnt, %2, %3, 0
  SECTION %%m16, k_%1_m16, tsv, tcnt, %2, %3, 0
  SECTION %%r32, k_%1_r32, tsv, tcnt, %2, %3, 0
  SECTION %%m32, k_%1_m32, tsv, tcnt, %2, %3, 0
%endmacro

main:
  SETUP
  SHSEC shl, 0x8d5, 0x88c5
  SHSEC shr, 0, 0x88c5
  SHSEC sar, 0x8d5, 0x88c5
  SHSEC rol, 0, 0x88d5
  SHSEC ror, 0x8d5, 0x88d5
  SHSEC rcl, 0, 0x88d5
  SHSEC rcl, 0x8d5, 0x88d5
  SHSEC rcr, 0, 0x88d5
  SHSEC rcr, 0x8d5, 0x88d5
  ; SAL encoded as /6 (an alias of /4)
  SECTION "SAL/6 r32 fin=000", k_sal6_r32, tsv, tcnt, 0, 0x88c5, 0
  ; immediate and by-1 forms (the B table holds the count the kernel uses)
  SECTION "ROL r8,3 (C0)", k_rol_r8_3, tsv, t3, 0x8d5, 0x88d5, 0
  SECTION "SAR r8,7 (C0)", k_sar_r8_7, tsv, t7, 0, 0x88c5, 0
  SECTION "SHR r16,12 (C1)", k_shr_r16_12, tsv, t12, 0, 0x88c5, 0
  SECTION "RCR m32,31 (C1)", k_rcr_m32_31, tsv, t31, 0x8d5, 0x88d5, 0
  SECTION "SHL m16,33 (C1)", k_shl_m16_33, tsv, t33, 0, 0x88c5, 0
  SECTION "SHL r8,1 (D0)", k_shl_r8_1, tsv, t1, 0, 0x88c5, 0
  SECTION "RCL m8,1 (D0)", k_rcl_m8_1, tsv, t1, 0x8d5, 0x88d5, 0
  SECTION "SAR r32,1 (D1)", k_sar_r32_1, tsv, t1, 0, 0x88c5, 0
  SECTION "ROR m16,1 (D1)", k_ror_m16_1, tsv, t1, 0, 0x88d5, 0
  SECTION "RCR r16,1 (D1)", k_rcr_r16_1, tsv, t1, 0x8d5, 0x88d5, 0
  SECTION "SHR r8 (AH),CL", k_shr_ah, tsv, tcnt, 0, 0x88c5, 0
  ; double-precision shifts: EAX = destination, EDX = source
  SECTION "SHLD r16 src=9abc", k_shld_r16, tsv, tcnt16, 0, 0x88c5, 0x12349abc
  SECTION "SHLD m16 src=0001", k_shld_m16, tsv, tcnt16, 0x8d5, 0x88c5, 0xffff0001
  SECTION "SHLD r32 src=9abcdef0", k_shld_r32, tsv, tcnt, 0, 0x88c5, 0x9abcdef0
  SECTION "SHLD m32 src=00000001", k_shld_m32, tsv, tcnt, 0x8d5, 0x88c5, 1
  SECTION "SHRD r16 src=9abc", k_shrd_r16, tsv, tcnt16, 0, 0x88c5, 0x12349abc
  SECTION "SHRD m16 src=8000", k_shrd_m16, tsv, tcnt16, 0x8d5, 0x88c5, 0x8000
  SECTION "SHRD r32 src=9abcdef0", k_shrd_r32, tsv, tcnt, 0, 0x88c5, 0x9abcdef0
  SECTION "SHRD m32 src=80000000", k_shrd_m32, tsv, tcnt, 0x8d5, 0x88c5, 0x80000000
  SECTION "SHLD r32,7", k_shld_r32_7, tsv, t7, 0, 0x88c5, 0x9abcdef0
  SECTION "SHRD m16,15", k_shrd_m16_15, tsv, t15, 0, 0x88c5, 0x9abcdef0
  SECTION "SHRD r32,1", k_shrd_r32_1, tsv, t1, 0x8d5, 0x88c5, 0x80000000
  PUTS "end"
  call putnl
  EXIT 0

SHK shl
SHK shr
SHK sar
SHK rol
SHK ror
SHK rcl
SHK rcr
k_sal6_r32:   db 0x66, 0xd3, 0xf0     ; sal eax, cl with ModRM.reg = 6
              ret
k_rol_r8_3:   rol al, 3
              ret
k_sar_r8_7:   sar al, 7
              ret
k_shr_r16_12: shr ax, 12
              ret
k_rcr_m32_31: mov [MEM], eax
              rcr dword [MEM], 31
              mov eax, [MEM]
              ret
k_shl_m16_33: mov [MEM], eax
              shl word [MEM], 33
              mov eax, [MEM]
              ret
k_shl_r8_1:   shl al, 1
              ret
k_rcl_m8_1:   mov [MEM], eax
              rcl byte [MEM], 1
              mov eax, [MEM]
              ret
k_sar_r32_1:  sar eax, 1
              ret
k_ror_m16_1:  mov [MEM], eax
              ror word [MEM], 1
              mov eax, [MEM]
              ret
k_rcr_r16_1:  rcr ax, 1
              ret
k_shr_ah:     shr ah, cl
              ret
k_shld_r16:   shld ax, dx, cl
              ret
k_shld_m16:   mov [MEM], eax
              shld [MEM], dx, cl
              mov eax, [MEM]
              ret
k_shld_r32:   shld eax, edx, cl
              ret
k_shld_m32:   mov [MEM], eax
              shld [MEM], edx, cl
              mov eax, [MEM]
              ret
k_shrd_r16:   shrd ax, dx, cl
              ret
k_shrd_m16:   mov [MEM], eax
              shrd [MEM], dx, cl
              mov eax, [MEM]
              ret
k_shrd_r32:   shrd eax, edx, cl
              ret
k_shrd_m32:   mov [MEM], eax
              shrd [MEM], edx, cl
              mov eax, [MEM]
              ret
k_shld_r32_7: shld eax, edx, 7
              ret
k_shrd_m16_15: mov [MEM], eax
              shrd [MEM], dx, 15
              mov eax, [MEM]
              ret
k_shrd_r32_1: shrd eax, edx, 1
              ret

section .rodata
TABLE tsv, 0, 1, 0x40, 0x7f, 0x80, 0x81, 0xff, 0x7fff, 0x8000, 0x8001, 0xffff, \
           0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x12345678, 0xdeadbeef, 0x5a5ac3c3
TABLE tcnt, 0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 0x41, 0xff
; SHLD/SHRD 16-bit: counts above 16 are undefined (masked count)
TABLE tcnt16, 0, 1, 2, 3, 7, 8, 9, 15, 16, 32, 33, 48
TABLE t1, 1
TABLE t3, 3
TABLE t7, 7
TABLE t12, 12
TABLE t15, 15
TABLE t31, 31
TABLE t33, 33
ROM_END
