// The opcode map: the one source of truth for which opcodes exist, whether they
// take a ModRM byte, which immediate follows, and which handler runs them (SDM
// vol. 2 appendix A, opcode map). tools/gen-optable.mjs generates the
// interpreter's dispatch and docs/OPCODES.md from it; tests read it too
// (tests/unit/jitdecode.test.ts checks the translator's decoder against it).
//
// Line format:  [PFX:]OPCODE[/REG]  handler  [flags...]
//   PFX      a mandatory prefix (SDM vol. 2 §3.1.1.1 notation): NP (none), 66, F3
//            or F2. An opcode whose entries carry one selects its entry by the
//            prefix given: the last F2/F3, else 66, else none (SDM vol. 2 §2.1.1:
//            66/F2/F3 are then part of the opcode, not an operand-size or REP
//            prefix); a prefix with no entry raises #UD. So the MMX forms are
//            NP:0FFC etc., and SSE will add 66:0FFC beside them. Entries without
//            PFX ignore 66/F2/F3 as before (66 sets the operand size). An opcode
//            has entries with PFX or entries without, never both.
//   OPCODE   hex byte; 0Fxx for the two-byte page; a range "40-47" repeats the entry
//   /REG     a group member selected by ModRM.reg
//   handler  function name exported from an asm/cpu/*.ts file; a trailing "*"
//            means two functions, NAME16 and NAME32, chosen by the operand size;
//            NAME(args) passes constant arguments (an @inline handler then folds
//            them, e.g. the condition of Jcc)
//   flags    m    ModRM (and SIB/displacement) follows
//            ib   8-bit immediate          iw  16-bit        id 32-bit
//            isb  8-bit sign-extended      iv  16/32 by operand size
//            one  imm = 1                  cl  imm = CL (shift counts)
//            moffs  address-sized offset (MOV A0-A3)
//            L    LOCK allowed (with a memory destination)
//            jit=NAME    the translator runs it too, with its emitter NAME
//                        (web/jit/insns.ts; decode.ts decodes it to that op)
//            jit32=NAME  the same, with a 32-bit operand size only
//            jitnear=NAME  a near branch: the same, in 32-bit code with a
//                        32-bit operand size only, in 16-bit code with either
//            jit=interp  the translator runs it inside a block by calling the
//                        interpreter's handler for it (asm/cpu/jit.ts jitStep)
//            jitrep=NAME with a repeat prefix (F2 or F3) the translator runs it
//                        with the emitter NAME instead (REP MOVS and the like)
//            jitf3=NAME  the same with F3 only (PAUSE; the last of F2/F3 counts)
// A handler that no asm/cpu file exports yet makes its opcode raise #UD and is
// listed in docs/OPCODES.md as not implemented.

