#include "vmm/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "machine/board.h"
#include "vmm/console.h"
#include "ft/detect.h"
#include "ft/inject.h"
#include "ft/policy.h"

bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-' || *s == '+' || *s == ' ')
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

bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (end == s || *end || errno || *s == '-' || *s == '+' || *s == ' ')
        return false;
    *out = v;
    return true;
}

bool vm_mem_ok(uint64_t bytes)
{
    return bytes >= (16ull << 20) && bytes <= VIRT_MAX_RAM && !(bytes & 0xfffff);
}

void vm_config_defaults(VmConfig *v)
{
    memset(v, 0, sizeof *v);
    v->mem = 512ull << 20;
    v->on_reset = ON_RESET_REBOOT;
    v->weight = 1;
    v->hang_timeout_ms = FT_DEFAULT_HANG_MS;
    v->repeat_limit = 3;
    v->backup_share = true;
}

bool vm_config_add_inject(VmConfig *v, const char *text, char *err, size_t errlen)
{
    Injection inj;
    if (!inject_parse(text, true, &inj, err, errlen))
        return false;
    if (v->ninject == VM_MAX_INJECT) {
        snprintf(err, errlen, "at most %d injections per VM", VM_MAX_INJECT);
        return false;
    }
    v->inject[v->ninject] = strdup(text);
    return v->inject[v->ninject++] != NULL;
}

bool vm_config_set_checkpoint(VmConfig *v, const char *text, char *err, size_t errlen)
{
    FtPolicy p;
    if (!ft_policy_parse(text, &p, err, errlen))
        return false;
    free(v->checkpoint);
    v->checkpoint = strdup(text);
    return v->checkpoint != NULL;
}

/* ---- reading the JSON file ---- */

typedef struct Ctx {
    const char *file;
    char where[96]; /* "vm \"alpha\" (vms[0])" or "" for the top level */
} Ctx;

static bool fail(const Ctx *x, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(const Ctx *x, const char *key, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char place[200] = "";
    if (x->where[0] && key)
        snprintf(place, sizeof place, "%s, key \"%s\": ", x->where, key);
    else if (key)
        snprintf(place, sizeof place, "key \"%s\": ", key);
    else if (x->where[0])
        snprintf(place, sizeof place, "%s: ", x->where);
    fprintf(stderr, "tandem: %s: %s%s\n", x->file, place, msg);
    return false;
}

static bool get_string(const Ctx *x, const char *key, json_object *v, char **out)
{
    if (!json_object_is_type(v, json_type_string))
        return fail(x, key, "must be a string");
    free(*out);
    *out = strdup(json_object_get_string(v));
    return *out != NULL;
}

static bool get_bool(const Ctx *x, const char *key, json_object *v, bool *out)
{
    if (!json_object_is_type(v, json_type_boolean))
        return fail(x, key, "must be true or false");
    *out = json_object_get_boolean(v);
    return true;
}

/* A size: "512M", "1G", or a number of MiB. */
static bool get_size(const Ctx *x, const char *key, json_object *v, uint64_t *out)
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t n = json_object_get_int64(v);
        if (n < 0 || (uint64_t)n > (UINT64_MAX >> 20))
            return fail(x, key, "%" PRId64 " is not a size", n);
        *out = (uint64_t)n << 20;
        return true;
    }
    if (!json_object_is_type(v, json_type_string) || !parse_size(json_object_get_string(v), out))
        return fail(x, key, "%s is not a size (use e.g. \"512M\" or \"1G\")", json_object_to_json_string(v));
    return true;
}

static bool get_count(const Ctx *x, const char *key, json_object *v, uint64_t *out)
{
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
        *out = (uint64_t)json_object_get_int64(v);
        return true;
    }
    if (json_object_is_type(v, json_type_string) && parse_count(json_object_get_string(v), out))
        return true;
    return fail(x, key, "%s is not a whole number", json_object_to_json_string(v));
}

