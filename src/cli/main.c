/* tandem: command-line front end. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vmm/config.h"
#include "vmm/vmm.h"

static void usage(FILE *f)
{
    fputs("usage: tandem run --kernel IMAGE [options]     boot one VM\n"
          "       tandem run --config FILE [options]      boot the VMs a JSON file describes\n"
          "       tandem ctl SOCKET COMMAND ['{json}']    send one control command (QMP)\n"
          "       tandem ctl SOCKET --events              print control events as they happen\n"
          "       tandem console SOCKET                   attach to a VM's socket console\n"
          "       tandem --version\n"
          "\n"
          "Boots arm64 Linux Images on Tandem's AArch64 CPU, on a board like QEMU's\n"
          "virt, with guest memory virtualized through shadow page tables. With one\n"
          "VM its console (PL011) is on standard input/output: Ctrl-A x quits,\n"
          "Ctrl-A h lists the keys.\n"
          "\n"
          "One VM:\n"
          "  -k, --kernel IMAGE     arm64 Image to boot (loaded at RAM + 2 MiB + text_offset)\n"
          "  -i, --initrd FILE      initial ramdisk (placed as QEMU places it)\n"
          "  -a, --append ARGS      kernel command line\n"
          "  -m, --mem SIZE         guest RAM, e.g. 512M or 1G (default 512M; bare number = MiB)\n"
          "      --console SPEC     stdio (default), null, file:PATH or socket:PATH\n"
          "      --on-reset ACTION  stop (default here: exit status 2) or reboot\n"
          "      --dtb-out FILE     also write the generated device tree to FILE\n"
          "      --kaslr-seed N     put a KASLR seed in the device tree (default: none, KASLR off)\n"
          "      --no-rng-seed      give the guest no boot entropy (/chosen/rng-seed), as QEMU's\n"
          "                         -M virt,dtb-kaslr-seed=off does\n"
          "      --max-insns N      stop after N guest instructions (exit status 3)\n"
          "      --backup           keep a standby backup: checkpoints, and failover on a failure\n"
          "      --backup-share on|off  on (default): the backup shares the primary's unchanged\n"
          "                         frames; off: it keeps a copy of every page (memory errors)\n"
          "      --checkpoint POLICY when to checkpoint: interval:MS (default interval:20),\n"
          "                         vm-switch, context-switch, insns:N (a comma list)\n"
          "      --inject KIND@TIME inject a fault TIME after start (4s, 2500ms); KIND is crash,\n"
          "                         hang, bitflip[:N] or kernel-text (repeatable)\n"
          "      --hang-timeout MS  no interrupt taken in MS of guest run time is a hang (default\n"
          "                         5000; 0: never)\n"
          "      --repeat-limit K   the same failure K times in a row stops the VM (default 3)\n"
          "Several VMs:\n"
          "  -c, --config FILE      JSON: {\"machine-mem\": \"1G\", \"control\": PATH, \"vms\": [{\"name\":\n"
          "                         \"alpha\", \"kernel\": …, \"mem\": \"512M\", \"console\": \"stdio\"}, …]};\n"
          "                         a VM takes the keys above (kernel, initrd, append, mem, console,\n"
          "                         on-reset (default reboot), dtb-out, kaslr-seed, no-rng-seed,\n"
          "                         max-insns, backup, backup-share, checkpoint, inject (a\n"
          "                         list), hang-timeout, repeat-limit) and weight (slices per\n"
          "                         round, default 1); the top level takes the settings below\n"
          "                         by name (compress, swap-low, share, share-pages, ...)\n"
          "Either way:\n"
          "      --machine-mem SIZE machine memory shared by all VMs (default: the sum of their RAM)\n"
          "      --control PATH     QMP-style control socket (see tandem ctl)\n"
          "      --slice N          instructions per scheduling slice (default 1048576)\n"
          "      --compress ALG     compress cold guest pages when machine memory runs low: lzo\n"
          "                         (default), lz4, zstd or off\n"
          "      --swap-low SIZE    compress when free machine memory falls below SIZE (default 2%)\n"
          "      --swap-high SIZE   ...until SIZE is free again (default twice the low mark)\n"
          "      --compress-threshold BYTES  keep a page compressed only if it fits (default 3072)\n"
          "      --share MODE       merge equal guest pages into one frame, copied on write: off\n"
          "                         (default), vm (within each VM) or all (across VMs: a side\n"
          "                         channel between them, see README)\n"
          "      --share-pages N    resident pages the scanner hashes per pass (default 512)\n"
          "      --share-sleep MS   host time between scanner passes (default 20)\n"
          "      --code-cache SIZE  host memory for decoded guest code, per VM (for all VMs with\n"
          "                         --share all); the least used pages go first (default: an\n"
          "                         eighth of the VM's RAM, of machine memory with --share all;\n"
          "                         0: no limit)\n"
          "      --stats            print CPU, shadow page table and memory statistics at exit\n"
          "  -h, --help             show this help\n"
          "  -V, --version          print the version\n"
          "\n"
          "Exit status: 0 every VM powered off (or quit), 1 bad usage or input,\n"
          "2 a guest asked for a reset (on-reset stop), 3 instruction limit reached,\n"
          "4 a VM failed (a kernel panic or oops, a hang, an exception loop, a repeated\n"
          "failure of a protected VM, or paused for memory with no way to resume),\n"
          "128+N terminated by signal N.\n",
          f);
}

enum { OPT_MAX_INSNS = 256, OPT_STATS, OPT_DTB_OUT, OPT_KASLR, OPT_NO_RNG, OPT_MACHINE_MEM, OPT_CONTROL,
       OPT_CONSOLE, OPT_ON_RESET, OPT_SLICE, OPT_BACKUP, OPT_CHECKPOINT, OPT_INJECT, OPT_HANG, OPT_REPEAT,
       OPT_COMPRESS, OPT_SWAP_LOW, OPT_SWAP_HIGH, OPT_THRESHOLD, OPT_SHARE, OPT_SHARE_PAGES, OPT_SHARE_SLEEP, OPT_BACKUP_SHARE,
       OPT_CODE_CACHE };

/* Flags that describe the one VM; an error with --config. */
static bool is_vm_flag(int o)
{
    return o == 'k' || o == 'i' || o == 'a' || o == 'm' || o == OPT_DTB_OUT || o == OPT_KASLR || o == OPT_NO_RNG ||
           o == OPT_MAX_INSNS || o == OPT_CONSOLE || o == OPT_ON_RESET || o == OPT_BACKUP || o == OPT_CHECKPOINT ||
           o == OPT_INJECT || o == OPT_HANG || o == OPT_REPEAT || o == OPT_BACKUP_SHARE;
}

