/*
 * kvm-hello: the smallest hypervisor of the RingZero guest. It opens /dev/kvm,
 * makes a VM with 64 KiB of memory and one vCPU, loads payload.asm at 1000H
 * and runs it from real mode; the payload enters protected mode with paging
 * and writes "Hello from the nested guest" to port 3F8H, one OUT (one exit to
 * here) per byte, then halts. kvm-hello prints those bytes and exits 0 on the
 * halt; `-v` also prints every exit KVM_RUN returns with, and `-c N` runs the
 * payload N times without printing it and reports the exits per second.
 *
 * Built by tools/guest/build.mjs with `gcc -m32 -static -nostdlib`: no libc,
 * so it needs no i386 C library on the build host. The KVM ABI below (ioctl
 * numbers, struct layouts) is written out from the kernel's API documentation
 * (Documentation/virt/kvm/api.rst) rather than included from the host's
 * <linux/kvm.h>, which an amd64 host only has for its own architecture. The
 * structs have the layout the i386 kernel gives them: gcc -m32 aligns a 64-bit
 * member on 4 bytes there, as the kernel does.
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

/* --- i386 Linux system calls (int 80H; arch/x86/entry/syscalls/syscall_32.tbl) --- */
#define SYS_write 4
#define SYS_open 5
#define SYS_ioctl 54
#define SYS_mmap2 192
#define SYS_exit_group 252
#define SYS_clock_gettime 265
#define CLOCK_MONOTONIC 1

static long syscall3(long nr, long a, long b, long c) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
/* Six arguments: the sixth goes in EBP, which gcc may not name in a constraint,
 * so this one is a plain cdecl function in assembly. */
long syscall6(long nr, long a, long b, long c, long d, long e, long f);
__asm__(".text\n"
        "syscall6:\n"
        "  push %ebp\n"
        "  push %ebx\n"
        "  push %esi\n"
        "  push %edi\n"
        "  mov 20(%esp), %eax\n"
        "  mov 24(%esp), %ebx\n"
        "  mov 28(%esp), %ecx\n"
        "  mov 32(%esp), %edx\n"
        "  mov 36(%esp), %esi\n"
        "  mov 40(%esp), %edi\n"
        "  mov 44(%esp), %ebp\n"
        "  int $0x80\n"
        "  pop %edi\n"
        "  pop %esi\n"
        "  pop %ebx\n"
        "  pop %ebp\n"
        "  ret\n");

/* gcc may call these for struct copies and initialisers. */
void *memset(void *p, int c, unsigned n) { u8 *d = p; while (n--) *d++ = (u8)c; return p; }
void *memcpy(void *p, const void *q, unsigned n) { u8 *d = p; const u8 *s = q; while (n--) *d++ = *s++; return p; }

static unsigned slen(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }
static void out(int fd, const char *s, unsigned n) { syscall3(SYS_write, fd, (long)s, n); }
static void say(const char *s) { out(1, s, slen(s)); }
static void sayHex(u32 v) {
  char b[11] = "0x";
  int i;
  for (i = 0; i < 8; i++) b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
  b[10] = 0;
  /* drop leading zeros, keep at least one digit */
  for (i = 2; i < 9 && b[i] == '0'; i++) {}
  out(1, "0x", 2);
  out(1, b + i, 10 - i);
}
static void sayDec(u32 v) {
  char b[10];
  int i = 10;
  do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  out(1, b + i, 10 - i);
}
__attribute__((noreturn)) static void fail(const char *what, long err) {
  say("kvm-hello: ");
  say(what);
  if (err < 0) { say(" failed, errno "); sayDec((u32)-err); }
  say("\n");
  syscall3(SYS_exit_group, 1, 0, 0);
  for (;;) {}
}

/* --- the KVM API (Documentation/virt/kvm/api.rst) --- */
#define IOC(dir, nr, size) (((u32)(dir) << 30) | ((u32)(size) << 16) | (0xAEu << 8) | (nr))
#define IO(nr) IOC(0, nr, 0)
#define IOW(nr, T) IOC(1, nr, sizeof(T))
#define IOR(nr, T) IOC(2, nr, sizeof(T))

struct kvm_userspace_memory_region { u32 slot, flags; u64 guest_phys_addr, memory_size, userspace_addr; };
struct kvm_regs { u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags; };
struct kvm_segment { u64 base; u32 limit; u16 selector; u8 type, present, dpl, db, s, l, g, avl, unusable, padding; };
struct kvm_dtable { u64 base; u16 limit, padding[3]; };
struct kvm_sregs {
  struct kvm_segment cs, ds, es, fs, gs, ss, tr, ldt;
  struct kvm_dtable gdt, idt;
  u64 cr0, cr2, cr3, cr4, cr8, efer, apic_base, interrupt_bitmap[4];
};
struct kvm_run {
  u8 request_interrupt_window, immediate_exit, padding1[6];
  u32 exit_reason;
  u8 ready_for_interrupt_injection, if_flag;
  u16 flags;
  u64 cr8, apic_base;
  union {
    struct { u64 hardware_exit_reason; } hw;
    struct { u64 hardware_entry_failure_reason; u32 cpu; } fail_entry;
    struct { u32 exception, error_code; } ex;
    struct { u8 direction, size; u16 port; u32 count; u64 data_offset; } io;
    struct { u64 phys_addr; u8 data[8]; u32 len; u8 is_write; } mmio;
    struct { u32 suberror, ndata; u64 data[16]; } internal;
    char pad[256];
  } u;
};

