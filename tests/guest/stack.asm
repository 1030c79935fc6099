; Stack instructions in real mode (16-bit stack), compared with qemu -cpu
; pentium2: PUSH/POP of registers, immediates, memory (POP r/m with an ESP-based
; address), PUSH SP / POP SP, segment registers, PUSHF/POPF (which flags real
; mode may change), PUSHA/POPA (o16/o32; the SP slot is skipped), ENTER with
; nesting levels 0..3 (o16/o32) and LEAVE.
%include "lib/rom.inc"
%include "datamov_lib.inc"

%macro STK 1                    ; print %1 words from SS:SP upwards
  push bp
  push cx
  mov bp, sp
  add bp, 4
  mov cx, %1
%%l:
  H16 word [ss:bp]
  add bp, 2
  dec cx
  jnz %%l
  pop cx
  pop bp
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
  mov esp, 0x7000
  mov ax, 0x1000
  mov ds, ax
  mov es, ax

  PUTS "push: "
  push word 0x1234
  push byte -2
  push dword 0x89abcdef
  push dword -3
  STK 6
  H32 esp
  pop eax
  H32 eax
  pop eax
  H32 eax
  pop ax
  H32 eax
  pop bx
  H32 ebx
  mov dword [0x10], 0xcafebabe
  push word [0x10]
  push dword [0x10]
  pop word [0x20]
  pop dword [0x24]
  H32 [0x20]
  H32 [0x24]
  push dword 0x11111111
  push dword 0x22222222
  a32 pop dword [esp]           ; address computed after the pop
  pop eax
  H32 eax
  H32 esp
  push sp                       ; the value before the push
  pop ax
  H32 eax
  mov ax, sp
  push ax
  add word [ss:esp], 0x100
  pop sp                        ; POP SP loads the popped value
  H32 esp
  sub sp, 0x100
  mov esp, 0x12347000           ; 16-bit stack: the upper half stays
  push ax
  H32 esp
  pop ax
  H32 esp
  mov esp, 0x7000
  NL

  PUTS "seg: "
  mov ax, 0x1234
  mov fs, ax
  push fs
  pop gs
  mov ax, gs
  H32 eax
  mov dword [ss:0x6ffc], 0xffffffff
  push dword 0x5555
  pop eax
  push ds
  push es
  pop fs
  o32 push gs
  H16 word [ss:0x6ffc]
  o32 pop ds
  mov ax, ds
  H32 eax
  pop ds
  STK 1
  NL

  PUTS "flags: "
  push word 0xfeff              ; everything but TF
  popf
  pushf
  pop ax
  H32 eax
  push word 0
  popf
  pushf
  pop ax
  H32 eax
  push dword 0xfffffeff
  popfd
  pushfd
  pop eax
  H32 eax
  push dword 0
  popfd
  pushfd
  pop eax
  H32 eax
  mov eax, 0x7fffffff
  add eax, 1                    ; lazy flags are folded into the pushed image
  pushf
  pop ax
  and ax, 0x8d5
  H32 eax
  push dword 2
  popfd
  NL

  PUTS "pusha: "
  mov eax, 0x11110001
  mov ecx, 0x22220002
  mov edx, 0x33330003
  mov ebx, 0x44440004
  mov ebp, 0x55550005
  mov esi, 0x66660006
  mov edi, 0x77770007
  pusha
  STK 8
  mov word [ss:esp+6], 0xbeef   ; the SP slot: POPA ignores it
  xor eax, eax
  mov ecx, eax
  mov edx, eax
  mov ebx, eax
  mov ebp, eax
  mov esi, eax
  mov edi, eax
  popa
  H32 eax
  H32 ecx
  H32 edx
  H32 ebx
  H32 esp
  H32 ebp
  H32 esi
  H32 edi
  pushad
  STK 16
  mov dword [ss:esp+12], 0xdeadbeef
  xor eax, eax
  mov ebp, eax
  mov edi, eax
  popad
  H32 eax
  H32 esp
  H32 ebp
  H32 edi
  NL

  PUTS "enter: "
  mov ebp, 0x6f00
  mov word [ss:0x6f00-2], 0xaaaa  ; an old frame's display
  mov word [ss:0x6f00-4], 0xbbbb
  mov word [ss:0x6f00-6], 0xcccc
  enter 8, 0
  H32 ebp
  H32 esp
  STK 2
  leave
  H32 ebp
  H32 esp
  enter 4, 1
  H32 ebp
  H32 esp
  STK 4
  leave
  enter 6, 3
  H32 ebp
  H32 esp
  STK 8
  leave
  H32 ebp
  H32 esp
  mov dword [ss:0x6f00-4], 0x11112222
  mov dword [ss:0x6f00-8], 0x33334444
  o32 enter 0x10, 3
  H32 ebp
  H32 esp
  STK 14
  o32 leave
  H32 ebp
  H32 esp
  enter 0, 33                   ; level is taken mod 32: 1
  H32 ebp
  H32 esp
  leave
  NL
  EXIT 0
ROM_END