static bool set_string(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst != NULL;
}

/* One option into cfg (the single VM is vms[0]); false after a message. */
static bool apply_option(VmmConfig *cfg, int o, const char *arg, const char *flag)
{
    VmConfig *vm = &cfg->vms[0];
    switch (o) {
    case 'k': return set_string(&vm->kernel, arg);
    case 'i': return set_string(&vm->initrd, arg);
    case 'a': return set_string(&vm->append, arg);
    case OPT_DTB_OUT: return set_string(&vm->dtb_out, arg);
    case OPT_CONSOLE: return set_string(&vm->console, arg);
    case OPT_NO_RNG: vm->no_rng_seed = true; return true;
    case OPT_BACKUP: vm->backup = true; return true;
    case OPT_BACKUP_SHARE:
        if (!strcmp(arg, "on") || !strcmp(arg, "off")) {
            vm->backup_share = !strcmp(arg, "on");
            return true;
        }
        fprintf(stderr, "tandem: --backup-share '%s': on (the default: unchanged pages share the primary's frames) or off (the backup keeps a copy of every page)\n", arg);
        return false;
    case OPT_CHECKPOINT:
    case OPT_INJECT: {
        char err[300];
        if (o == OPT_CHECKPOINT ? vm_config_set_checkpoint(vm, arg, err, sizeof err)
                                : vm_config_add_inject(vm, arg, err, sizeof err))
            return true;
        fprintf(stderr, "tandem: %s %s\n", flag, err);
        return false;
    }
    case OPT_HANG:
    case OPT_REPEAT: {
        uint64_t n;
        bool ok = parse_count(arg, &n) && (o == OPT_HANG ? n <= 3600000 : n >= 1 && n <= 1000);
        if (!ok) {
            fprintf(stderr, "tandem: %s '%s': %s\n", flag, arg,
                    o == OPT_HANG ? "milliseconds from 0 (never) to 3600000" : "a count from 1 to 1000");
            return false;
        }
        if (o == OPT_HANG)
            vm->hang_timeout_ms = (uint32_t)n;
        else
            vm->repeat_limit = (unsigned)n;
        return true;
    }
    case OPT_COMPRESS:
    case OPT_SWAP_LOW:
    case OPT_SWAP_HIGH:
    case OPT_THRESHOLD: {
        char err[200];
        if (vmm_config_set_swap(cfg, flag + 2, arg, err, sizeof err))
            return true;
        fprintf(stderr, "tandem: %s %s\n", flag, err);
        return false;
    }
    case OPT_SHARE:
    case OPT_SHARE_PAGES:
    case OPT_SHARE_SLEEP: {
        char err[200];
        if (vmm_config_set_share(cfg, flag + 2, arg, err, sizeof err))
            return true;
        fprintf(stderr, "tandem: %s %s\n", flag, err);
        return false;
    }
    case OPT_STATS: cfg->stats = true; return true;
    case OPT_CONTROL: return set_string(&cfg->control, arg);
    case OPT_ON_RESET:
        if (!strcmp(arg, "stop") || !strcmp(arg, "reboot")) {
            vm->on_reset = !strcmp(arg, "stop") ? ON_RESET_STOP : ON_RESET_REBOOT;
            return true;
        }
        fprintf(stderr, "tandem: --on-reset '%s': use stop or reboot\n", arg);
        return false;
    case OPT_KASLR:
        if (parse_count(arg, &vm->kaslr_seed))
            return true;
        fprintf(stderr, "tandem: --kaslr-seed '%s': not a number\n", arg);
        return false;
    case OPT_MAX_INSNS:
        if (parse_count(arg, &vm->max_insns))
            return true;
        fprintf(stderr, "tandem: --max-insns '%s': not a number\n", arg);
        return false;
    case OPT_SLICE:
        if (parse_count(arg, &cfg->slice) && cfg->slice >= 1000 && cfg->slice <= (1ull << 32))
            return true;
        fprintf(stderr, "tandem: --slice '%s': a number of instructions from 1000 to 4294967296\n", arg);
        return false;
    case 'm':
        if (!parse_size(arg, &vm->mem)) {
            fprintf(stderr, "tandem: --mem '%s': not a size (use e.g. 512M or 1G)\n", arg);
            return false;
        }
        if (!vm_mem_ok(vm->mem)) {
            fprintf(stderr, "tandem: --mem '%s': RAM must be a whole number of MiB from 16M to 8G\n", arg);
            return false;
        }
        return true;
    case OPT_CODE_CACHE: {
        char err[200];
        if (vmm_config_set_code_cache(cfg, arg, err, sizeof err))
            return true;
        fprintf(stderr, "tandem: %s %s\n", flag, err);
        return false;
    }
    case OPT_MACHINE_MEM:
        if (parse_size(arg, &cfg->machine_mem) && cfg->machine_mem >= (1u << 20))
            return true;
        fprintf(stderr, "tandem: --machine-mem '%s': not a size of 1M or more (use e.g. 256M or 2G)\n", arg);
        return false;
    default:
        fprintf(stderr, "tandem: %s: not understood\n", flag);
        return false;
    }
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'},       {"initrd", required_argument, 0, 'i'},
        {"append", required_argument, 0, 'a'},       {"mem", required_argument, 0, 'm'},
        {"config", required_argument, 0, 'c'},       {"dtb-out", required_argument, 0, OPT_DTB_OUT},
        {"kaslr-seed", required_argument, 0, OPT_KASLR}, {"no-rng-seed", no_argument, 0, OPT_NO_RNG},
        {"max-insns", required_argument, 0, OPT_MAX_INSNS}, {"stats", no_argument, 0, OPT_STATS},
        {"machine-mem", required_argument, 0, OPT_MACHINE_MEM},
        {"code-cache", required_argument, 0, OPT_CODE_CACHE}, {"control", required_argument, 0, OPT_CONTROL},
        {"console", required_argument, 0, OPT_CONSOLE}, {"on-reset", required_argument, 0, OPT_ON_RESET},
        {"slice", required_argument, 0, OPT_SLICE},  {"help", no_argument, 0, 'h'},
        {"backup", no_argument, 0, OPT_BACKUP},      {"backup-share", required_argument, 0, OPT_BACKUP_SHARE},      {"checkpoint", required_argument, 0, OPT_CHECKPOINT},
        {"inject", required_argument, 0, OPT_INJECT}, {"hang-timeout", required_argument, 0, OPT_HANG},
        {"repeat-limit", required_argument, 0, OPT_REPEAT},
        {"compress", required_argument, 0, OPT_COMPRESS}, {"swap-low", required_argument, 0, OPT_SWAP_LOW},
        {"swap-high", required_argument, 0, OPT_SWAP_HIGH},
        {"compress-threshold", required_argument, 0, OPT_THRESHOLD},
        {"share", required_argument, 0, OPT_SHARE},  {"share-pages", required_argument, 0, OPT_SHARE_PAGES},
        {"share-sleep", required_argument, 0, OPT_SHARE_SLEEP},
        {0, 0, 0, 0},
    };
    VmmConfig *cfg = calloc(1, sizeof *cfg);
    Vmm *vmm = calloc(1, sizeof *vmm);
    if (!cfg || !vmm) {
        fprintf(stderr, "tandem: out of host memory\n");
        free(cfg);
        free(vmm);
        return 1;
    }
    vm_config_defaults(&cfg->vms[0]);
    cfg->vms[0].on_reset = ON_RESET_STOP; /* one VM from flags: a reset ends the run (exit status 2) */
    snprintf(cfg->vms[0].name, sizeof cfg->vms[0].name, "vm0");
    const char *config_file = NULL, *vm_flag = NULL;
    /* Flags are applied after the file, so VMM-wide flags override it. */
    struct { int o; const char *arg, *flag; } later[64];
    unsigned nlater = 0;
    int o, status = 1, li = -1;
    char flags[64][32];
    opterr = 0;
    while ((li = -1, o = getopt_long(argc, argv, ":k:i:a:m:c:h", opts, &li)) != -1) {
        /* The flag as the user wrote it, for messages. */
        char *flag = flags[nlater < 64 ? nlater : 63];
        if (li >= 0)
            snprintf(flag, 32, "--%s", opts[li].name);
        else if (o == ':' || o == '?')
            snprintf(flag, 32, "%s", argv[optind - 1]);
        else
            snprintf(flag, 32, "-%c", o);
        switch (o) {
        case 'h': usage(stdout); status = 0; goto out;
        case 'c': config_file = optarg; continue;
        case ':': fprintf(stderr, "tandem: %s needs a value\n", flag); goto out;
        case '?': fprintf(stderr, "tandem: unknown option '%s' (see tandem --help)\n", flag); goto out;
        default: break;
        }
        if (is_vm_flag(o) && !vm_flag)
            vm_flag = flag;
        if (nlater == sizeof later / sizeof later[0]) {
            fprintf(stderr, "tandem: too many options\n");
            goto out;
        }
        later[nlater++] = (typeof(later[0])){o, optarg, flag};
    }
    if (optind < argc) {
        fprintf(stderr, "tandem: unexpected argument '%s' (see tandem --help)\n", argv[optind]);
        goto out;
    }
    if (config_file && vm_flag) {
        fprintf(stderr, "tandem: %s describes a VM and cannot be combined with --config (put it in %s)\n", vm_flag,
                config_file);
        goto out;
    }
    if (config_file) {
        memset(cfg, 0, sizeof *cfg);
        if (!config_load(cfg, config_file))
            goto out;
    } else {
        cfg->nvms = 1;
    }
    for (unsigned i = 0; i < nlater; i++)
        if (!apply_option(cfg, later[i].o, later[i].arg, later[i].flag))
            goto out;
    if (!config_file) {
        if (!cfg->vms[0].kernel) {
            fprintf(stderr, "tandem: no kernel given (use --kernel IMAGE, or --config FILE)\n");
            goto out;
        }
        if (!config_check(cfg, "the command line"))
            goto out;
    }
    if (!vmm_create(vmm, cfg))
        goto out;
    status = vmm_run(vmm);
    vmm_destroy(vmm);
out:
    config_free(cfg);
    free(cfg);
    free(vmm);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("tandem %s\n", TANDEM_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "ctl"))
        return cmd_ctl(argc - 1, argv + 1);
    if (!strcmp(argv[1], "console"))
        return cmd_console(argc - 1, argv + 1);
    fprintf(stderr, "tandem: unknown command '%s' (try 'tandem run --kernel IMAGE' or 'tandem --help')\n", argv[1]);
    return 1;
}
