; String instructions in real mode, compared with qemu -cpu pentium2: MOVS,
; STOS, LODS, CMPS, SCAS (b/w/d), INS/OUTS through the debug port, with and
; without REP/REPE/REPNE, 16- and 32-bit address size, DF = 0 and 1, REP
; counts 0, 1 and many (beyond one execution's budget), overlapping MOVS,
; 16-bit index wrap, segment overrides on the source. Memory is checked with a
; position-sensitive checksum. The part after "rz-only:" checks REP faults at a
; real-mode segment limit, which qemu does not enforce.
%include "lib/rom.inc"
%include "datamov_lib.inc"

ARITH equ 0x8d5

%macro REGS 0                   ; (E)SI (E)DI (E)CX
  H32 esi
  H32 edi
  H32 ecx
%endmacro
%macro CSUM 3                   ; segment, offset, length
  push fs
  push word %1
  pop fs
  push esi
  push ecx
  mov esi, %2
  mov ecx, %3
  call csum
  pop ecx
  pop esi
  pop fs
%endmacro

main:
  xor eax, eax
  mov ebx, eax
  mov ecx, eax
  mov edx, eax
  mov esi, eax
  mov edi, eax
  mov ebp, eax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [13*4], gp_handler
  mov word [13*4+2], 0xf000
  ; source pattern: 0x10000..0x17fff, x = 5x + 1 per byte
  mov ax, 0x1000
  mov ds, ax
  xor ebx, ebx
  mov eax, 7
.fill:
  lea eax, [eax*4+eax+1]
  mov [bx], al
  inc bx
  cmp bx, 0x8000
  jb .fill
  mov ax, 0x2000
  mov es, ax
  cld

  PUTS "movs: "
  xor ecx, ecx
  mov si, 3
  mov di, 0x101
  rep movsb                     ; count 0
  REGS
  mov cx, 1
  rep movsb
  REGS
  mov cx, 0x3001                ; unaligned, several pages
  rep movsb
  REGS
  CSUM 0x2000, 0x101, 0x3002
  mov esi, 0x10
  mov edi, 0x4000
  mov ecx, 0x800
  a32 rep movsd
  REGS
  CSUM 0x2000, 0x4000, 0x2000
  std
  mov si, 0x7ffe
  mov di, 0x7ffe
  mov cx, 0x400
  rep movsw
  cld
  REGS
  CSUM 0x2000, 0x7000, 0x1000
  mov si, 0xffff                ; single MOVSB: SI wraps to 0
  mov di, 0x20
  movsb
  REGS
  mov si, 0x40
  mov di, 0x50
  mov cx, 7
  repne movsb                   ; F2 acts as REP for MOVS
  REGS
  mov si, 0x100
  mov di, 0x200
  movsw
  movsd
  REGS
  CSUM 0x2000, 0, 0x300
  NL

  PUTS "overlap: "
  push es
  push ds
  pop es                        ; ES = DS
  mov si, 0x1000                ; dst = src + 1: replicates the first byte
  mov di, 0x1001
  mov cx, 300
  rep movsb
  REGS
  CSUM 0x1000, 0x1000, 310
  mov si, 0x2000                ; dst = src + 3 with dwords
  mov di, 0x2003
  mov cx, 100
  rep movsd
  REGS
  CSUM 0x1000, 0x2000, 410
  mov si, 0x3000                ; dst = src + 8, 64 dwords
  mov di, 0x3008
  mov cx, 64
  rep movsd
  CSUM 0x1000, 0x3000, 270
  mov si, 0x4005                ; dst below src
  mov di, 0x4000
  mov cx, 1000
  rep movsb
  CSUM 0x1000, 0x4000, 1010
  std                           ; backwards with dst above src
  mov si, 0x5100
  mov di, 0x5104
  mov cx, 0x80
  rep movsw
  cld
  REGS
  CSUM 0x1000, 0x5000, 0x110
  pop es
  NL

  PUTS "stos: "
  mov eax, 0x12345678
  mov di, 0x8000
  mov cx, 0x1001
  rep stosd
  REGS
  mov di, 0x8001
  mov cx, 0x777
  rep stosw
  mov di, 0xc002
  mov cx, 0x999
  mov al, 0xa5
  rep stosb
  REGS
  std
  mov di, 0xeffe
  mov cx, 0x200
  mov ax, 0x0f0f
  rep stosw
  cld
  REGS
  CSUM 0x2000, 0x8000, 0x7000
  mov di, 0xfff0                ; 16-bit index wraps at 64 KiB
  mov cx, 0x20
  mov al, 0x3c
  rep stosb
  REGS
  CSUM 0x2000, 0, 0x20
  CSUM 0x2000, 0xffe0, 0x20
  xor eax, eax
  mov di, 0x100
  stosb
  stosw
  stosd
  REGS
  push es                       ; a32 count beyond one execution's budget
  mov ax, 0x4000
  mov es, ax
  mov edi, 0x10
  mov ecx, 0xffe0
  mov eax, 0x01010101
  a32 rep stosb
  REGS
  mov edi, 0x20
  mov ecx, 0x3000
  mov eax, 0xdeadbeef
  a32 rep stosd
  REGS
  pop es
  CSUM 0x4000, 0, 0x8000
  CSUM 0x4000, 0x8000, 0x8000
  NL

  PUTS "lods: "
  mov si, 0x10
  lodsb
  H32 eax
  lodsw
  H32 eax
  lodsd
  H32 eax
  mov cx, 5
  rep lodsb
  H32 eax
  REGS
  std
  mov esi, 0x20
  a32 lodsd
  cld
  H32 eax
  REGS
  cs lodsb                      ; source override: the ROM
  H32 eax
  NL

  PUTS "cmps: "
  push es
  push ds
  pop es
  mov byte [0x6000+37], 0xee    ; DS:0x6000 vs DS:0x5000 copy
  mov si, 0x5000
  mov di, 0x6000
  mov cx, 0x100
  mov ax, ds
  mov es, ax
  ; make 0x6000 a copy of 0x5000 but for byte 37
  push si
  push di
  push cx
  rep movsb
  pop cx
  pop di
  pop si
  mov byte [0x6000+37], 0xee
  repe cmpsb
  REGS
  FL ARITH
  mov si, 0x5000
  mov di, 0x6000
  mov cx, 20
  repe cmpsb                    ; all equal: ends by count
  REGS
  FL ARITH
  mov si, 0x5000
  mov di, 0x7000
  mov byte [0x7000+9], 0x00
  mov al, [0x5000+9]
  mov [0x7000+9], al
  mov cx, 30
  repne cmpsb                   ; stops at the first equal byte
  REGS
  FL ARITH
  mov esi, 0x5000
  mov edi, 0x6000
  mov ecx, 16
  a32 repe cmpsd
  REGS
  FL ARITH
  std
  mov si, 0x5040
  mov di, 0x6040
  mov cx, 16
  repe cmpsw
  cld
  REGS
  FL ARITH
  mov si, 0x5000
  mov di, 0x5001
  cmpsb
  FL ARITH
  cmpsw
  FL ARITH
  cmpsd
  FL ARITH
  xor cx, cx
  SETFL 0x8d5
  repe cmpsb                    ; count 0: flags untouched
  FL ARITH
  pop es
  NL

  PUTS "scas: "
  mov di, 0x3000
  mov cx, 0x100
  mov byte [es:0x3000+0x55], 0
  xor al, al
  repne scasb                   ; strlen-style
  REGS
  FL ARITH
  mov di, 0x8000
  mov cx, 0x100
  mov ax, 0x5678
  repe scasw
  REGS
  FL ARITH
  mov edi, 0x8000
  mov ecx, 0x100
  mov eax, 0x12345678
  a32 repe scasd
  REGS
  FL ARITH
  mov di, 0x10
  mov al, 0x80
  scasb
  FL ARITH
  NL

  PUTS "io: "
  push ds
  push cs
  pop ds
  mov si, hello
  mov cx, hello_end - hello
  mov dx, 0xe9
  rep outsb
  pop ds
  mov si, hello
  mov cx, 3
  cs rep outsb
  REGS
  mov di, 0x300
  mov cx, 5
  rep insb
  REGS
  mov eax, [es:0x300]
  H32 eax
  mov al, [es:0x304]
  H32 eax
  std
  mov di, 0x310
  insb
  cld
  REGS
  NL

  PUTS "rz-only: "
  ; REP MOVSB whose source crosses the 64 KiB real-mode limit: #GP after 16
  ; iterations, with ESI EDI ECX pointing at the faulting one.
  mov word [ss:0x5000], .f1
  mov esi, 0xfff0
  mov edi, 0x100
  mov ecx, 0x20
.fi1:
  a32 rep movsb
.f1:
  REGS
  mov word [ss:0x5000], .f2
  mov esi, 0x200
  mov edi, 0xfff8
  mov ecx, 4
.fi2:
  a32 rep movsd
.f2:
  REGS
  cmp word [ss:0x5002], .fi2
  jne .bad
  PUTS "ip-ok "
.bad:
  NL
  EXIT 0

gp_handler:
  PUTS "GP "
  push bp
  mov bp, sp
  push word [bp+2]
  pop word [ss:0x5002]           ; faulting IP
  pop bp
  add sp, 6
  jmp word [ss:0x5000]

; csum: Fletcher-style sums over ECX bytes at FS:ESI (printed: sum, sum of sums)
csum:
  pushad
  xor eax, eax
  xor ebx, ebx
.l:
  movzx edx, byte [fs:esi]
  add eax, edx
  add ebx, eax
  inc esi
  dec ecx
  jnz .l
  H32 eax
  H32 ebx
  popad
  ret

hello: db "Hello from REP OUTSB", 10
hello_end:
ROM_END