const MAP = `
00 add_Eb_Gb m L jit=alu
01 add_Ev_Gv* m L jit=alu
02 add_Gb_Eb m jit=alu
03 add_Gv_Ev* m jit=alu
04 add_AL_Ib ib jit=alu
05 add_eAX_Iv* iv jit=alu
06 push_ES* jit=pushS
07 pop_ES* jit=segLoad
08 or_Eb_Gb m L jit=alu
09 or_Ev_Gv* m L jit=alu
0A or_Gb_Eb m jit=alu
0B or_Gv_Ev* m jit=alu
0C or_AL_Ib ib jit=alu
0D or_eAX_Iv* iv jit=alu
0E push_CS* jit=pushS
10 adc_Eb_Gb m L jit=alu
11 adc_Ev_Gv* m L jit=alu
12 adc_Gb_Eb m jit=alu
13 adc_Gv_Ev* m jit=alu
14 adc_AL_Ib ib jit=alu
15 adc_eAX_Iv* iv jit=alu
16 push_SS* jit=pushS
17 pop_SS*
18 sbb_Eb_Gb m L jit=alu
19 sbb_Ev_Gv* m L jit=alu
1A sbb_Gb_Eb m jit=alu
1B sbb_Gv_Ev* m jit=alu
1C sbb_AL_Ib ib jit=alu
1D sbb_eAX_Iv* iv jit=alu
1E push_DS* jit=pushS
1F pop_DS* jit=segLoad
20 and_Eb_Gb m L jit=alu
21 and_Ev_Gv* m L jit=alu
22 and_Gb_Eb m jit=alu
23 and_Gv_Ev* m jit=alu
24 and_AL_Ib ib jit=alu
25 and_eAX_Iv* iv jit=alu
27 daa
28 sub_Eb_Gb m L jit=alu
29 sub_Ev_Gv* m L jit=alu
2A sub_Gb_Eb m jit=alu
2B sub_Gv_Ev* m jit=alu
2C sub_AL_Ib ib jit=alu
2D sub_eAX_Iv* iv jit=alu
2F das
30 xor_Eb_Gb m L jit=alu
31 xor_Ev_Gv* m L jit=alu
32 xor_Gb_Eb m jit=alu
33 xor_Gv_Ev* m jit=alu
34 xor_AL_Ib ib jit=alu
35 xor_eAX_Iv* iv jit=alu
37 aaa
38 cmp_Eb_Gb m jit=alu
39 cmp_Ev_Gv* m jit=alu
3A cmp_Gb_Eb m jit=alu
3B cmp_Gv_Ev* m jit=alu
3C cmp_AL_Ib ib jit=alu
3D cmp_eAX_Iv* iv jit=alu
3F aas
40-47 inc_reg* jit=inc
48-4F dec_reg* jit=dec
50-57 push_reg* jit=push
58-5F pop_reg* jit=pop
60 pusha*
61 popa*
62 bound_Gv_Ma* m
63 arpl_Ew_Gw m
68 push_Iv* iv jit=pushI
69 imul_Gv_Ev_Iv* m iv jit=imul3
6A push_Iv* isb jit=pushI
6B imul_Gv_Ev_Iv* m isb jit=imul3
6C insb
6D ins*
6E outsb
6F outs*
70 jcc(0) isb jitnear=jcc
71 jcc(1) isb jitnear=jcc
72 jcc(2) isb jitnear=jcc
73 jcc(3) isb jitnear=jcc
74 jcc(4) isb jitnear=jcc
75 jcc(5) isb jitnear=jcc
76 jcc(6) isb jitnear=jcc
77 jcc(7) isb jitnear=jcc
78 jcc(8) isb jitnear=jcc
79 jcc(9) isb jitnear=jcc
7A jcc(10) isb jitnear=jcc
7B jcc(11) isb jitnear=jcc
7C jcc(12) isb jitnear=jcc
7D jcc(13) isb jitnear=jcc
7E jcc(14) isb jitnear=jcc
7F jcc(15) isb jitnear=jcc
80/0 add_Eb_Ib m ib L jit=alu
80/1 or_Eb_Ib m ib L jit=alu
80/2 adc_Eb_Ib m ib L jit=alu
80/3 sbb_Eb_Ib m ib L jit=alu
80/4 and_Eb_Ib m ib L jit=alu
80/5 sub_Eb_Ib m ib L jit=alu
80/6 xor_Eb_Ib m ib L jit=alu
80/7 cmp_Eb_Ib m ib jit=alu
81/0 add_Ev_Iv* m iv L jit=alu
81/1 or_Ev_Iv* m iv L jit=alu
81/2 adc_Ev_Iv* m iv L jit=alu
81/3 sbb_Ev_Iv* m iv L jit=alu
81/4 and_Ev_Iv* m iv L jit=alu
81/5 sub_Ev_Iv* m iv L jit=alu
81/6 xor_Ev_Iv* m iv L jit=alu
81/7 cmp_Ev_Iv* m iv jit=alu
82/0 add_Eb_Ib m ib L
82/1 or_Eb_Ib m ib L
82/2 adc_Eb_Ib m ib L
82/3 sbb_Eb_Ib m ib L
82/4 and_Eb_Ib m ib L
82/5 sub_Eb_Ib m ib L
82/6 xor_Eb_Ib m ib L
82/7 cmp_Eb_Ib m ib
83/0 add_Ev_Iv* m isb L jit=alu
83/1 or_Ev_Iv* m isb L jit=alu
83/2 adc_Ev_Iv* m isb L jit=alu
83/3 sbb_Ev_Iv* m isb L jit=alu
83/4 and_Ev_Iv* m isb L jit=alu
83/5 sub_Ev_Iv* m isb L jit=alu
83/6 xor_Ev_Iv* m isb L jit=alu
83/7 cmp_Ev_Iv* m isb jit=alu
84 test_Eb_Gb m jit=test
85 test_Ev_Gv* m jit=test
86 xchg_Eb_Gb m L jit=xchg
87 xchg_Ev_Gv* m L jit=xchg
88 mov_Eb_Gb m jit=movEG
89 mov_Ev_Gv* m jit=movEG
8A mov_Gb_Eb m jit=movGE
8B mov_Gv_Ev* m jit=movGE
8C mov_Ev_Sw* m jit=movES
8D lea_Gv_M* m jit=lea
8E mov_Sw_Ew m jit=segLoad
8F/0 pop_Ev* m
90 nop jit=nop jitf3=pause
91-97 xchg_reg_eAX* jit=xchg
98 cbw* jit=cbw
99 cwd* jit=cwd
9A call_far_Ap*
9B fwait jit=interp
9C pushf* jit=pushf
9D popf* jit=popf
9E sahf jit=sahf
9F lahf jit=lahf
A0 mov_AL_Ob moffs jit=movGE
A1 mov_eAX_Ov* moffs jit=movGE
A2 mov_Ob_AL moffs jit=movEG
A3 mov_Ov_eAX* moffs jit=movEG
A4 movsb jit=movs jitrep=string
A5 movs* jit=movs jitrep=string
A6 cmpsb jit=cmps jitrep=string
A7 cmps* jit=cmps jitrep=string
A8 test_AL_Ib ib jit=test
A9 test_eAX_Iv* iv jit=test
AA stosb jit=stos jitrep=string
AB stos* jit=stos jitrep=string
AC lodsb jit=lods jitrep=string
AD lods* jit=lods jitrep=string
AE scasb jit=scas jitrep=string
AF scas* jit=scas jitrep=string
B0-B7 mov_reg8_Ib ib jit=movEI
B8-BF mov_reg_Iv* iv jit=movEI
C0/0 rol_Eb m ib jit=shift
C0/1 ror_Eb m ib jit=shift
C0/2 rcl_Eb m ib jit=shift
C0/3 rcr_Eb m ib jit=shift
C0/4 shl_Eb m ib jit=shift
C0/5 shr_Eb m ib jit=shift
C0/6 shl_Eb m ib
C0/7 sar_Eb m ib jit=shift
C1/0 rol_Ev* m ib jit=shift
C1/1 ror_Ev* m ib jit=shift
C1/2 rcl_Ev* m ib jit=shift
C1/3 rcr_Ev* m ib jit=shift
C1/4 shl_Ev* m ib jit=shift
C1/5 shr_Ev* m ib jit=shift
C1/6 shl_Ev* m ib
C1/7 sar_Ev* m ib jit=shift
C2 ret_near_Iw* iw jitnear=ret
C3 ret_near* jitnear=ret
C4 les_Gv_Mp* m
C5 lds_Gv_Mp* m
C6/0 mov_Eb_Ib m ib jit=movEI
C7/0 mov_Ev_Iv* m iv jit=movEI
C8 enter*
C9 leave* jit=leave
CA retf_Iw* iw
CB retf*
CC int3
CD int_Ib ib
CE into
CF iret*
D0/0 rol_Eb m one jit=shift
D0/1 ror_Eb m one jit=shift
D0/2 rcl_Eb m one jit=shift
D0/3 rcr_Eb m one jit=shift
D0/4 shl_Eb m one jit=shift
D0/5 shr_Eb m one jit=shift
D0/6 shl_Eb m one
D0/7 sar_Eb m one jit=shift
D1/0 rol_Ev* m one jit=shift
D1/1 ror_Ev* m one jit=shift
D1/2 rcl_Ev* m one jit=shift
D1/3 rcr_Ev* m one jit=shift
D1/4 shl_Ev* m one jit=shift
D1/5 shr_Ev* m one jit=shift
D1/6 shl_Ev* m one
D1/7 sar_Ev* m one jit=shift
D2/0 rol_Eb m cl jit=shiftCL
D2/1 ror_Eb m cl jit=shiftCL
D2/2 rcl_Eb m cl jit=shiftCL
D2/3 rcr_Eb m cl jit=shiftCL
D2/4 shl_Eb m cl jit=shiftCL
D2/5 shr_Eb m cl jit=shiftCL
D2/6 shl_Eb m cl
D2/7 sar_Eb m cl jit=shiftCL
D3/0 rol_Ev* m cl jit=shiftCL
D3/1 ror_Ev* m cl jit=shiftCL
D3/2 rcl_Ev* m cl jit=shiftCL
D3/3 rcr_Ev* m cl jit=shiftCL
D3/4 shl_Ev* m cl jit=shiftCL
D3/5 shr_Ev* m cl jit=shiftCL
D3/6 shl_Ev* m cl
D3/7 sar_Ev* m cl jit=shiftCL
D4 aam ib
D5 aad ib
D6 salc
D7 xlat
# x87 (x87.ts): blocks run these and FWAIT by the interpreter's handler
# (jit=interp, as the SIMD entries at the end of the map).
D8 fpu_D8 m jit=interp
D9 fpu_D9 m jit=interp
DA fpu_DA m jit=interp
DB fpu_DB m jit=interp
DC fpu_DC m jit=interp
DD fpu_DD m jit=interp
DE fpu_DE m jit=interp
DF fpu_DF m jit=interp
E0 loopne_Jb isb jitnear=loop
E1 loope_Jb isb jitnear=loop
E2 loop_Jb isb jitnear=loop
E3 jcxz_Jb isb jitnear=loop
E4 in_AL_Ib ib
E5 in_eAX_Ib* ib
E6 out_Ib_AL ib
E7 out_Ib_eAX* ib
E8 call_Jv* iv jitnear=call
E9 jmp_Jv* iv jitnear=jmp
EA jmp_far_Ap*
EB jmp_Jb isb jitnear=jmp
EC in_AL_DX
ED in_eAX_DX*
EE out_DX_AL
EF out_DX_eAX*
F1 int1
F4 hlt
F5 cmc jit=cmc
F6/0 test_Eb_Ib m ib jit=test
F6/1 test_Eb_Ib m ib
F6/2 not_Eb m L jit=not
F6/3 neg_Eb m L jit=neg
F6/4 mul_Eb m
F6/5 imul_Eb m
F6/6 div_Eb m jit=div
F6/7 idiv_Eb m jit=idiv
F7/0 test_Ev_Iv* m iv jit=test
F7/1 test_Ev_Iv* m iv
F7/2 not_Ev* m L jit=not
F7/3 neg_Ev* m L jit=neg
F7/4 mul_Ev* m jit32=mul
F7/5 imul_Ev* m jit32=imul1
F7/6 div_Ev* m jit=div
F7/7 idiv_Ev* m jit=idiv
F8 clc jit=clc
F9 stc jit=stc
FA cli jit=cli
FB sti jit=sti
FC cld jit=cld
FD std jit=std
FE/0 inc_Eb m L jit=inc
FE/1 dec_Eb m L jit=dec
FF/0 inc_Ev* m L jit=inc
FF/1 dec_Ev* m L jit=dec
FF/2 call_Ev* m jitnear=callE
FF/3 call_far_Mp* m
FF/4 jmp_Ev* m jitnear=jmpE
FF/5 jmp_far_Mp* m
FF/6 push_Ev* m jit=pushE
0F00/0 sldt_Ew m
0F00/1 str_Ew m
0F00/2 lldt_Ew m
0F00/3 ltr_Ew m
0F00/4 verr_Ew m
0F00/5 verw_Ew m
0F01/0 sgdt_M* m
0F01/1 sidt_M* m
0F01/2 lgdt_M* m
0F01/3 lidt_M* m
0F01/4 smsw_Ew* m
0F01/6 lmsw_Ew m
0F01/7 invlpg_M m
0F02 lar_Gv_Ew* m
0F03 lsl_Gv_Ew* m
0F06 clts
0F08 invd
0F09 wbinvd
0F0B ud2
0F18-0F1F nop_Ev* m
# 0F20-0F23: ModRM.mod is ignored (always a register operand, SDM vol. 2 MOV CRn),
# so the handlers read the ModRM byte themselves instead of decoding an address.
0F20 mov_Rd_Cd
0F21 mov_Rd_Dd
0F22 mov_Cd_Rd
0F23 mov_Dd_Rd
0F30 wrmsr
0F31 rdtsc jit=rdtsc
0F32 rdmsr
0F33 rdpmc
0F34 sysenter
0F35 sysexit
0F40-0F4F cmovcc_Gv_Ev* m jit=cmov
0F80 jcc(0) iv jitnear=jcc
0F81 jcc(1) iv jitnear=jcc
0F82 jcc(2) iv jitnear=jcc
0F83 jcc(3) iv jitnear=jcc
0F84 jcc(4) iv jitnear=jcc
0F85 jcc(5) iv jitnear=jcc
0F86 jcc(6) iv jitnear=jcc
0F87 jcc(7) iv jitnear=jcc
0F88 jcc(8) iv jitnear=jcc
0F89 jcc(9) iv jitnear=jcc
0F8A jcc(10) iv jitnear=jcc
0F8B jcc(11) iv jitnear=jcc
0F8C jcc(12) iv jitnear=jcc
0F8D jcc(13) iv jitnear=jcc
0F8E jcc(14) iv jitnear=jcc
0F8F jcc(15) iv jitnear=jcc
0F90-0F9F setcc_Eb m jit=setcc
0FA0 push_FS* jit=pushS
0FA1 pop_FS* jit=segLoad
0FA2 cpuid
0FA3 bt_Ev_Gv* m jit=bt
0FA4 shld_Ev_Gv* m ib jit=shiftd
0FA5 shld_Ev_Gv* m cl jit=shiftdCL
0FA8 push_GS* jit=pushS
0FA9 pop_GS* jit=segLoad
0FAB bts_Ev_Gv* m L jit=bt
0FAC shrd_Ev_Gv* m ib jit=shiftd
0FAD shrd_Ev_Gv* m cl jit=shiftdCL
0FAF imul_Gv_Ev* m jit=imul2
0FB0 cmpxchg_Eb_Gb m L jit=cmpxchg
0FB1 cmpxchg_Ev_Gv* m L jit=cmpxchg
0FB2 lss_Gv_Mp* m
0FB3 btr_Ev_Gv* m L jit=bt
0FB4 lfs_Gv_Mp* m
0FB5 lgs_Gv_Mp* m
0FB6 movzx_Gv_Eb* m jit=movzx
0FB7 movzx_Gv_Ew* m jit=movzx
0FBA/4 bt_Ev_Ib* m ib jit=btI
0FBA/5 bts_Ev_Ib* m ib L jit=btI
0FBA/6 btr_Ev_Ib* m ib L jit=btI
0FBA/7 btc_Ev_Ib* m ib L jit=btI
0FBB btc_Ev_Gv* m L jit=bt
0FBC bsf_Gv_Ev* m jit=bsf
0FBD bsr_Gv_Ev* m jit=bsr
0FBE movsx_Gv_Eb* m jit=movsx
0FBF movsx_Gv_Ew* m jit=movsx
0FC0 xadd_Eb_Gb m L jit=xadd
0FC1 xadd_Ev_Gv* m L jit=xadd
0FC7/1 cmpxchg8b_Mq m L
# VMX (asm/cpu/vmx.ts): VMPTRLD, 66 VMCLEAR, F3 VMXON share 0FC7/6 and are told
# apart by vmptrld_Mq (the map keeps prefixes off this opcode for CMPXCHG8B;
# web/host/disasm.ts names the prefixed forms);
# VMREAD/VMWRITE are the 32-bit forms (outside 64-bit mode). VMCALL, VMLAUNCH,
# VMRESUME and VMXOFF are 0F01 /0 with mod = 3 (descriptors.ts SGDT hands them on).
0FC7/6 vmptrld_Mq m
0FC7/7 vmptrst_Mq m
0F78 vmread_Ed_Gd m
0F79 vmwrite_Gd_Ed m
# 0F 38, the three-byte page: 66 0F 38 80 /r INVEPT and 66 0F 38 81 /r INVVPID
# (vmx.ts op0F38 reads the third byte and the ModRM; the rest of the page is #UD).
0F38 op0F38
0FC8-0FCF bswap_reg* jit32=bswap
# From here to the end of the map every entry is jit=interp: a translated block
# runs it by calling the interpreter's handler (asm/cpu/jit.ts jitStep), so
# SSE/MMX code does not end a block.
# FXSAVE/FXRSTOR (SDM vol. 2, x87.ts), LDMXCSR/STMXCSR (sse.ts); /5-/7 with a
# register ModRM are LFENCE, MFENCE, SFENCE and /7 with memory CLFLUSH (sse.ts).
0FAE/0 fxsave_M m jit=interp
0FAE/1 fxrstor_M m jit=interp
0FAE/2 ldmxcsr_Md m jit=interp
0FAE/3 stmxcsr_Md m jit=interp
0FAE/5 lfence m jit=interp
0FAE/6 mfence m jit=interp
0FAE/7 sfence_clflush m jit=interp
# MMX (SDM vol. 2, vol. 1 ch. 9), asm/cpu/mmx.ts. P = MMX register in ModRM.reg,
# Q = MMX register or memory in ModRM.rm, N = MMX register in ModRM.rm (the
# register-only forms of the shift groups: a memory ModRM is #UD).
NP:0F60 punpcklbw_Pq_Qd m jit=interp
NP:0F61 punpcklwd_Pq_Qd m jit=interp
NP:0F62 punpckldq_Pq_Qd m jit=interp
NP:0F63 packsswb_Pq_Qq m jit=interp
NP:0F64 pcmpgtb_Pq_Qq m jit=interp
NP:0F65 pcmpgtw_Pq_Qq m jit=interp
NP:0F66 pcmpgtd_Pq_Qq m jit=interp
NP:0F67 packuswb_Pq_Qq m jit=interp
NP:0F68 punpckhbw_Pq_Qq m jit=interp
NP:0F69 punpckhwd_Pq_Qq m jit=interp
NP:0F6A punpckhdq_Pq_Qq m jit=interp
NP:0F6B packssdw_Pq_Qq m jit=interp
NP:0F6E movd_Pq_Ed m jit=interp
NP:0F6F movq_Pq_Qq m jit=interp
NP:0F71/2 psrlw_Nq_Ib m ib jit=interp
NP:0F71/4 psraw_Nq_Ib m ib jit=interp
NP:0F71/6 psllw_Nq_Ib m ib jit=interp
NP:0F72/2 psrld_Nq_Ib m ib jit=interp
NP:0F72/4 psrad_Nq_Ib m ib jit=interp
NP:0F72/6 pslld_Nq_Ib m ib jit=interp
NP:0F73/2 psrlq_Nq_Ib m ib jit=interp
NP:0F73/6 psllq_Nq_Ib m ib jit=interp
NP:0F74 pcmpeqb_Pq_Qq m jit=interp
NP:0F75 pcmpeqw_Pq_Qq m jit=interp
NP:0F76 pcmpeqd_Pq_Qq m jit=interp
# EMMS ignores 66/F2/F3: SSE puts nothing on 0F 77 (QEMU runs 66 0F 77 as EMMS too).
0F77 emms jit=interp
NP:0F7E movd_Ed_Pq m jit=interp
NP:0F7F movq_Qq_Pq m jit=interp
NP:0FD1 psrlw_Pq_Qq m jit=interp
NP:0FD2 psrld_Pq_Qq m jit=interp
NP:0FD3 psrlq_Pq_Qq m jit=interp
NP:0FD5 pmullw_Pq_Qq m jit=interp
NP:0FD8 psubusb_Pq_Qq m jit=interp
NP:0FD9 psubusw_Pq_Qq m jit=interp
NP:0FDB pand_Pq_Qq m jit=interp
NP:0FDC paddusb_Pq_Qq m jit=interp
NP:0FDD paddusw_Pq_Qq m jit=interp
NP:0FDF pandn_Pq_Qq m jit=interp
NP:0FE1 psraw_Pq_Qq m jit=interp
NP:0FE2 psrad_Pq_Qq m jit=interp
NP:0FE5 pmulhw_Pq_Qq m jit=interp
NP:0FE8 psubsb_Pq_Qq m jit=interp
NP:0FE9 psubsw_Pq_Qq m jit=interp
NP:0FEB por_Pq_Qq m jit=interp
NP:0FEC paddsb_Pq_Qq m jit=interp
NP:0FED paddsw_Pq_Qq m jit=interp
NP:0FEF pxor_Pq_Qq m jit=interp
NP:0FF1 psllw_Pq_Qq m jit=interp
NP:0FF2 pslld_Pq_Qq m jit=interp
NP:0FF3 psllq_Pq_Qq m jit=interp
NP:0FF5 pmaddwd_Pq_Qq m jit=interp
NP:0FF8 psubb_Pq_Qq m jit=interp
NP:0FF9 psubw_Pq_Qq m jit=interp
NP:0FFA psubd_Pq_Qq m jit=interp
NP:0FFC paddb_Pq_Qq m jit=interp
NP:0FFD paddw_Pq_Qq m jit=interp
NP:0FFE paddd_Pq_Qq m jit=interp
# SSE/SSE2/SSE3 data movement, logic, shuffles (asm/cpu/ssemov.ts). V = XMM
# register in ModRM.reg, W = XMM register or memory, U = XMM register in ModRM.rm,
# M = memory only. The floating-point arithmetic is ssefp's (asm/cpu/ssefp*.ts).
NP:0F10 movups_Vps_Wps m jit=interp
66:0F10 movupd_Vpd_Wpd m jit=interp
F3:0F10 movss_Vss_Wss m jit=interp
F2:0F10 movsd_Vsd_Wsd m jit=interp
NP:0F11 movups_Wps_Vps m jit=interp
66:0F11 movupd_Wpd_Vpd m jit=interp
F3:0F11 movss_Wss_Vss m jit=interp
F2:0F11 movsd_Wsd_Vsd m jit=interp
NP:0F12 movlps_Vq_Mq m jit=interp
66:0F12 movlpd_Vq_Mq m jit=interp
F3:0F12 movsldup_Vdq_Wdq m jit=interp
F2:0F12 movddup_Vdq_Wq m jit=interp
NP:0F13 movlps_Mq_Vq m jit=interp
66:0F13 movlpd_Mq_Vq m jit=interp
NP:0F14 unpcklps_Vps_Wps m jit=interp
66:0F14 unpcklpd_Vpd_Wpd m jit=interp
NP:0F15 unpckhps_Vps_Wps m jit=interp
66:0F15 unpckhpd_Vpd_Wpd m jit=interp
NP:0F16 movhps_Vq_Mq m jit=interp
66:0F16 movhpd_Vq_Mq m jit=interp
F3:0F16 movshdup_Vdq_Wdq m jit=interp
NP:0F17 movhps_Mq_Vq m jit=interp
66:0F17 movhpd_Mq_Vq m jit=interp
NP:0F28 movaps_Vps_Wps m jit=interp
66:0F28 movapd_Vpd_Wpd m jit=interp
NP:0F29 movaps_Wps_Vps m jit=interp
66:0F29 movapd_Wpd_Vpd m jit=interp
NP:0F2B movntps_Mps_Vps m jit=interp
66:0F2B movntpd_Mpd_Vpd m jit=interp
NP:0F50 movmskps_Gd_Ups m jit=interp
66:0F50 movmskpd_Gd_Upd m jit=interp
NP:0F54 andps_Vps_Wps m jit=interp
66:0F54 andpd_Vpd_Wpd m jit=interp
NP:0F55 andnps_Vps_Wps m jit=interp
66:0F55 andnpd_Vpd_Wpd m jit=interp
NP:0F56 orps_Vps_Wps m jit=interp
66:0F56 orpd_Vpd_Wpd m jit=interp
NP:0F57 xorps_Vps_Wps m jit=interp
66:0F57 xorpd_Vpd_Wpd m jit=interp
66:0F6C punpcklqdq_Vdq_Wdq m jit=interp
66:0F6D punpckhqdq_Vdq_Wdq m jit=interp
66:0F6E movd_Vd_Ed m jit=interp
66:0F6F movdqa_Vdq_Wdq m jit=interp
F3:0F6F movdqu_Vdq_Wdq m jit=interp
NP:0F70 pshufw_Pq_Qq_Ib m ib jit=interp
66:0F70 pshufd_Vdq_Wdq_Ib m ib jit=interp
F3:0F70 pshufhw_Vdq_Wdq_Ib m ib jit=interp
F2:0F70 pshuflw_Vdq_Wdq_Ib m ib jit=interp
66:0F7E movd_Ed_Vd m jit=interp
F3:0F7E movq_Vq_Wq m jit=interp
66:0F7F movdqa_Wdq_Vdq m jit=interp
F3:0F7F movdqu_Wdq_Vdq m jit=interp
0FC3 movnti_Md_Gd m jit=interp
NP:0FC6 shufps_Vps_Wps_Ib m ib jit=interp
66:0FC6 shufpd_Vpd_Wpd_Ib m ib jit=interp
66:0FD6 movq_Wq_Vq m jit=interp
F3:0FD6 movq2dq_Vdq_Nq m jit=interp
F2:0FD6 movdq2q_Pq_Uq m jit=interp
66:0FD7 pmovmskb_Gd_Udq m jit=interp
66:0FE7 movntdq_Mdq_Vdq m jit=interp
F2:0FF0 lddqu_Vdq_Mdq m jit=interp
# SSE2's XMM forms of the MMX integer instructions and SSE/SSE2's integer
# additions (asm/cpu/sseint.ts).
66:0F60 punpcklbw_Vdq_Wdq m jit=interp
66:0F61 punpcklwd_Vdq_Wdq m jit=interp
66:0F62 punpckldq_Vdq_Wdq m jit=interp
66:0F63 packsswb_Vdq_Wdq m jit=interp
66:0F64 pcmpgtb_Vdq_Wdq m jit=interp
66:0F65 pcmpgtw_Vdq_Wdq m jit=interp
66:0F66 pcmpgtd_Vdq_Wdq m jit=interp
66:0F67 packuswb_Vdq_Wdq m jit=interp
66:0F68 punpckhbw_Vdq_Wdq m jit=interp
66:0F69 punpckhwd_Vdq_Wdq m jit=interp
66:0F6A punpckhdq_Vdq_Wdq m jit=interp
66:0F6B packssdw_Vdq_Wdq m jit=interp
66:0F74 pcmpeqb_Vdq_Wdq m jit=interp
66:0F75 pcmpeqw_Vdq_Wdq m jit=interp
66:0F76 pcmpeqd_Vdq_Wdq m jit=interp
66:0FD1 psrlw_Vdq_Wdq m jit=interp
66:0FD2 psrld_Vdq_Wdq m jit=interp
66:0FD3 psrlq_Vdq_Wdq m jit=interp
66:0FD4 paddq_Vdq_Wdq m jit=interp
66:0FD5 pmullw_Vdq_Wdq m jit=interp
66:0FD8 psubusb_Vdq_Wdq m jit=interp
66:0FD9 psubusw_Vdq_Wdq m jit=interp
66:0FDA pminub_Vdq_Wdq m jit=interp
66:0FDB pand_Vdq_Wdq m jit=interp
66:0FDC paddusb_Vdq_Wdq m jit=interp
66:0FDD paddusw_Vdq_Wdq m jit=interp
66:0FDE pmaxub_Vdq_Wdq m jit=interp
66:0FDF pandn_Vdq_Wdq m jit=interp
66:0FE0 pavgb_Vdq_Wdq m jit=interp
66:0FE1 psraw_Vdq_Wdq m jit=interp
66:0FE2 psrad_Vdq_Wdq m jit=interp
66:0FE3 pavgw_Vdq_Wdq m jit=interp
66:0FE4 pmulhuw_Vdq_Wdq m jit=interp
66:0FE5 pmulhw_Vdq_Wdq m jit=interp
66:0FE8 psubsb_Vdq_Wdq m jit=interp
66:0FE9 psubsw_Vdq_Wdq m jit=interp
66:0FEA pminsw_Vdq_Wdq m jit=interp
66:0FEB por_Vdq_Wdq m jit=interp
66:0FEC paddsb_Vdq_Wdq m jit=interp
66:0FED paddsw_Vdq_Wdq m jit=interp
66:0FEE pmaxsw_Vdq_Wdq m jit=interp
66:0FEF pxor_Vdq_Wdq m jit=interp
66:0FF1 psllw_Vdq_Wdq m jit=interp
66:0FF2 pslld_Vdq_Wdq m jit=interp
66:0FF3 psllq_Vdq_Wdq m jit=interp
66:0FF4 pmuludq_Vdq_Wdq m jit=interp
66:0FF5 pmaddwd_Vdq_Wdq m jit=interp
66:0FF6 psadbw_Vdq_Wdq m jit=interp
66:0FF8 psubb_Vdq_Wdq m jit=interp
66:0FF9 psubw_Vdq_Wdq m jit=interp
66:0FFA psubd_Vdq_Wdq m jit=interp
66:0FFB psubq_Vdq_Wdq m jit=interp
66:0FFC paddb_Vdq_Wdq m jit=interp
66:0FFD paddw_Vdq_Wdq m jit=interp
66:0FFE paddd_Vdq_Wdq m jit=interp
NP:0FD4 paddq_Pq_Qq m jit=interp
NP:0FD7 pmovmskb_Gd_Nq m jit=interp
NP:0FDA pminub_Pq_Qq m jit=interp
NP:0FDE pmaxub_Pq_Qq m jit=interp
NP:0FE0 pavgb_Pq_Qq m jit=interp
NP:0FE3 pavgw_Pq_Qq m jit=interp
NP:0FE4 pmulhuw_Pq_Qq m jit=interp
NP:0FE7 movntq_Mq_Pq m jit=interp
NP:0FEA pminsw_Pq_Qq m jit=interp
NP:0FEE pmaxsw_Pq_Qq m jit=interp
NP:0FF4 pmuludq_Pq_Qq m jit=interp
NP:0FF6 psadbw_Pq_Qq m jit=interp
NP:0FF7 maskmovq_Pq_Nq m jit=interp
NP:0FFB psubq_Pq_Qq m jit=interp
66:0F71/2 psrlw_Udq_Ib m ib jit=interp
66:0F71/4 psraw_Udq_Ib m ib jit=interp
66:0F71/6 psllw_Udq_Ib m ib jit=interp
66:0F72/2 psrld_Udq_Ib m ib jit=interp
66:0F72/4 psrad_Udq_Ib m ib jit=interp
66:0F72/6 pslld_Udq_Ib m ib jit=interp
66:0F73/2 psrlq_Udq_Ib m ib jit=interp
66:0F73/3 psrldq_Udq_Ib m ib jit=interp
66:0F73/6 psllq_Udq_Ib m ib jit=interp
66:0F73/7 pslldq_Udq_Ib m ib jit=interp
NP:0FC4 pinsrw_Pq_Ew_Ib m ib jit=interp
66:0FC4 pinsrw_Vdq_Ew_Ib m ib jit=interp
NP:0FC5 pextrw_Gd_Nq_Ib m ib jit=interp
66:0FC5 pextrw_Gd_Udq_Ib m ib jit=interp
66:0FF7 maskmovdqu_Vdq_Udq m jit=interp
# SSE/SSE2/SSE3 floating point (asm/cpu/ssefp.ts; SDM vol. 2 appendix A tables A-3, A-4)
NP:0F2A cvtpi2ps_Vps_Qpi m jit=interp
66:0F2A cvtpi2pd_Vpd_Qpi m jit=interp
F3:0F2A cvtsi2ss_Vss_Ed m jit=interp
F2:0F2A cvtsi2sd_Vsd_Ed m jit=interp
NP:0F2C cvttps2pi_Ppi_Wps m jit=interp
66:0F2C cvttpd2pi_Ppi_Wpd m jit=interp
F3:0F2C cvttss2si_Gd_Wss m jit=interp
F2:0F2C cvttsd2si_Gd_Wsd m jit=interp
NP:0F2D cvtps2pi_Ppi_Wps m jit=interp
66:0F2D cvtpd2pi_Ppi_Wpd m jit=interp
F3:0F2D cvtss2si_Gd_Wss m jit=interp
F2:0F2D cvtsd2si_Gd_Wsd m jit=interp
NP:0F2E ucomiss_Vss_Wss m jit=interp
66:0F2E ucomisd_Vsd_Wsd m jit=interp
NP:0F2F comiss_Vss_Wss m jit=interp
66:0F2F comisd_Vsd_Wsd m jit=interp
NP:0F51 sqrtps_Vps_Wps m jit=interp
66:0F51 sqrtpd_Vpd_Wpd m jit=interp
F3:0F51 sqrtss_Vss_Wss m jit=interp
F2:0F51 sqrtsd_Vsd_Wsd m jit=interp
NP:0F52 rsqrtps_Vps_Wps m jit=interp
F3:0F52 rsqrtss_Vss_Wss m jit=interp
NP:0F53 rcpps_Vps_Wps m jit=interp
F3:0F53 rcpss_Vss_Wss m jit=interp
NP:0F58 addps_Vps_Wps m jit=interp
66:0F58 addpd_Vpd_Wpd m jit=interp
F3:0F58 addss_Vss_Wss m jit=interp
F2:0F58 addsd_Vsd_Wsd m jit=interp
NP:0F59 mulps_Vps_Wps m jit=interp
66:0F59 mulpd_Vpd_Wpd m jit=interp
F3:0F59 mulss_Vss_Wss m jit=interp
F2:0F59 mulsd_Vsd_Wsd m jit=interp
NP:0F5A cvtps2pd_Vpd_Wps m jit=interp
66:0F5A cvtpd2ps_Vps_Wpd m jit=interp
F3:0F5A cvtss2sd_Vsd_Wss m jit=interp
F2:0F5A cvtsd2ss_Vss_Wsd m jit=interp
NP:0F5B cvtdq2ps_Vps_Wdq m jit=interp
66:0F5B cvtps2dq_Vdq_Wps m jit=interp
F3:0F5B cvttps2dq_Vdq_Wps m jit=interp
NP:0F5C subps_Vps_Wps m jit=interp
66:0F5C subpd_Vpd_Wpd m jit=interp
F3:0F5C subss_Vss_Wss m jit=interp
F2:0F5C subsd_Vsd_Wsd m jit=interp
NP:0F5D minps_Vps_Wps m jit=interp
66:0F5D minpd_Vpd_Wpd m jit=interp
F3:0F5D minss_Vss_Wss m jit=interp
F2:0F5D minsd_Vsd_Wsd m jit=interp
NP:0F5E divps_Vps_Wps m jit=interp
66:0F5E divpd_Vpd_Wpd m jit=interp
F3:0F5E divss_Vss_Wss m jit=interp
F2:0F5E divsd_Vsd_Wsd m jit=interp
NP:0F5F maxps_Vps_Wps m jit=interp
66:0F5F maxpd_Vpd_Wpd m jit=interp
F3:0F5F maxss_Vss_Wss m jit=interp
F2:0F5F maxsd_Vsd_Wsd m jit=interp
66:0F7C haddpd_Vpd_Wpd m jit=interp
F2:0F7C haddps_Vps_Wps m jit=interp
66:0F7D hsubpd_Vpd_Wpd m jit=interp
F2:0F7D hsubps_Vps_Wps m jit=interp
NP:0FC2 cmpps_Vps_Wps_Ib m ib jit=interp
66:0FC2 cmppd_Vpd_Wpd_Ib m ib jit=interp
F3:0FC2 cmpss_Vss_Wss_Ib m ib jit=interp
F2:0FC2 cmpsd_Vsd_Wsd_Ib m ib jit=interp
66:0FD0 addsubpd_Vpd_Wpd m jit=interp
F2:0FD0 addsubps_Vps_Wps m jit=interp
66:0FE6 cvttpd2dq_Vdq_Wpd m jit=interp
F3:0FE6 cvtdq2pd_Vpd_Wq m jit=interp
F2:0FE6 cvtpd2dq_Vdq_Wpd m jit=interp
`;

