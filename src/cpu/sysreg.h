/* System register encodings: op0, op1, CRn, CRm, op2 packed as in the MRS/MSR
 * instruction (bits 20:5 without Rt), so a register is one 16-bit key. */
#ifndef TANDEM_SYSREG_H
#define TANDEM_SYSREG_H

#include <stdint.h>

#define SYSREG(op0, op1, crn, crm, op2) \
    ((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))

enum {
    SR_MIDR = SYSREG(3, 0, 0, 0, 0),
    SR_MPIDR = SYSREG(3, 0, 0, 0, 5),
    SR_REVIDR = SYSREG(3, 0, 0, 0, 6),
    SR_ID_AA64PFR0 = SYSREG(3, 0, 0, 4, 0),
    SR_ID_AA64DFR0 = SYSREG(3, 0, 0, 5, 0),
    SR_ID_AA64ISAR0 = SYSREG(3, 0, 0, 6, 0),
    SR_ID_AA64MMFR0 = SYSREG(3, 0, 0, 7, 0),
    SR_SCTLR = SYSREG(3, 0, 1, 0, 0),
    SR_ACTLR = SYSREG(3, 0, 1, 0, 1),
    SR_CPACR = SYSREG(3, 0, 1, 0, 2),
    SR_TTBR0 = SYSREG(3, 0, 2, 0, 0),
    SR_TTBR1 = SYSREG(3, 0, 2, 0, 1),
    SR_TCR = SYSREG(3, 0, 2, 0, 2),
    SR_SPSR_EL1 = SYSREG(3, 0, 4, 0, 0),
    SR_ELR_EL1 = SYSREG(3, 0, 4, 0, 1),
    SR_SP_EL0 = SYSREG(3, 0, 4, 1, 0),
    SR_SPSEL = SYSREG(3, 0, 4, 2, 0),
    SR_CURRENTEL = SYSREG(3, 0, 4, 2, 2),
    SR_AFSR0 = SYSREG(3, 0, 5, 1, 0),
    SR_AFSR1 = SYSREG(3, 0, 5, 1, 1),
    SR_ESR = SYSREG(3, 0, 5, 2, 0),
    SR_FAR = SYSREG(3, 0, 6, 0, 0),
    SR_PAR = SYSREG(3, 0, 7, 4, 0),
    SR_MAIR = SYSREG(3, 0, 10, 2, 0),
    SR_AMAIR = SYSREG(3, 0, 10, 3, 0),
    SR_VBAR = SYSREG(3, 0, 12, 0, 0),
    SR_ISR = SYSREG(3, 0, 12, 1, 0),
    SR_CONTEXTIDR = SYSREG(3, 0, 13, 0, 1),
    SR_TPIDR_EL1 = SYSREG(3, 0, 13, 0, 4),
    SR_CNTKCTL = SYSREG(3, 0, 14, 1, 0),
    SR_CCSIDR = SYSREG(3, 1, 0, 0, 0),
    SR_CLIDR = SYSREG(3, 1, 0, 0, 1),
    SR_AIDR = SYSREG(3, 1, 0, 0, 7),
    SR_CSSELR = SYSREG(3, 2, 0, 0, 0),
    SR_CTR = SYSREG(3, 3, 0, 0, 1),
    SR_DCZID = SYSREG(3, 3, 0, 0, 7),
    SR_NZCV = SYSREG(3, 3, 4, 2, 0),
    SR_DAIF = SYSREG(3, 3, 4, 2, 1),
    SR_FPCR = SYSREG(3, 3, 4, 4, 0),
    SR_FPSR = SYSREG(3, 3, 4, 4, 1),
    SR_TPIDR_EL0 = SYSREG(3, 3, 13, 0, 2),
    SR_TPIDRRO_EL0 = SYSREG(3, 3, 13, 0, 3),
    SR_CNTFRQ = SYSREG(3, 3, 14, 0, 0),
    SR_CNTPCT = SYSREG(3, 3, 14, 0, 1),
    SR_CNTVCT = SYSREG(3, 3, 14, 0, 2),
    SR_CNTP_TVAL = SYSREG(3, 3, 14, 2, 0),
    SR_CNTP_CTL = SYSREG(3, 3, 14, 2, 1),
    SR_CNTP_CVAL = SYSREG(3, 3, 14, 2, 2),
    SR_CNTV_TVAL = SYSREG(3, 3, 14, 3, 0),
    SR_CNTV_CTL = SYSREG(3, 3, 14, 3, 1),
    SR_CNTV_CVAL = SYSREG(3, 3, 14, 3, 2),
    SR_PMUSERENR = SYSREG(3, 3, 9, 14, 0),
    SR_MDCCINT = SYSREG(2, 0, 0, 2, 0),
    SR_MDSCR = SYSREG(2, 0, 0, 2, 2),
    SR_OSLAR = SYSREG(2, 0, 1, 0, 4),
    SR_OSLSR = SYSREG(2, 0, 1, 1, 4),
    SR_OSDLR = SYSREG(2, 0, 1, 3, 4),
    SR_MDCCSR_EL0 = SYSREG(2, 3, 0, 1, 0),
};

/* Identification values: a Cortex-A53-like ARMv8.0 core with FP, AdvSIMD,
 * CRC32, the Cryptographic Extension and PMUv3, as QEMU's cortex-a53.
 * Whatever is advertised here is implemented. */
#define TANDEM_MIDR 0x410fd034u      /* Arm Cortex-A53 r0p4 */
#define TANDEM_CTR 0x84448004u       /* 64-byte lines, VIPT I-cache */
#define TANDEM_DCZID 0x4u            /* DC ZVA zeroes 64 bytes */
#define TANDEM_CNTFRQ 62500000u      /* 62.5 MHz, as QEMU's virt board */
#define TANDEM_ID_AA64PFR0 0x11u     /* EL0, EL1 AArch64 only; FP and AdvSIMD present */
#define TANDEM_ID_AA64ISAR0 0x11120u /* CRC32, SHA2, SHA1, AES with PMULL (as QEMU's cortex-a53) */
#define TANDEM_ID_AA64DFR0 0x10305106u /* ARMv8 debug, PMUv3, 6 breakpoints (2 with context), 4 watchpoints */
#define TANDEM_ID_AA64MMFR0 0x0f000022ull /* 40-bit PA, 16-bit ASID, 4K granule only */

/* Rt-less key of an MRS/MSR/SYS encoding. */
static inline uint32_t sysreg_key(uint32_t raw)
{
    return (raw >> 5) & 0xffff;
}

#endif
