/* The AArch64 condition codes written out by hand from their definitions in
 * the Arm ARM (C1.2.4, "Condition code", and the ConditionHolds() pseudocode),
 * independently of Tandem's own tables.
 *
 * Row cond, column f: whether the condition holds when NZCV == f, with
 * N = bit 3, Z = bit 2, C = bit 1, V = bit 0. Columns f = 0..15 left to right:
 *
 *   f   0    1    2    3    4    5    6    7    8    9    10   11   12   13   14   15
 *  NZCV 0000 0001 0010 0011 0100 0101 0110 0111 1000 1001 1010 1011 1100 1101 1110 1111
 */
#ifndef TANDEM_TEST_COND_TRUTH_H
#define TANDEM_TEST_COND_TRUTH_H

static const struct {
    const char *name, *definition, *holds;
} cond_truth[16] = {
    /*                               f: 0123456789abcdef */
    {"EQ", "Z == 1",                    "0000111100001111"},
    {"NE", "Z == 0",                    "1111000011110000"},
    {"CS", "C == 1",                    "0011001100110011"},
    {"CC", "C == 0",                    "1100110011001100"},
    {"MI", "N == 1",                    "0000000011111111"},
    {"PL", "N == 0",                    "1111111100000000"},
    {"VS", "V == 1",                    "0101010101010101"},
    {"VC", "V == 0",                    "1010101010101010"},
    {"HI", "C == 1 && Z == 0",          "0011000000110000"},
    {"LS", "!(C == 1 && Z == 0)",       "1100111111001111"},
    {"GE", "N == V",                    "1010101001010101"},
    {"LT", "N != V",                    "0101010110101010"},
    {"GT", "Z == 0 && N == V",          "1010000001010000"},
    {"LE", "!(Z == 0 && N == V)",       "0101111110101111"},
    {"AL", "always",                    "1111111111111111"},
    /* 0b1111: ConditionHolds() inverts only when cond<0> == 1 and cond != 1111. */
    {"NV", "always (as AL)",            "1111111111111111"},
};

static inline bool cond_truth_holds(unsigned cond, unsigned nzcv)
{
    return cond_truth[cond].holds[nzcv] == '1';
}

#endif