#define KVM_GET_API_VERSION IO(0x00)
#define KVM_CREATE_VM IO(0x01)
#define KVM_GET_VCPU_MMAP_SIZE IO(0x04)
#define KVM_CREATE_VCPU IO(0x41)
#define KVM_SET_USER_MEMORY_REGION IOW(0x46, struct kvm_userspace_memory_region)
#define KVM_SET_TSS_ADDR IO(0x47)
#define KVM_RUN IO(0x80)
#define KVM_GET_REGS IOR(0x81, struct kvm_regs)
#define KVM_SET_REGS IOW(0x82, struct kvm_regs)
#define KVM_GET_SREGS IOR(0x83, struct kvm_sregs)
#define KVM_SET_SREGS IOW(0x84, struct kvm_sregs)

#define KVM_API_VERSION 12
enum {
  KVM_EXIT_UNKNOWN = 0, KVM_EXIT_EXCEPTION = 1, KVM_EXIT_IO = 2, KVM_EXIT_HLT = 5, KVM_EXIT_MMIO = 6,
  KVM_EXIT_SHUTDOWN = 8, KVM_EXIT_FAIL_ENTRY = 9, KVM_EXIT_INTR = 10, KVM_EXIT_INTERNAL_ERROR = 17,
};
static const char *exitName(u32 r) {
  switch (r) {
    case KVM_EXIT_UNKNOWN: return "UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "EXCEPTION";
    case KVM_EXIT_IO: return "IO";
    case KVM_EXIT_HLT: return "HLT";
    case KVM_EXIT_MMIO: return "MMIO";
    case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
    case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
    case KVM_EXIT_INTR: return "INTR";
    case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
  }
  return "other";
}

#define O_RDWR 2
#define O_CLOEXEC 02000000
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20

#define MEM_SIZE 0x10000u
#define PAYLOAD 0x1000u
#define PORT 0x3f8
/* KVM needs a TSS for real mode without unrestricted guest (it runs real mode
 * as virtual-8086 mode); three pages just under the BIOS, as QEMU places it. */
#define TSS_ADDR 0xfffbd000u

extern const u8 payload[], payload_end[];
__asm__(".section .rodata\n"
        "payload: .incbin \"" PAYLOAD_BIN "\"\n"
        "payload_end:\n"
        ".previous");

static long kvm(int fd, u32 req, long arg, const char *what) {
  long r = syscall3(SYS_ioctl, fd, (long)req, arg);
  if (r < 0) fail(what, r);
  return r;
}

/* Mode: 0 plain (print the greeting), 1 verbose (-v: every exit), 2 count
 * (-c N: run the payload N times quietly and report exits per second). */
static int mode;

/* Runs the vCPU until the payload halts; returns the exits it took (the HLT
 * included), or 0 after reporting a failure. */
static u32 runPayload(int vcpu, struct kvm_run *run, const struct kvm_sregs *start, u32 *rip) {
  struct kvm_sregs sregs = *start;
  kvm(vcpu, KVM_SET_SREGS, (long)&sregs, "KVM_SET_SREGS");
  struct kvm_regs regs;
  memset(&regs, 0, sizeof regs);
  regs.rip = PAYLOAD;
  regs.rflags = 2;
  kvm(vcpu, KVM_SET_REGS, (long)&regs, "KVM_SET_REGS");

  for (u32 n = 1;; n++) {
    kvm(vcpu, KVM_RUN, 0, "KVM_RUN");
    u32 why = run->exit_reason;
    if (mode == 1) {
      say("kvm-hello: exit ");
      sayDec(n);
      say(": ");
      say(exitName(why));
      if (why == KVM_EXIT_IO) {
        say(run->u.io.direction ? " out" : " in");
        say(" port ");
        sayHex(run->u.io.port);
        say(" size ");
        sayDec(run->u.io.size);
        if (run->u.io.direction && run->u.io.size == 1 && run->u.io.count == 1) {
          u8 c = *((u8 *)run + (u32)run->u.io.data_offset);
          say(" data ");
          sayHex(c);
          if (c >= 0x20 && c < 0x7f) {
            char q[4] = { ' ', '\'', (char)c, '\'' };
            out(1, q, 4);
          }
        }
      }
      say("\n");
    }
    switch (why) {
      case KVM_EXIT_IO:
        if (run->u.io.port == PORT && run->u.io.direction == 1) {
          if (mode == 0) out(1, (const char *)run + (u32)run->u.io.data_offset, run->u.io.size * run->u.io.count);
          continue;
        }
        fail("unexpected I/O port", 0);
      case KVM_EXIT_HLT:
        kvm(vcpu, KVM_GET_REGS, (long)&regs, "KVM_GET_REGS");
        *rip = (u32)regs.rip;
        return n;
      case KVM_EXIT_FAIL_ENTRY:
        say("kvm-hello: VM entry failed, hardware reason ");
        sayHex((u32)run->u.fail_entry.hardware_entry_failure_reason);
        say("\n");
        return 0;
      case KVM_EXIT_INTERNAL_ERROR:
        say("kvm-hello: KVM internal error, suberror ");
        sayDec(run->u.internal.suberror);
        say("\n");
        return 0;
      default:
        say("kvm-hello: unexpected exit ");
        say(exitName(why));
        say(" (");
        sayDec(why);
        say(")\n");
        return 0;
    }
  }
}

