; Guest for tools/bench/vbe-fps.ts (written for this project): Bochs VBE
; 1024x768x32 by the DISPI registers, the linear framebuffer at E0000000h (BAR0
; of the std VGA, assigned here), then a frame every 1/60 s by the PIT (channel 0
; in mode 2, polled), counting frames at 5000h and, while it waits for the next
; tick, loop iterations at 5004h (the guest's spare speed):
;   FULL=1: every pixel of the screen rewritten each frame (rep stosd, 3 MiB);
;   FULL=0: a 128x128 square moved across the screen (a cursor, a small window).
%include "lib/rom.inc"
%include "lib/pm.inc"
%include "lib/stdvga.inc"

LFB equ 0xe0000000
FRAMES equ 0x5000
SPINS equ 0x5004
PIT_60HZ equ 19886            ; 1193182 Hz / 60

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  STDVGA_LFB LFB
  DISPI_MODE 1024, 768, 32
  mov dx, 0x3da
  in al, dx
  mov dx, 0x3c0
  mov al, 0x20
  out dx, al
  mov al, 0x34                ; PIT channel 0: lo/hi, mode 2 (rate generator)
  out 0x43, al
  mov al, PIT_60HZ & 0xff
  out 0x40, al
  mov al, PIT_60HZ >> 8
  out 0x40, al
  PM_ENTER
  mov dword [FRAMES], 0
  mov dword [SPINS], 0
  xor ebx, ebx
.frame:
%if FULL
  mov edi, LFB
  mov eax, ebx
  imul eax, eax, 0x00010307
  mov ecx, 1024 * 768
  rep stosd
%else
  mov eax, ebx                ; square at x = (frame * 8) mod 896, y = (frame * 4) mod 640
  shl eax, 3
  xor edx, edx
  mov ecx, 896
  div ecx
  mov esi, edx
  mov eax, ebx
  shl eax, 2
  xor edx, edx
  mov ecx, 640
  div ecx
  imul edi, edx, 4096
  lea edi, [edi + esi * 4 + LFB]
  mov eax, ebx
  imul eax, eax, 0x00050301
  mov edx, 128
.row:
  mov ecx, 128
  push edi
  rep stosd
  pop edi
  add edi, 4096
  dec edx
  jnz .row
%endif
  inc ebx
  mov [FRAMES], ebx
  ; wait for the counter to wrap (it counts down; a wrap reads higher)
  mov ebp, 0xffffffff         ; the first read is no wrap
.wait:
  mov al, 0x00                ; latch channel 0
  out 0x43, al
  in al, 0x40
  mov ah, al
  in al, 0x40
  xchg al, ah
  movzx eax, ax
  cmp eax, ebp
  mov ebp, eax
  ja .frame
  inc dword [SPINS]
  jmp .wait

ROM_END