static bool vm_key(const Ctx *x, VmConfig *v, const char *key, json_object *val)
{
    uint64_t n;
    if (!strcmp(key, "name")) {
        char *s = NULL;
        if (!get_string(x, key, val, &s))
            return false;
        size_t len = strlen(s);
        bool ok = len > 0 && len <= VM_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
        if (ok)
            memcpy(v->name, s, len + 1);
        free(s);
        return ok || fail(x, key, "a name is 1 to %d letters, digits, '_', '.' or '-'", VM_NAME_MAX);
    }
    if (!strcmp(key, "kernel"))
        return get_string(x, key, val, &v->kernel);
    if (!strcmp(key, "initrd"))
        return get_string(x, key, val, &v->initrd);
    if (!strcmp(key, "append"))
        return get_string(x, key, val, &v->append);
    if (!strcmp(key, "dtb-out"))
        return get_string(x, key, val, &v->dtb_out);
    if (!strcmp(key, "console")) {
        ConsoleKind k;
        const char *p;
        if (!get_string(x, key, val, &v->console))
            return false;
        return console_parse(v->console, &k, &p) ||
               fail(x, key, "'%s': use \"stdio\", \"null\", \"file:PATH\" or \"socket:PATH\"", v->console);
    }
    if (!strcmp(key, "mem"))
        return get_size(x, key, val, &v->mem);
    if (!strcmp(key, "kaslr-seed"))
        return get_count(x, key, val, &v->kaslr_seed);
    if (!strcmp(key, "no-rng-seed"))
        return get_bool(x, key, val, &v->no_rng_seed);
    if (!strcmp(key, "max-insns"))
        return get_count(x, key, val, &v->max_insns);
    if (!strcmp(key, "weight")) {
        if (!get_count(x, key, val, &n))
            return false;
        if (n < 1 || n > 100)
            return fail(x, key, "the weight must be from 1 to 100");
        v->weight = (unsigned)n;
        return true;
    }
    if (!strcmp(key, "backup"))
        return get_bool(x, key, val, &v->backup);
    if (!strcmp(key, "backup-share"))
        return get_bool(x, key, val, &v->backup_share);
    if (!strcmp(key, "checkpoint")) {
        char err[300];
        if (!json_object_is_type(val, json_type_string))
            return fail(x, key, "must be a string such as \"interval:20\"");
        return vm_config_set_checkpoint(v, json_object_get_string(val), err, sizeof err) || fail(x, key, "%s", err);
    }
    if (!strcmp(key, "inject")) {
        char err[300];
        if (!json_object_is_type(val, json_type_array))
            return fail(x, key, "must be a list such as [\"crash@4s\"]");
        for (size_t i = 0; i < json_object_array_length(val); i++) {
            json_object *e = json_object_array_get_idx(val, i);
            if (!json_object_is_type(e, json_type_string))
                return fail(x, key, "each injection is a string KIND@TIME");
            if (!vm_config_add_inject(v, json_object_get_string(e), err, sizeof err))
                return fail(x, key, "%s", err);
        }
        return true;
    }
    if (!strcmp(key, "hang-timeout")) {
        if (!get_count(x, key, val, &n))
            return false;
        if (n > 3600000)
            return fail(x, key, "at most 3600000 ms");
        v->hang_timeout_ms = (uint32_t)n;
        return true;
    }
    if (!strcmp(key, "repeat-limit")) {
        if (!get_count(x, key, val, &n))
            return false;
        if (n < 1 || n > 1000)
            return fail(x, key, "from 1 to 1000");
        v->repeat_limit = (unsigned)n;
        return true;
    }
    if (!strcmp(key, "on-reset")) {
        const char *s = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : "";
        if (!strcmp(s, "reboot"))
            v->on_reset = ON_RESET_REBOOT;
        else if (!strcmp(s, "stop"))
            v->on_reset = ON_RESET_STOP;
        else
            return fail(x, key, "must be \"reboot\" or \"stop\"");
        return true;
    }
    return fail(x, key, "unknown key (a VM takes name, kernel, initrd, append, mem, console, kaslr-seed, "
                        "no-rng-seed, max-insns, dtb-out, on-reset, weight, backup, backup-share, checkpoint, inject, "
                        "hang-timeout, repeat-limit)");
}

static bool read_vm(Ctx *x, VmConfig *v, json_object *o, unsigned i)
{
    snprintf(x->where, sizeof x->where, "vms[%u]", i);
    if (!json_object_is_type(o, json_type_object))
        return fail(x, NULL, "each VM must be a JSON object");
    vm_config_defaults(v);
    /* The name first, so that every later message can quote it. */
    json_object *name;
    if (json_object_object_get_ex(o, "name", &name)) {
        if (!vm_key(x, v, "name", name))
            return false;
        snprintf(x->where, sizeof x->where, "vm \"%s\" (vms[%u])", v->name, i);
    } else {
        snprintf(v->name, sizeof v->name, "vm%u", i);
    }
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "name") && !vm_key(x, v, key, val))
            return false;
    }
    if (!v->kernel)
        return fail(x, "kernel", "missing: every VM needs a kernel Image");
    if (!vm_mem_ok(v->mem))
        return fail(x, "mem", "RAM must be a whole number of MiB from 16M to 8G");
    return true;
}