struct timespec32 { long sec, nsec; };
/* Milliseconds of CLOCK_MONOTONIC, in 32 bits (a difference of two is right
 * across a wrap); no 64-bit division, which would need libgcc. */
static u32 nowMs(void) {
  struct timespec32 t;
  syscall3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&t, 0);
  return (u32)t.sec * 1000u + (u32)t.nsec / 1000000u;
}
static u32 parseCount(const char *s) {
  u32 v = 0;
  if (!*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 100000000) return 0;
    v = v * 10 + (u32)(*s - '0');
  }
  return v;
}

int hello(int argc, char **argv) {
  u32 count = 1;
  if (argc == 2 && argv[1][0] == '-' && argv[1][1] == 'v' && argv[1][2] == 0) mode = 1;
  else if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 'c' && argv[1][2] == 0 && (count = parseCount(argv[2])) != 0) mode = 2;
  else if (argc != 1) fail("usage: kvm-hello [-v | -c RUNS]", 0);

  long sys = syscall3(SYS_open, (long)"/dev/kvm", O_RDWR | O_CLOEXEC, 0);
  if (sys < 0) fail("open /dev/kvm (is kvm_intel loaded?)", sys);
  if (kvm(sys, KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION") != KVM_API_VERSION) fail("unexpected KVM API version", 0);
  int vm = kvm(sys, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
  kvm(vm, KVM_SET_TSS_ADDR, TSS_ADDR, "KVM_SET_TSS_ADDR");

  long mem = syscall6(SYS_mmap2, 0, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem < 0 && mem > -4096) fail("mmap of guest memory", mem);
  memcpy((u8 *)mem + PAYLOAD, payload, payload_end - payload);
  struct kvm_userspace_memory_region region = { 0, 0, 0, MEM_SIZE, (u32)mem };
  kvm(vm, KVM_SET_USER_MEMORY_REGION, (long)&region, "KVM_SET_USER_MEMORY_REGION");

  int vcpu = kvm(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
  long size = kvm(sys, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
  long map = syscall6(SYS_mmap2, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (map < 0 && map > -4096) fail("mmap of the vCPU's kvm_run", map);
  struct kvm_run *run = (struct kvm_run *)map;

  /* Real mode at 0000:1000 (the vCPU starts at the reset vector F000:FFF0);
   * each run starts from this state again. */
  struct kvm_sregs start;
  kvm(vcpu, KVM_GET_SREGS, (long)&start, "KVM_GET_SREGS");
  start.cs.base = 0;
  start.cs.selector = 0;

  u32 t0 = nowMs();
  u32 exits = 0, rip = 0;
  for (u32 i = 0; i < count; i++) {
    u32 n = runPayload(vcpu, run, &start, &rip);
    if (n == 0) return 1;
    exits += n;
  }
  u32 ms = nowMs() - t0;
  if (mode == 2) {
    say("kvm-hello: ");
    sayDec(count);
    say(" runs, ");
    sayDec(exits);
    say(" exits in ");
    sayDec(ms);
    say(" ms: ");
    sayDec(ms ? exits / ms * 1000u + exits % ms * 1000u / ms : 0);
    say(" exits/s\n");
    return 0;
  }
  say("kvm-hello: the guest halted at ");
  sayHex(rip);
  say(" after ");
  sayDec(exits);
  say(" exits\n");
  return 0;
}

/* The process entry: the kernel leaves argc at (%esp), then argv[]. */
void kvm_hello_start(long *sp) {
  syscall3(SYS_exit_group, hello((int)sp[0], (char **)(sp + 1)), 0, 0);
}
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %ebp, %ebp\n"
        "  mov %esp, %eax\n"
        "  and $-16, %esp\n"
        "  sub $12, %esp\n"
        "  push %eax\n"
        "  call kvm_hello_start\n"
        "  hlt\n");
