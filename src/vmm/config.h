/* What to run: the VMM-wide settings and one entry per VM, from the command
 * line (one VM) or a JSON file (`tandem run --config FILE`). */
#ifndef TANDEM_VMM_CONFIG_H
#define TANDEM_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "share/share.h"
#include "swap/codec.h"

#define TANDEM_VERSION_MAJOR 0
#define TANDEM_VERSION_MINOR 2
#define TANDEM_VERSION_MICRO 0
#define TANDEM_VERSION "0.2.0"

#define VM_NAME_MAX 32
#define VMM_MAX_VMS 16
#define VM_MAX_INJECT 16
#define VMM_DEFAULT_SLICE (1ull << 20) /* instructions per scheduling slice (~3 ms) */

typedef enum OnReset { ON_RESET_REBOOT, ON_RESET_STOP } OnReset;

typedef struct VmConfig {
    char name[VM_NAME_MAX + 1];
    char *kernel, *initrd, *append, *dtb_out, *console;
    uint64_t mem;
    uint64_t kaslr_seed;
    bool no_rng_seed;
    uint64_t max_insns; /* 0: unlimited */
    OnReset on_reset;
    unsigned weight;    /* slices per round */
    /* Fault tolerance. */
    bool backup;        /* a standby backup VM with checkpoints */
    bool backup_share;  /* its unchanged pages share the primary's frames (default) */
    char *checkpoint;   /* policy (ft/policy.h); NULL: the default */
    char *inject[VM_MAX_INJECT]; /* KIND@TIME */
    unsigned ninject;
    uint32_t hang_timeout_ms; /* no progress this long is a hang; 0: never */
    unsigned repeat_limit;    /* the same failure this often in a row is not transient */
} VmConfig;

typedef struct VmmConfig {
    uint64_t machine_mem; /* 0: the sum of the VMs' RAM */
    char *control;        /* control socket path, or NULL */
    bool stats;
    uint64_t slice;       /* instructions per slice */
    bool from_file;       /* messages name the VM even when there is one */
    /* Compressed swap. */
    CodecAlg compress;    /* meaningful when compress_set; else the default, lzo */
    bool compress_set;
    uint64_t swap_low, swap_high; /* free-memory watermarks in bytes; 0: the defaults */
    uint32_t compress_threshold;  /* bytes; 0: the default (3/4 of a page) */
    /* Page sharing. */
    ShareConfig share;
    /* Host memory for decoded code, per VM (the machine's with share all);
     * 0: no limit; unless set, an eighth of the VM's RAM (of machine memory). */
    uint64_t code_cache;
    bool code_cache_set;
    VmConfig vms[VMM_MAX_VMS];
    unsigned nvms;
} VmmConfig;

/* A VM entry with the defaults. */
void vm_config_defaults(VmConfig *v);
/* Fault-tolerance settings, checked as they are set (messages in err). */
bool vm_config_add_inject(VmConfig *v, const char *text, char *err, size_t errlen);
bool vm_config_set_checkpoint(VmConfig *v, const char *text, char *err, size_t errlen);
/* Read FILE into c (defaults first). On error print one line naming the
 * file, the VM and the key, and return false. */
bool config_load(VmmConfig *c, const char *file);
/* Checks that hold however the config was made (both consoles on stdio,
 * duplicate names, sizes); `where` prefixes the messages. */
bool config_check(const VmmConfig *c, const char *where);
void config_free(VmmConfig *c);

/* QEMU-style sizes: a bare number is MiB; K, M, G (KiB/MiB/GiB, KB/MB/GB). */
bool parse_size(const char *s, uint64_t *out);
/* VMM-wide compressed-swap settings, checked as they are set ("compress",
 * "swap-low", "swap-high", "compress-threshold"; messages in err). */
bool vmm_config_set_swap(VmmConfig *c, const char *key, const char *text, char *err, size_t errlen);
/* "code-cache" from its text (a flag's or the file's). */
bool vmm_config_set_code_cache(VmmConfig *c, const char *text, char *err, size_t errlen);
/* "share", "share-pages" or "share-sleep" from its text (a flag's or the file's). */
bool vmm_config_set_share(VmmConfig *c, const char *key, const char *text, char *err, size_t errlen);
/* A whole number (decimal, 0x hex or 0 octal). */
bool parse_count(const char *s, uint64_t *out);
/* RAM sizes a VM accepts: whole MiB from 16M to 8G. */
bool vm_mem_ok(uint64_t bytes);

#endif