bool vmm_config_set_swap(VmmConfig *c, const char *key, const char *text, char *err, size_t errlen)
{
    if (!strcmp(key, "compress")) {
        if (codec_parse(text, &c->compress)) {
            c->compress_set = true;
            return true;
        }
        snprintf(err, errlen, "'%s': use lzo (the default), lz4, zstd or off", text);
        return false;
    }
    if (!strcmp(key, "compress-threshold")) {
        uint64_t n;
        if (parse_count(text, &n) && n >= 64 && n < 4096) {
            c->compress_threshold = (uint32_t)n;
            return true;
        }
        snprintf(err, errlen, "'%s': bytes from 64 to 4095 (a page compressed to more stays resident)", text);
        return false;
    }
    uint64_t *w = !strcmp(key, "swap-low") ? &c->swap_low : &c->swap_high;
    if (parse_size(text, w) && *w >= 4096)
        return true;
    snprintf(err, errlen, "'%s': not a size of 4K or more (free machine memory, e.g. 8M)", text);
    return false;
}

bool vmm_config_set_share(VmmConfig *c, const char *key, const char *text, char *err, size_t errlen)
{
    uint64_t n;
    if (!strcmp(key, "share")) {
        if (share_parse(text, &c->share.mode))
            return true;
        snprintf(err, errlen, "'%s': use off (the default), vm (within each VM) or all (across VMs too)", text);
        return false;
    }
    if (!strcmp(key, "share-pages")) {
        if (parse_count(text, &n) && n >= 1 && n <= 1000000) {
            c->share.pages = (unsigned)n;
            return true;
        }
        snprintf(err, errlen, "'%s': pages per scan pass, from 1 to 1000000", text);
        return false;
    }
    if (parse_count(text, &n) && n <= 60000) {
        c->share.sleep_ms = (unsigned)n;
        c->share.sleep_set = true;
        return true;
    }
    snprintf(err, errlen, "'%s': milliseconds between scan passes, from 0 to 60000", text);
    return false;
}

#define CODE_CACHE_RULE "a size of 1M or more (use e.g. 32M), or 0 for no limit"

static bool set_code_cache_bytes(VmmConfig *c, uint64_t n)
{
    if (n != 0 && n < (1u << 20))
        return false;
    c->code_cache = n;
    c->code_cache_set = true;
    return true;
}

bool vmm_config_set_code_cache(VmmConfig *c, const char *text, char *err, size_t errlen)
{
    uint64_t n;
    if (parse_size(text, &n) && set_code_cache_bytes(c, n))
        return true;
    snprintf(err, errlen, "'%s': " CODE_CACHE_RULE, text);
    return false;
}

static bool top_key(Ctx *x, VmmConfig *c, const char *key, json_object *val)
{
    if (!strcmp(key, "share") || !strcmp(key, "share-pages") || !strcmp(key, "share-sleep")) {
        char buf[32], err[200];
        const char *text;
        if (json_object_is_type(val, json_type_string) && !strcmp(key, "share"))
            text = json_object_get_string(val);
        else if (json_object_is_type(val, json_type_int) && strcmp(key, "share") && json_object_get_int64(val) >= 0)
            snprintf(buf, sizeof buf, "%" PRId64, json_object_get_int64(val)), text = buf;
        else
            return fail(x, key, "must be a %s", strcmp(key, "share") ? "number" : "string (off, vm or all)");
        if (!vmm_config_set_share(c, key, text, err, sizeof err))
            return fail(x, key, "%s", err);
        return true;
    }
    if (!strcmp(key, "compress") || !strcmp(key, "swap-low") || !strcmp(key, "swap-high") ||
        !strcmp(key, "compress-threshold")) {
        char buf[32], err[200];
        const char *text;
        if (json_object_is_type(val, json_type_string))
            text = json_object_get_string(val);
        else if (json_object_is_type(val, json_type_int) && strcmp(key, "compress"))
            snprintf(buf, sizeof buf, "%" PRId64 "%s", json_object_get_int64(val),
                     strcmp(key, "compress-threshold") ? "K" : ""), text = buf;
        else
            return fail(x, key, "must be a %s", strcmp(key, "compress") ? "size or number" : "string");
        if (!vmm_config_set_swap(c, key, text, err, sizeof err))
            return fail(x, key, "%s", err);
        return true;
    }
    if (!strcmp(key, "machine-mem"))
        return get_size(x, key, val, &c->machine_mem);
    if (!strcmp(key, "code-cache")) {
        uint64_t n;
        return get_size(x, key, val, &n) && (set_code_cache_bytes(c, n) || fail(x, key, CODE_CACHE_RULE));
    }
    if (!strcmp(key, "control"))
        return get_string(x, key, val, &c->control);
    if (!strcmp(key, "stats"))
        return get_bool(x, key, val, &c->stats);
    if (!strcmp(key, "slice")) {
        if (!get_count(x, key, val, &c->slice))
            return false;
        return (c->slice >= 1000 && c->slice <= (1ull << 32)) ||
               fail(x, key, "a slice is from 1000 to 4294967296 instructions");
    }
    if (!strcmp(key, "vms")) {
        if (!json_object_is_type(val, json_type_array))
            return fail(x, key, "must be a list of VMs");
        size_t n = json_object_array_length(val);
        if (n == 0)
            return fail(x, key, "the list is empty: give at least one VM");
        if (n > VMM_MAX_VMS)
            return fail(x, key, "%zu VMs; at most %d", n, VMM_MAX_VMS);
        for (size_t i = 0; i < n; i++) {
            c->nvms = (unsigned)i + 1;
            if (!read_vm(x, &c->vms[i], json_object_array_get_idx(val, i), (unsigned)i))
                return false;
        }
        x->where[0] = 0;
        return true;
    }
    return fail(x, key, "unknown key (the file takes machine-mem, control, stats, slice, compress, swap-low, swap-high, compress-threshold, share, share-pages, share-sleep, code-cache, vms)");
}

