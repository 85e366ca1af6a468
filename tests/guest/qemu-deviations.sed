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
