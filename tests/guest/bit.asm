; Bit test and scan (BT BTS BTR BTC with a register or immediate bit offset,
; register and memory operands, 16/32 bits; BSF BSR), printed for comparison
; with qemu (see arith_lib.inc). Flags: BTx define CF and leave ZF alone; BSF/BSR
; define ZF only.
; Memory forms with a register offset address a bit string at BITS (0x840): the
; kernel fills 0x800..0x87f with a pattern from EAX, runs the instruction and
; prints an XOR (EAX) and a position-weighted sum (EDX) of the whole area.
%include "arith_lib.inc"

%define BITS 0x840

%macro BTREG 3 ; op, reg-size name, regs (dst, src)
k_%1_%2:  %1 %3
          ret
%endmacro
%macro BTMEM 3 ; op, name, operands
k_%1_%2:  call fill
          %1 %3
          pushf
          call fold
          popf
          ret
%endmacro

main:
  SETUP
  SECTION "BT r32,r32", k_bt_r32, tbv, toff, 0x8d5, 0x41, 0
  SECTION "BTS r32,r32", k_bts_r32, tbv, toff, 0, 0x41, 0
  SECTION "BTR r32,r32", k_btr_r32, tbv, toff, 0x8d5, 0x41, 0
  SECTION "BTC r32,r32", k_btc_r32, tbv, toff, 0, 0x41, 0
  SECTION "BT r16,r16", k_bt_r16, tbv, toff, 0, 0x41, 0
  SECTION "BTS r16,r16", k_bts_r16, tbv, toff, 0x8d5, 0x41, 0
  SECTION "BTR r16,r16", k_btr_r16, tbv, toff, 0, 0x41, 0
  SECTION "BTC r16,r16", k_btc_r16, tbv, toff, 0x8d5, 0x41, 0
  SECTION "BT m32,r32", k_bt_m32, tbv, toffm, 0, 0x41, 0
  SECTION "BTS m32,r32", k_bts_m32, tbv, toffm, 0x8d5, 0x41, 0
  SECTION "BTR m32,r32", k_btr_m32, tbv, toffm, 0, 0x41, 0
  SECTION "BTC m32,r32", k_btc_m32, tbv, toffm, 0x8d5, 0x41, 0
  SECTION "BT m16,r16", k_bt_m16, tbv, toffm, 0x8d5, 0x41, 0
  SECTION "BTS m16,r16", k_bts_m16, tbv, toffm, 0, 0x41, 0
  SECTION "BTR m16,r16", k_btr_m16, tbv, toffm, 0x8d5, 0x41, 0
  SECTION "BTC m16,r16", k_btc_m16, tbv, toffm, 0, 0x41, 0
  SECTION "BTS m32,r32 a32", k_bts_a32, tbv, toffm, 0, 0x41, 0
  SECTION "BT r32,5", k_bt_i5, tbv, tzero, 0, 0x41, 0
  SECTION "BTS r16,17", k_bts_i17, tbv, tzero, 0x8d5, 0x41, 0
  SECTION "BTR m32,40", k_btr_i40, tbv, tzero, 0, 0x41, 0
  SECTION "BTC m16,15", k_btc_i15, tbv, tzero, 0x8d5, 0x41, 0
  SECTION "BTC r32,31", k_btc_i31, tbv, tzero, 0, 0x41, 0
  SECTION "BSF r32,r32", k_bsf_r32, tbv, tbv, 0, 0x40, 0
  SECTION "BSF r16,m16", k_bsf_m16, tbv, tbv, 0x8d5, 0x40, 0
  SECTION "BSR r32,m32", k_bsr_m32, tbv, tbv, 0x8d5, 0x40, 0
  SECTION "BSR r16,r16", k_bsr_r16, tbv, tbv, 0, 0x40, 0
  PUTS "end"
  call putnl
  EXIT 0

BTREG bt, r32, {eax, ebx}
BTREG bts, r32, {eax, ebx}
BTREG btr, r32, {eax, ebx}
BTREG btc, r32, {eax, ebx}
BTREG bt, r16, {ax, bx}
BTREG bts, r16, {ax, bx}
BTREG btr, r16, {ax, bx}
BTREG btc, r16, {ax, bx}
BTMEM bt, m32, {dword [BITS], ebx}
BTMEM bts, m32, {dword [BITS], ebx}
BTMEM btr, m32, {dword [BITS], ebx}
BTMEM btc, m32, {dword [BITS], ebx}
BTMEM bt, m16, {word [BITS], bx}
BTMEM bts, m16, {word [BITS], bx}
BTMEM btr, m16, {word [BITS], bx}
BTMEM btc, m16, {word [BITS], bx}
k_bts_a32: push esi
           mov esi, BITS - 4
           call fill
           bts dword [esi + 4], ebx
           pushf
           call fold
           popf
           pop esi
           ret
k_bt_i5:   bt eax, 5
           ret
k_bts_i17: bts ax, 17
           ret
k_btr_i40: mov [MEM], eax
           btr dword [MEM], 40
           mov eax, [MEM]
           ret
k_btc_i15: mov [MEM], eax
           btc word [MEM], 15
           mov eax, [MEM]
           ret
k_btc_i31: btc eax, 31
           ret
k_bsf_r32: bsf eax, ebx
           ret
k_bsf_m16: bsf ax, [MEM]
           ret
k_bsr_m32: bsr eax, [MEM]
           ret
k_bsr_r16: bsr ax, bx
           ret

; fill 0x800..0x87f with EAX, EAX + 11111111h, ...; preserves registers and flags
fill:
  pushf
  push eax
  push si
  mov si, 0x800
.l:
  mov [si], eax
  add eax, 0x11111111
  add si, 4
  cmp si, 0x880
  jb .l
  pop si
  pop eax
  popf
  ret
; EAX = XOR of the area's dwords, EDX = sum of their prefix sums
fold:
  push si
  push ecx
  xor eax, eax
  xor edx, edx
  xor ecx, ecx
  mov si, 0x800
.l:
  xor eax, [si]
  add ecx, [si]
  add edx, ecx
  add si, 4
  cmp si, 0x880
  jb .l
  pop ecx
  pop si
  ret

section .rodata
TABLE tbv, 0, 1, 0x80, 0x8000, 0x80000000, 0xffffffff, 0x00010000, 0x12345678, 0xdeadbeef, \
           0x00f00000, 0x7ffe0000, 0x5a5a5a5a
TABLE toff, 0, 1, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 100, 0xffffffff, 0xfffffff0, 0xffffffdf, \
           0x7fffffff, 0x80000000, 0x00010003
TABLE toffm, 0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 100, 255, 0xffffffff, 0xfffffff0, 0xffffffef, \
           0xffffffe0, 0xffffffdf, 0xffffff9c, 0xffffff00
TABLE tzero, 0
ROM_END
