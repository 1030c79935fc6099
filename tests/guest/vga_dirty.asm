; Guest for tests/guest/vgadirty.test.ts (written for this project): the std
; VGA's dirty-page log (asm/mmu/dirty.ts) as the page's screen uses it. Sets
; Bochs VBE 1024x768x32 with the linear framebuffer at E0000000h (BAR0,
; assigned here), then in protected mode, in three phases, each ended by a
; letter on port E9h and a wait until the host writes the next phase number to
; PHASE (so that the host takes the log between them):
;   A  the mode is set (the host takes the log: everything the enable cleared);
;   B  a loop of 4096 dword stores over framebuffer page 5 (translated once
;      hot), one byte store to page 9, one word store through the banked A0000
;      window with BANK = 3 (video memory page 3 * 16 + 2 = 50);
;   C  one dword store to page 5 again (watched again since the last take),
;      then HLT with interrupts off.
%include "lib/rom.inc"
%include "lib/pm.inc"
%include "lib/stdvga.inc"

LFB   equ 0xe0000000
PHASE equ 0x5000

%macro SIGNAL_AND_WAIT 2              ; letter, phase to wait for
  mov al, %1
  out 0xe9, al
%%wait:
  cmp dword [PHASE], %2
  jne %%wait
%endmacro

main:
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  STDVGA_LFB LFB
  DISPI_MODE 1024, 768, 32
  PM_ENTER
  mov dword [PHASE], 0
  SIGNAL_AND_WAIT 'A', 1
  mov edi, LFB + 5 * 4096
  mov ecx, 4096
.fill:
  mov eax, ecx
  and eax, 0x3ff
  mov [edi + eax * 4], ecx
  dec ecx
  jnz .fill
  mov byte [LFB + 9 * 4096 + 0x123], 0x5a
  DISPI 5, 3                  ; BANK: the A0000 window shows video memory from 3 * 64 KiB
  mov word [0xa0000 + 2 * 4096 + 0x10], 0xbeef
  SIGNAL_AND_WAIT 'B', 2
  mov dword [LFB + 5 * 4096 + 0xffc], 0x12345678
  mov al, 'C'
  out 0xe9, al
  cli
  hlt

ROM_END
