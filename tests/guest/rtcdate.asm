; The date and time a guest reads from the MC146818 RTC at power-on (written for
; this project), for tests/cli/rtc.test.ts: -rtc base=DATE and base=localtime
; on the command line, against qemu-system-i386 with the same flags. Waits until
; no update is in progress (register A bit 7), then prints, in hex, the century
; (32h), year (9), month (8), day (7), hours (4), minutes (2), seconds (0), day
; of the week (6) and register B (its format bits: 24-hour, BCD or binary).
%include "lib/rom.inc"

%macro CMOS 1                       ; AL = CMOS register %1
  mov al, %1
  out 0x70, al
  in al, 0x71
%endmacro

%macro SHOW 1                       ; register %1 in hex, then a space
  CMOS %1
  call puthex8
  mov al, ' '
  call putc
%endmacro

main:
.uip:
  CMOS 0x0a
  test al, 0x80
  jnz .uip
  SHOW 0x32
  SHOW 0x09
  SHOW 0x08
  SHOW 0x07
  SHOW 0x04
  SHOW 0x02
  SHOW 0x00
  SHOW 0x06
  CMOS 0x0b
  call puthex8
  call putnl
  PUTS "done"
  call putnl
  EXIT 0

ROM_END
