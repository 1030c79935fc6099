; #DE delivery in real mode, checked against explicit expected output (not
; against qemu: qemu 7.2 itself dies of a host SIGFPE on the two INT_MIN / -1
; cases below). The handler is installed in the IVT at 0:0; it checks that the
; pushed CS:IP is the faulting instruction (faults restart it) and prints EAX
; and EDX, which must be as they were before the instruction.
%include "arith_lib.inc"

%define RESUME 0x51c

; DETEST instruction: expect it to raise #DE
%macro DETEST 1+
  mov word [KERN], %%f
  mov word [RESUME], %%r
  mov [SAVESP], sp
%%f: %1
  PUTS "no fault"
  call putnl
%%r:
%endmacro

main:
  SETUP
  mov word [0], de_only
  ; 16-bit IDIV: DX:AX = 80000000h / -1 overflows
  mov edx, 0x11118000
  mov eax, 0x22220000
  mov bx, 0xffff
  DETEST idiv bx
  ; 32-bit IDIV: EDX:EAX = 8000000000000000h / -1
  mov edx, 0x80000000
  mov eax, 0
  mov ecx, 0xffffffff
  DETEST idiv ecx
  ; 32-bit IDIV: -2^31 / -1 = 2^31 does not fit
  mov edx, 0xffffffff
  mov eax, 0x80000000
  mov [MEM], ecx
  DETEST idiv dword [MEM]
  ; 16-bit IDIV: -32768 / -1 with DX:AX = FFFF:8000
  mov dx, 0xffff
  mov ax, 0x8000
  DETEST idiv bx
  ; 8-bit IDIV: -128 / -1
  mov ax, 0xff80
  mov bl, 0xff
  DETEST idiv bl
  ; DIV by zero from memory, 8-bit
  mov eax, 0x1234
  mov byte [MEM], 0
  DETEST div byte [MEM]
  ; AAM 0
  mov eax, 0x42
  DETEST aam 0
  ; no fault: -2^31 / 1 and -2^31 / 2
  mov edx, 0xffffffff
  mov eax, 0x80000000
  mov ebx, 1
  idiv ebx
  call ph32
  call sp_
  mov eax, edx
  call ph32
  call putnl
  mov edx, 0xffffffff
  mov eax, 0x80000001
  mov ebx, 2
  idiv ebx
  call ph32
  call sp_
  mov eax, edx
  call ph32
  call putnl
  PUTS "end"
  call putnl
  EXIT 0

de_only:
  pop word [DEIP]
  pop word [DECS]
  pop word [DEFL]
  mov sp, [SAVESP]
  PUTS "DE"
  push ax
  mov ax, [DEIP]
  cmp ax, [KERN]
  jne .bad
  mov ax, [DECS]
  cmp ax, 0xf000
  je .ok
.bad:
  PUTS "-BADIP"
.ok:
  pop ax
  call sp_
  call ph32
  call sp_
  push eax
  mov eax, edx
  call ph32
  pop eax
  call putnl
  jmp word [RESUME]
ROM_END