// Opcodes the decoder itself handles (prefixes and the 0F escape).
export const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f]);

/** The immediate an entry's flags ask for, in the order the decoder looks for
 *  them (it fetches the first that matches): the generated fetch, and its length
 *  in bytes for an operand size and an address size. */
export const IMMEDIATES = [
  { flag: "ib", fetch: "setImm(fetch8()); ", bytes: () => 1 },
  { flag: "isb", fetch: "setImm(fetchImmSB()); ", bytes: () => 1 },
  { flag: "iw", fetch: "setImm(fetch16()); ", bytes: () => 2 },
  { flag: "id", fetch: "setImm(fetch32()); ", bytes: () => 4 },
  { flag: "iv", fetch: "setImm(fetchImmV()); ", bytes: (osz) => osz / 8 },
  { flag: "one", fetch: "setImm(1); ", bytes: () => 0 },
  { flag: "cl", fetch: "setImm(reg8(1)); ", bytes: () => 0 },
  { flag: "moffs", fetch: "decodeMoffs(); ", bytes: (osz, asz) => asz / 8 },
];

/** The immediate of an entry (its IMMEDIATES row), if it has one. */
export const immediateOf = (entry) => IMMEDIATES.find((i) => entry.flags.has(i.flag));

/** The translator's emitter for an entry at operand size `osz`, in 16-bit code
 *  if `code16` (its jit=, jit32= or jitnear= flag; with `rep`, the last repeat
 *  prefix, F2 or F3, its jitrep= or jitf3= flag first), or undefined when the
 *  interpreter alone runs it. */
