# Where QEMU 7.2 (the oracle) departs from the Arm architecture, the expected
# output is the architecture's. Each rule rewrites QEMU's output line into
# what the Arm ARM specifies, with the reason.
#
# MSR DAIFSet/DAIFClr trapped at EL0 (SCTLR_EL1.UMA=0): ESR_EL1 ISS for EC 0x18
# is Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Dir[0].
# For DAIFSet (op1=3, op2=6, CRn=4, Rt=31) QEMU's daif_check() passes op1 and
# op2 in swapped order; the architected ISS has Op2=6, Op1=3.
s/esr=620793e4 ec=18 iss=00793e4/esr=620cd3e4 ec=18 iss=00cd3e4/
s/esr=620793e6 ec=18 iss=00793e6/esr=620cd3e6 ec=18 iss=00cd3e6/
#
# Debug exceptions with the OS lock set (OSLSR_EL1.OSLK=1, debug.c): QEMU 7.2
# still takes breakpoint, watchpoint and software step exceptions. The Arm
# ARM's AArch64.GenerateDebugExceptionsFrom() returns FALSE while OSLK is 1,
# so none is taken.
s/^bp os lock -> \([0-9]*\) : .*/bp os lock -> \1 : none/
s/^watch, os lock: .*/watch, os lock: none/
s/^step, os lock -> \([0-9]*\) : .*/step, os lock -> \1 : none/
# Unlinked context ID breakpoints (DBGBCR<n>.BT=0b0010 on a context-aware
# breakpoint): QEMU 7.2 does not implement them (it logs "unlinked context
# breakpoint types not implemented") and never fires. Arm: the breakpoint
# matches every instruction while CONTEXTIDR_EL1 equals DBGBVR<n>[31:0], so
# the first instruction after the write takes it.
s/^ctx brp4: 0 exception(s), ec 00$/ctx brp4: 1 exception(s), ec 31/
