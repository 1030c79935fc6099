; VBE through the VGA BIOS (SeaBIOS's vgabios-stdvga.bin, run from the std VGA's
; ROM BAR) under SeaBIOS: a disk image whose boot sector loads the rest and
;   - prints the INT 10h AX=4F00 controller information and every mode's 4F01
;     information (number, attributes, width, height, depth, memory model),
;   - asks for modes that do not exist (4F01 and 4F02 with mode 1FFh, with and
;     without the linear framebuffer bit, 4F02 with 3FFFh) and prints the status
;     each returns: the VBE 3.0 specification's AX = 014Fh "function call
;     failed"; the mode stays what it was (4F03),
;   - sets MODE (with the linear framebuffer bit) through 4F02, reads it back
;     with 4F03, draws through the framebuffer at the PhysBasePtr 4F01 gave (from
;     unreal mode) and prints "done" for the host's screendump.
; Written for this project; tests/guest/vga_vbe.test.ts runs it on both machines.
bits 16
org 0x7c00
cpu 686

%ifndef MODE
%define MODE 0x118
%endif
INFO equ 0xa000               ; 4F00 buffer (512 bytes), past the loaded sectors
MINFO equ 0xa200              ; 4F01 buffer (256 bytes)

boot:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  mov ax, 0x0210              ; read 16 sectors after the boot sector to 7E00
  mov cx, 0x0002
  mov dh, 0
  mov bx, 0x7e00
  int 0x13
  jc fail
  jmp main
fail:
  mov al, '!'
  out 0xe9, al
  cli
  hlt

putc:
  out 0xe9, al
  ret
putnl:
  push ax
  mov al, 10
  out 0xe9, al
  pop ax
  ret
puthex4:
  push ax
  and al, 0x0f
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 'a' - '0' - 10
.o: out 0xe9, al
  pop ax
  ret
puthex8:
  push ax
  shr al, 4
  call puthex4
  pop ax
  jmp puthex4
puthex16:
  xchg al, ah
  call puthex8
  xchg al, ah
  call puthex8
  ret
puthex32:
  ror eax, 16
  call puthex16
  ror eax, 16
  call puthex16
  ret
space:
  push ax
  mov al, ' '
  out 0xe9, al
  pop ax
  ret

  times 510 - ($ - $$) db 0
  dw 0xaa55

main:
  ; ---- controller information ----
  mov dword [INFO], 'VBE2'
  mov di, INFO
  mov ax, 0x4f00
  int 0x10
  call puthex16               ; status
  call space
  mov eax, [INFO]             ; signature
  call puthex32
  call space
  mov ax, [INFO + 4]          ; version
  call puthex16
  call space
  mov eax, [INFO + 10]        ; capabilities
  call puthex32
  call space
  mov ax, [INFO + 18]         ; total memory, 64 KiB units
  call puthex16
  call putnl
  ; ---- every mode ----
  lfs si, [INFO + 14]         ; video mode list
.mode:
  mov cx, [fs:si]
  cmp cx, 0xffff
  je .modes_done
  push si
  push fs
  mov ax, cx
  call puthex16
  call space
  call mode_info
  call putnl
  pop fs
  pop si
  add si, 2
  jmp .mode
.modes_done:
  ; ---- requests that must fail ----
  mov cx, 0x1ff               ; 4F01: no such mode
  mov di, MINFO
  mov ax, 0x4f01
  int 0x10
  call puthex16
  call space
  mov bx, 0x1ff               ; 4F02: no such mode
  mov ax, 0x4f02
  int 0x10
  call puthex16
  call space
  mov bx, 0x4000 | 0x1ff      ; 4F02: no such mode, linear framebuffer
  mov ax, 0x4f02
  int 0x10
  call puthex16
  call space
  mov bx, 0x3fff              ; 4F02: the largest mode number, not one of the BIOS's
  mov ax, 0x4f02
  int 0x10
  call puthex16
  call space
  mov ax, 0x4f03              ; still the text mode
  int 0x10
  call puthex16
  call space
  mov ax, bx
  call puthex16
  call putnl
  ; ---- the mode ----
  mov cx, MODE
  mov di, MINFO
  mov ax, 0x4f01
  int 0x10
  mov bx, 0x4000 | MODE
  mov ax, 0x4f02
  int 0x10
  push ax
  mov ax, 0x4f03
  int 0x10
  pop ax
  call puthex16
  call space
  mov ax, bx
  call puthex16
  call space
  mov eax, [MINFO + 0x28]     ; PhysBasePtr
  call puthex32
  call putnl
  call unreal
  call draw
  mov si, done_msg
.d: lodsb
  test al, al
  jz .h
  out 0xe9, al
  jmp .d
.h: cli
  hlt
  jmp .h
done_msg: db "done", 10, 0

; mode_info: CX = mode; prints 4F01's status, attributes, width, height, depth,
; memory model, bytes per line
mode_info:
  mov di, MINFO
  mov ax, 0x4f01
  int 0x10
  call puthex16
  call space
  mov ax, [MINFO]
  call puthex16
  call space
  mov ax, [MINFO + 0x12]
  call puthex16
  call space
  mov ax, [MINFO + 0x14]
  call puthex16
  call space
  mov al, [MINFO + 0x19]
  call puthex8
  call space
  mov al, [MINFO + 0x1b]
  call puthex8
  call space
  mov ax, [MINFO + 0x10]
  call puthex16
  ret

; unreal: FS with a 4 GiB limit, back in real mode
unreal:
  cli
  push ds
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp $ + 2
  mov bx, 8
  mov fs, bx
  and al, 0xfe
  mov cr0, eax                ; FS keeps base 0 and its 4 GiB limit
  pop ds
  sti
  ret
gdtr: dw gdt_end - gdt - 1
  dd gdt
gdt: dq 0
  dq 0x00cf92000000ffff       ; flat data
gdt_end:

; draw: pixel (x, y) through the framebuffer: red x, green y, blue x ^ y,
; packed by the mode's depth (16, 24 or 32 bits).
draw:
  mov edi, [MINFO + 0x28]
  movzx ebp, word [MINFO + 0x10] ; bytes per line
  xor edx, edx                ; y
.row:
  push edi
  xor ecx, ecx                ; x
.px:
  mov eax, ecx
  and eax, 0xff
  shl eax, 16
  mov ebx, edx
  and ebx, 0xff
  shl ebx, 8
  or eax, ebx
  mov ebx, ecx
  xor ebx, edx
  and ebx, 0xff
  or eax, ebx
  cmp byte [MINFO + 0x19], 32
  jne .n32
  mov [fs:edi], eax
  add edi, 4
  jmp .next
.n32:
  cmp byte [MINFO + 0x19], 24
  jne .n24
  mov [fs:edi], ax
  shr eax, 16
  mov [fs:edi + 2], al
  add edi, 3
  jmp .next
.n24:
  mov ebx, eax                ; 5:6:5
  shr ebx, 8
  and ebx, 0xf800
  push ecx
  mov ecx, eax
  shr ecx, 5
  and ecx, 0x07e0
  or ebx, ecx
  pop ecx
  shr eax, 3
  and eax, 0x1f
  or eax, ebx
  mov [fs:edi], ax
  add edi, 2
.next:
  inc ecx
  cmp cx, [MINFO + 0x12]
  jb .px
  pop edi
  add edi, ebp
  inc edx
  cmp dx, [MINFO + 0x14]
  jb .row
  ret

  times 0x100000 - ($ - $$) db 0
