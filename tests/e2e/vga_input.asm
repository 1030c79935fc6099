; Guest for tests/e2e/vgainput.test.ts (written for this project): a disk image
; booted by SeaBIOS in the page. It sets VBE mode 118h (1024x768, linear
; framebuffer) through the VGA BIOS, draws bands through the framebuffer,
; enables the i8042's PS/2 mouse (A8h, D4h F4h) and then, with interrupts off so
; that the BIOS takes nothing, reports every byte the controller gives on COM1:
; "K xx" from the keyboard, "M xx" from the mouse (status bit 5).
bits 16
org 0x7c00
cpu 686

MINFO equ 0x9000

boot:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  sti
  mov ax, 0x0204              ; the rest: 4 sectors to 7E00
  mov cx, 0x0002
  mov dh, 0
  mov bx, 0x7e00
  int 0x13
  jmp main

serial:                       ; AL to COM1
  push dx
  push ax
  mov dx, 0x3fd
.w: in al, dx
  test al, 0x20
  jz .w
  pop ax
  mov dx, 0x3f8
  out dx, al
  pop dx
  ret
hex8:
  push ax
  shr al, 4
  call .n
  pop ax
.n: push ax
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 'a' - '0' - 10
.o: call serial
  pop ax
  ret
puts:                         ; DS:SI
  lodsb
  test al, al
  jz .d
  call serial
  jmp puts
.d: ret

  times 510 - ($ - $$) db 0
  dw 0xaa55

main:
  mov cx, 0x118
  mov di, MINFO
  mov ax, 0x4f01
  int 0x10
  mov bx, 0x4118
  mov ax, 0x4f02
  int 0x10
  cmp ax, 0x004f
  jne .nomode
  call unreal
  mov edi, [MINFO + 0x28]     ; bands of colour, 64 lines each
  xor edx, edx
.line:
  mov eax, edx
  shr eax, 6
  imul eax, eax, 0x00254173
  mov ecx, 1024
.px:
  mov [fs:edi], ax
  ror eax, 16
  mov [fs:edi + 2], al
  rol eax, 16
  add edi, 3
  dec ecx
  jnz .px
  inc edx
  cmp edx, 768
  jb .line
.nomode:
  cli
  call kbc_wait_in
  mov al, 0xa8                ; enable the auxiliary (mouse) port
  out 0x64, al
  call kbc_wait_in
  mov al, 0xd4                ; next byte to the mouse:
  out 0x64, al
  call kbc_wait_in
  mov al, 0xf4                ; enable data reporting
  out 0x60, al
  mov si, ready
  call puts
.poll:
  in al, 0x64
  test al, 1
  jz .poll
  mov ah, al
  in al, 0x60
  mov bl, 'K'
  test ah, 0x20
  jz .k
  mov bl, 'M'
.k: xchg al, bl
  call serial
  mov al, ' '
  call serial
  mov al, bl
  call hex8
  mov al, 13
  call serial
  mov al, 10
  call serial
  jmp .poll

kbc_wait_in:
  in al, 0x64
  test al, 2
  jnz kbc_wait_in
  ret

unreal:
  push ds
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp $ + 2
  mov bx, 8
  mov fs, bx
  and al, 0xfe
  mov cr0, eax
  pop ds
  ret
gdtr: dw 15
  dd gdt
gdt: dq 0
  dq 0x00cf92000000ffff

ready: db "vga-input ready", 13, 10, 0

  times 0x100000 - ($ - $$) db 0
