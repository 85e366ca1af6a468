/* When a protected VM takes a checkpoint (the seed's backup points and
 * common practice): "interval:MS", "vm-switch", "context-switch", "insns:N",
 * as a comma list. */
#ifndef TANDEM_FT_POLICY_H
#define TANDEM_FT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_DEFAULT_POLICY "interval:20"

typedef struct FtPolicy {
    uint32_t interval_ms;  /* 0: none */
    bool vm_switch;        /* at the end of every slice (before another VM runs) */
    bool context_switch;   /* when the guest switches user page tables (TTBR0) */
    uint64_t insns;        /* every N guest instructions; 0: none */
    bool private_backup;   /* the backup keeps a copy of every page (backup-share off) */
} FtPolicy;

/* False with a message naming the bad part in err. */
bool ft_policy_parse(const char *text, FtPolicy *p, char *err, size_t errlen);

#endif
