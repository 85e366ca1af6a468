#include "ft/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool number(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || *s == '-' || v == 0 || v > max)
        return false;
    *out = v;
    return true;
}

bool ft_policy_parse(const char *text, FtPolicy *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    char buf[256];
    if (strlen(text) >= sizeof buf || !*text) {
        snprintf(err, errlen, "'%s': give a comma list of interval:MS, vm-switch, context-switch, insns:N", text);
        return false;
    }
    strcpy(buf, text);
    for (char *save = NULL, *part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        uint64_t n;
        if (!strncmp(part, "interval:", 9) && number(part + 9, 3600000, &n))
            p->interval_ms = (uint32_t)n;
        else if (!strncmp(part, "insns:", 6) && number(part + 6, UINT64_MAX, &n))
            p->insns = n;
        else if (!strcmp(part, "vm-switch"))
            p->vm_switch = true;
        else if (!strcmp(part, "context-switch"))
            p->context_switch = true;
        else {
            snprintf(err, errlen, "'%s' in '%s': use interval:MS (1 to 3600000), vm-switch, context-switch or insns:N",
                     part, text);
            return false;
        }
    }
    return true;
}