/* The file's JSON, or NULL after a message that says where it went wrong. */
static json_object *read_json(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "tandem: %s: %s\n", file, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *p = cap < (16u << 20) ? realloc(text, cap = cap * 2 + 4096) : NULL;
            if (!p) {
                fprintf(stderr, "tandem: %s: too large for a config file\n", file);
                free(text);
                fclose(f);
                return NULL;
            }
            text = p;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    json_tokener *tok = json_tokener_new();
    json_object *root = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    enum json_tokener_error e = tok ? json_tokener_get_error(tok) : json_tokener_error_depth;
    size_t end = tok ? json_tokener_get_parse_end(tok) : 0;
    if (e == json_tokener_continue)
        root = json_tokener_parse_ex(tok, "", 1), e = json_tokener_get_error(tok); /* force the end */
    while (root && end < len && isspace((unsigned char)text[end]))
        end++;
    if (root && end < len)
        e = json_tokener_error_parse_unexpected; /* more after the object */
    if (!root || e != json_tokener_success) {
        unsigned line = 1;
        for (size_t i = 0; i < end && i < len; i++)
            line += text[i] == '\n';
        fprintf(stderr, "tandem: %s: line %u: not valid JSON (%s)\n", file, line,
                e == json_tokener_continue || e == json_tokener_success ? "it ends too early" : json_tokener_error_desc(e));
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    free(text);
    return root;
}

bool config_load(VmmConfig *c, const char *file)
{
    Ctx x = {.file = file};
    json_object *root = read_json(file);
    if (!root)
        return false;
    bool ok = true;
    if (!json_object_is_type(root, json_type_object))
        ok = fail(&x, NULL, "the file must hold one JSON object");
    else {
        json_object_object_foreach(root, key, val) {
            if (!(ok = top_key(&x, c, key, val)))
                break;
        }
        if (ok && c->nvms == 0)
            ok = fail(&x, "vms", "missing: the file must list its VMs");
    }
    json_object_put(root);
    c->from_file = true;
    return ok && config_check(c, file);
}

bool config_check(const VmmConfig *c, const char *where)
{
    int stdio_vm = -1;
    for (unsigned i = 0; i < c->nvms; i++) {
        const VmConfig *v = &c->vms[i];
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(c->vms[j].name, v->name)) {
                fprintf(stderr, "tandem: %s: vm \"%s\" (vms[%u]), key \"name\": the name is also vms[%u]'s\n",
                        where, v->name, i, j);
                return false;
            }
        if (v->console && !strcmp(v->console, "stdio")) {
            if (stdio_vm >= 0) {
                fprintf(stderr,
                        "tandem: %s: vm \"%s\" (vms[%u]), key \"console\": \"stdio\" is already vm \"%s\"'s; "
                        "one VM at most may use the terminal\n",
                        where, v->name, i, c->vms[stdio_vm].name);
                return false;
            }
            stdio_vm = (int)i;
        }
        if (!v->console && c->nvms > 1) {
            fprintf(stderr,
                    "tandem: %s: vm \"%s\" (vms[%u]): key \"console\" missing: with several VMs each names its "
                    "console (\"stdio\" for one of them, \"file:PATH\", \"socket:PATH\" or \"null\")\n",
                    where, v->name, i);
            return false;
        }
    }
    return true;
}

void config_free(VmmConfig *c)
{
    for (unsigned i = 0; i < c->nvms; i++) {
        VmConfig *v = &c->vms[i];
        free(v->kernel);
        free(v->initrd);
        free(v->append);
        free(v->dtb_out);
        free(v->console);
        free(v->checkpoint);
        for (unsigned j = 0; j < v->ninject; j++)
            free(v->inject[j]);
    }
    free(c->control);
    memset(c, 0, sizeof *c);
}