export function emitterOf(entry, osz, code16 = false, rep = 0) {
  for (const flag of entry.flags) {
    const m = rep && /^jit(rep|f3)=(\w+)$/.exec(flag);
    if (m && (m[1] === "rep" || rep === 0xf3)) return m[2];
  }
  for (const flag of entry.flags) {
    const m = /^jit(32|near)?=(\w+)$/.exec(flag);
    if (m && (!m[1] || osz === 32 || (m[1] === "near" && code16))) return m[2];
  }
  return undefined;
}

/** The mandatory prefixes of the map's PFX column, and the byte each stands for
 *  (0 for NP). */
export const MANDATORY_PREFIXES = new Map([["NP", 0], ["66", 0x66], ["F3", 0xf3], ["F2", 0xf2]]);

/** The map, parsed: opcode (0x100 | byte for the 0F page) -> a slot. A slot is
 *  { simple: entry } or { group: Map(ModRM.reg -> entry) }, or, for an opcode
 *  with mandatory prefixes, { mandatory: Map(PFX -> { simple } or { group }) };
 *  an entry is { handler, sized, args, flags, prefix (PFX or undefined) }. */
export function opcodeMap() {
  const ops = new Map();
  for (const raw of MAP.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [spec0, handler, ...flags] = line.split(/\s+/);
    const [prefix, spec] = spec0.includes(":") ? spec0.split(":") : [undefined, spec0];
    if (prefix !== undefined && !MANDATORY_PREFIXES.has(prefix)) throw new Error(`bad prefix ${prefix} in "${line}"`);
    const [range, reg] = spec.split("/");
    const [a, b] = range.split("-");
    // "0Fxx" names the two-byte page: key 0x100 | xx.
    const opOf = (t) => (t.length === 4 ? 0x100 | (parseInt(t, 16) & 0xff) : parseInt(t, 16));
    const lo = opOf(a), hi = opOf(b ?? a);
    for (let op = lo; op <= hi; op++) {
      const [, hname, args = ""] = /^([\w*]+)(?:\((.*)\))?$/.exec(handler);
      const entry = { handler: hname.replace("*", ""), sized: hname.endsWith("*"), args, flags: new Set(flags), prefix };
      let slots = ops; // where this entry's { simple } / { group } slot lives
      let key = op;
      if (prefix !== undefined) {
        const m = ops.get(op) ?? { mandatory: new Map() };
        if (!m.mandatory) throw new Error(`opcode ${op.toString(16)} has entries with and without a mandatory prefix`);
        ops.set(op, m);
        slots = m.mandatory; key = prefix;
      } else if (ops.get(op)?.mandatory) throw new Error(`opcode ${op.toString(16)} has entries with and without a mandatory prefix`);
      if (reg === undefined) {
        if (slots.has(key)) throw new Error(`opcode ${op.toString(16)} defined twice`);
        slots.set(key, { simple: entry });
      } else {
        const g = slots.get(key) ?? { group: new Map() };
        if (!g.group) throw new Error(`opcode ${op.toString(16)} is both a group and not`);
        g.group.set(Number(reg), entry);
        slots.set(key, g);
      }
    }
  }
  return ops;
}

/** The { simple } or { group } slot of `op` as decoded with mandatory prefix
 *  `pfx` ("NP", "66", "F3", "F2": what the instruction's prefixes select), or
 *  undefined when that is #UD. */
export function slotFor(ops, op, pfx) {
  const s = ops.get(op);
  if (!s?.mandatory) return s;
  return s.mandatory.get(pfx);
}

/** Every entry of the map. */
export function allEntries(ops) {
  const of = (s) => (s.simple ? [s.simple] : [...s.group.values()]);
  return [...ops.values()].flatMap((s) => (s.mandatory ? [...s.mandatory.values()].flatMap(of) : of(s)));
}
