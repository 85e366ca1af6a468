/* tandem: command-line front end. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/board.h"

static void usage(FILE *f)
{
    fputs("usage: tandem run --kernel IMAGE [options]\n"
          "\n"
          "Boots an arm64 Linux Image (or any program with the Image header) on\n"
          "Tandem's AArch64 CPU, on a board like QEMU's virt, with the console\n"
          "(PL011) on standard input/output. Ctrl-A x quits.\n"
          "\n"
          "  -k, --kernel IMAGE     arm64 Image to boot (loaded at RAM + 2 MiB + text_offset)\n"
          "  -i, --initrd FILE      initial ramdisk (placed as QEMU places it)\n"
          "  -a, --append ARGS      kernel command line\n"
          "  -m, --mem SIZE         guest RAM, e.g. 512M or 1G (default 512M; bare number = MiB)\n"
          "      --dtb-out FILE     also write the generated device tree to FILE\n"
          "      --kaslr-seed N     put a KASLR seed in the device tree (default: none, KASLR off)\n"
          "      --no-rng-seed      give the guest no boot entropy (/chosen/rng-seed), as QEMU's\n"
          "                         -M virt,dtb-kaslr-seed=off does\n"
          "      --max-insns N      stop after N guest instructions (exit status 3)\n"
          "      --stats            print CPU, shadow page table and memory statistics at exit\n"
          "  -h, --help             show this help\n"
          "\n"
          "Exit status: 0 guest powered off (or Ctrl-A x), 1 bad usage or input,\n"
          "2 guest asked for a reset, 3 instruction limit reached.\n",
          f);
}

/* QEMU-style size: a bare number is MiB; K, M, G (and KiB/MiB/GiB) suffixes. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    uint64_t mul;
    if (!strcmp(end, "") || !strcasecmp(end, "M") || !strcasecmp(end, "MiB") || !strcasecmp(end, "MB"))
        mul = 1ull << 20;
    else if (!strcasecmp(end, "G") || !strcasecmp(end, "GiB") || !strcasecmp(end, "GB"))
        mul = 1ull << 30;
    else if (!strcasecmp(end, "K") || !strcasecmp(end, "KiB") || !strcasecmp(end, "KB"))
        mul = 1ull << 10;
    else
        return false;
    if (v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end || errno || *s == '-')
        return false;
    *out = v;
    return true;
}

static int cmd_run(int argc, char **argv)
{
    BoardConfig cfg = {.mem = 512ull << 20};
    enum { OPT_MAX_INSNS = 256, OPT_STATS, OPT_DTB_OUT, OPT_KASLR, OPT_NO_RNG };
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'},       {"initrd", required_argument, 0, 'i'},
        {"append", required_argument, 0, 'a'},       {"mem", required_argument, 0, 'm'},
        {"dtb-out", required_argument, 0, OPT_DTB_OUT}, {"kaslr-seed", required_argument, 0, OPT_KASLR},
        {"no-rng-seed", no_argument, 0, OPT_NO_RNG},
        {"max-insns", required_argument, 0, OPT_MAX_INSNS}, {"stats", no_argument, 0, OPT_STATS},
        {"help", no_argument, 0, 'h'},               {0, 0, 0, 0},
    };
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":k:i:a:m:h", opts, NULL)) != -1) {
        switch (o) {
        case 'k': cfg.kernel = optarg; break;
        case 'i': cfg.initrd = optarg; break;
        case 'a': cfg.append = optarg; break;
        case OPT_DTB_OUT: cfg.dtb_out = optarg; break;
        case OPT_NO_RNG: cfg.no_rng_seed = true; break;
        case OPT_KASLR:
            if (!parse_count(optarg, &cfg.kaslr_seed)) {
                fprintf(stderr, "tandem: --kaslr-seed '%s': not a number\n", optarg);
                return 1;
            }
            break;
        case 'm':
            if (!parse_size(optarg, &cfg.mem)) {
                fprintf(stderr, "tandem: --mem '%s': not a size (use e.g. 512M or 1G)\n", optarg);
                return 1;
            }
            break;
        case OPT_MAX_INSNS:
            if (!parse_count(optarg, &cfg.max_insns)) {
                fprintf(stderr, "tandem: --max-insns '%s': not a number\n", optarg);
                return 1;
            }
            break;
        case OPT_STATS: cfg.stats = true; break;
        case 'h': usage(stdout); return 0;
        case ':': fprintf(stderr, "tandem: %s needs a value\n", argv[optind - 1]); return 1;
        default: fprintf(stderr, "tandem: unknown option '%s' (see tandem --help)\n", argv[optind - 1]); return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tandem: unexpected argument '%s' (see tandem --help)\n", argv[optind]);
        return 1;
    }
    if (!cfg.kernel) {
        fprintf(stderr, "tandem: no kernel given (use --kernel IMAGE)\n");
        return 1;
    }
    if (cfg.mem < (16ull << 20) || cfg.mem > VIRT_MAX_RAM || (cfg.mem & 0xfffff)) {
        fprintf(stderr, "tandem: --mem %" PRIu64 "K: RAM must be a whole number of MiB from 16M to 8G\n",
                cfg.mem >> 10);
        return 1;
    }
    Board b;
    if (!board_create(&b, &cfg))
        return 1;
    BoardExit e = board_run(&b, STDIN_FILENO);
    if (cfg.stats)
        board_print_stats(&b, stderr);
    board_destroy(&b);
    switch (e) {
    case BOARD_POWER_OFF: return 0;
    case BOARD_RESET: fprintf(stderr, "tandem: the guest requested a system reset\n"); return 2;
    case BOARD_INSN_LIMIT: fprintf(stderr, "tandem: instruction limit reached\n"); return 3;
    case BOARD_QUIT: return 0;
    default: return 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    fprintf(stderr, "tandem: unknown command '%s' (try 'tandem run --kernel IMAGE')\n", argv[1]);
    return 1;
}
