#include "vmm/control.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "vmm/stats.h"
#include "vmm/unix_socket.h"
#include "vmm/vmm.h"

#define MAX_QUEUED_OUTPUT (8u << 20) /* a client that reads nothing is dropped past this */

typedef struct Client {
    int fd;
    bool negotiated;
    bool dead;
    json_tokener *tok;
    size_t pending; /* bytes of the command being received */
    char *out;      /* replies and events the socket did not take yet */
    size_t out_len, out_cap;
} Client;

struct Control {
    Vmm *vmm;
    int listen_fd;
    char path[256];
    Client *clients[CONTROL_MAX_CLIENTS];
    unsigned nclients;
};

Control *control_open(Vmm *v, const char *path)
{
    Control *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->vmm = v;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->listen_fd = unix_listen(path);
    if (c->listen_fd < 0) {
        fprintf(stderr, "tandem: control %s: %s\n", path,
                errno == EEXIST ? "the path exists and is not a socket" : strerror(errno));
        free(c);
        return NULL;
    }
    return c;
}

static void drop(Control *c, unsigned i)
{
    Client *k = c->clients[i];
    close(k->fd);
    json_tokener_free(k->tok);
    free(k->out);
    free(k);
    c->clients[i] = c->clients[--c->nclients];
}

void control_close(Control *c)
{
    while (c->nclients)
        drop(c, c->nclients - 1);
    close(c->listen_fd);
    unlink(c->path);
    free(c);
}

/* ---- output ---- */

static void flush_out(Client *k)
{
    while (k->out_len && !k->dead) {
        ssize_t w = send(k->fd, k->out, k->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (w <= 0) {
            k->dead = true;
            return;
        }
        memmove(k->out, k->out + w, k->out_len - (size_t)w);
        k->out_len -= (size_t)w;
    }
}

static void send_line(Client *k, const char *text)
{
    size_t n = strlen(text);
    if (k->dead)
        return;
    if (k->out_len + n + 2 > MAX_QUEUED_OUTPUT) {
        k->dead = true;
        return;
    }
    if (k->out_len + n + 2 > k->out_cap) {
        size_t cap = (k->out_len + n + 2) * 2;
        char *p = realloc(k->out, cap);
        if (!p) {
            k->dead = true;
            return;
        }
        k->out = p;
        k->out_cap = cap;
    }
    memcpy(k->out + k->out_len, text, n);
    memcpy(k->out + k->out_len + n, "\r\n", 2);
    k->out_len += n + 2;
    flush_out(k);
}

static void send_json(Client *k, json_object *o)
{
    send_line(k, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static void reply(Client *k, json_object *ret, json_object *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "return", ret ? ret : json_object_new_object());
    if (id)
        json_object_object_add(o, "id", json_object_get(id));
    send_json(k, o);
}

static void reply_error(Client *k, json_object *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reply_error(Client *k, json_object *id, const char *fmt, ...)
{
    char desc[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    json_object *e = json_object_new_object(), *o = json_object_new_object();
    json_object_object_add(e, "class", json_object_new_string("GenericError"));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(o, "error", e);
    if (id)
        json_object_object_add(o, "id", json_object_get(id));
    send_json(k, o);
}

static json_object *version_json(void)
{
    json_object *v = json_object_new_object(), *t = json_object_new_object();
    json_object_object_add(t, "major", json_object_new_int(TANDEM_VERSION_MAJOR));
    json_object_object_add(t, "minor", json_object_new_int(TANDEM_VERSION_MINOR));
    json_object_object_add(t, "micro", json_object_new_int(TANDEM_VERSION_MICRO));
    json_object_object_add(v, "tandem", t);
    json_object_object_add(v, "package", json_object_new_string("tandem " TANDEM_VERSION));
    return v;
}

void control_event(Control *c, const char *name, json_object *data)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    json_object *o = json_object_new_object(), *ts = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string(name));
    json_object_object_add(o, "data", data);
    json_object_object_add(ts, "seconds", json_object_new_int64(tv.tv_sec));
    json_object_object_add(ts, "microseconds", json_object_new_int64(tv.tv_usec));
    json_object_object_add(o, "timestamp", ts);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    for (unsigned i = 0; i < c->nclients; i++)
        if (c->clients[i]->negotiated)
            send_line(c->clients[i], text);
    json_object_put(o);
}

/* ---- commands ---- */

/* A command's work: fills *ret, or returns false with a message in err. */
typedef bool (*CommandFn)(Control *c, json_object *args, json_object **ret, char *err, size_t errlen);

typedef struct Command {
    const char *name;
    CommandFn fn;
    const char *args; /* accepted argument names, comma separated */
} Command;

/* The VMs a command applies to: the one named by "vm", or all. */
static bool select_vms(Control *c, json_object *args, Vm **list, unsigned *n, char *err, size_t errlen)
{
    json_object *name;
    *n = 0;
    if (args && json_object_object_get_ex(args, "vm", &name)) {
        if (!json_object_is_type(name, json_type_string)) {
            snprintf(err, errlen, "argument 'vm' must be a VM name (a string)");
            return false;
        }
        Vm *vm = vmm_find(c->vmm, json_object_get_string(name));
        if (!vm) {
            snprintf(err, errlen, "no VM named '%s'", json_object_get_string(name));
            return false;
        }
        list[(*n)++] = vm;
        return true;
    }
    for (unsigned i = 0; i < c->vmm->nvms; i++)
        list[(*n)++] = &c->vmm->vms[i];
    return true;
}

static bool cmd_query_vms(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    *ret = json_object_new_array();
    for (unsigned i = 0; i < c->vmm->nvms; i++)
        json_object_array_add(*ret, stats_vm_summary_json(&c->vmm->vms[i]));
    return true;
}

static bool cmd_query_stats(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *list[VMM_MAX_VMS];
    unsigned n;
    if (!select_vms(c, args, list, &n, err, errlen))
        return false;
    *ret = stats_vmm_json(c->vmm);
    if (n == 1 && c->vmm->nvms > 1) { /* only the VM asked for */
        json_object *all = json_object_object_get(*ret, "vms"), *one = json_object_new_array();
        json_object_array_add(one, json_object_get(json_object_array_get_idx(all, (size_t)(list[0] - c->vmm->vms))));
        json_object_object_add(*ret, "vms", one);
    }
    return true;
}

static bool cmd_query_status(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *list[VMM_MAX_VMS];
    unsigned n;
    if (!select_vms(c, args, list, &n, err, errlen))
        return false;
    bool running = false;
    for (unsigned i = 0; i < n; i++)
        running |= list[i]->state == VM_RUNNING;
    *ret = json_object_new_object();
    json_object_object_add(*ret, "running", json_object_new_boolean(running));
    json_object_object_add(*ret, "status", json_object_new_string(n == 1 ? vm_state_name(list[0]->state)
                                                                         : running ? "running" : "paused"));
    return true;
}

/* stop / cont: the VMs named (or all); a named VM that cannot is an error. */
static bool set_running(Control *c, json_object *args, bool run, char *err, size_t errlen)
{
    Vm *list[VMM_MAX_VMS];
    unsigned n;
    if (!select_vms(c, args, list, &n, err, errlen))
        return false;
    bool named = n == 1 && args && json_object_object_get_ex(args, "vm", NULL);
    for (unsigned i = 0; i < n; i++) {
        bool ok = run ? vm_resume(list[i]) : vm_pause(list[i], "stopped by the control socket");
        if (!ok && named) {
            snprintf(err, errlen, "VM '%s' is %s and cannot %s", list[i]->cfg.name, vm_state_name(list[i]->state),
                     run ? "run again" : "be stopped");
            return false;
        }
    }
    return true;
}

static bool cmd_stop(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    return set_running(c, args, false, err, errlen);
}

static bool cmd_cont(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    return set_running(c, args, true, err, errlen);
}

/* The one VM a command names ("vm"; may be left out when there is one VM). */
static Vm *one_vm(Control *c, json_object *args, char *err, size_t errlen)
{
    Vm *list[VMM_MAX_VMS];
    unsigned n;
    if (!select_vms(c, args, list, &n, err, errlen))
        return NULL;
    if (n != 1) {
        snprintf(err, errlen, "name the VM: {\"vm\": NAME}");
        return NULL;
    }
    return list[0];
}

static bool cmd_checkpoint(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *vm = one_vm(c, args, err, errlen);
    return vm && vm_checkpoint_now(vm, err, errlen);
}

static bool cmd_failover(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *vm = one_vm(c, args, err, errlen);
    return vm && vm_force_failover(vm, err, errlen);
}

static bool cmd_query_ft(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *vm = one_vm(c, args, err, errlen);
    if (vm)
        *ret = stats_ft_json(vm);
    return vm != NULL;
}

static bool cmd_query_swap(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    if (args && json_object_object_get_ex(args, "vm", NULL)) {
        Vm *vm = one_vm(c, args, err, errlen);
        if (!vm)
            return false;
        if (!(*ret = stats_swap_vm_json(vm))) {
            snprintf(err, errlen, "VM '%s' has no compressed swap (compress is off, or the VM is %s)", vm->cfg.name,
                     vm_state_name(vm->state));
            return false;
        }
        return true;
    }
    *ret = stats_swap_machine_json(c->vmm, true);
    return true;
}

static bool cmd_inject_fault(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    Vm *vm = one_vm(c, args, err, errlen);
    json_object *kind;
    if (!vm)
        return false;
    if (!json_object_object_get_ex(args, "kind", &kind) || !json_object_is_type(kind, json_type_string)) {
        snprintf(err, errlen, "give the kind: {\"vm\": NAME, \"kind\": \"crash\"} (crash, hang, bitflip[:N], kernel-text)");
        return false;
    }
    return vm_inject(vm, json_object_get_string(kind), err, errlen);
}

static bool cmd_quit(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    vmm_quit(c->vmm);
    return true;
}

static bool cmd_query_version(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    *ret = version_json();
    return true;
}

static bool cmd_query_commands(Control *c, json_object *args, json_object **ret, char *err, size_t errlen);

static const Command commands[] = {
    {"query-vms", cmd_query_vms, ""},
    {"query-stats", cmd_query_stats, "vm"},
    {"query-status", cmd_query_status, "vm"},
    {"stop", cmd_stop, "vm"},
    {"cont", cmd_cont, "vm"},
    {"quit", cmd_quit, ""},
    {"checkpoint", cmd_checkpoint, "vm"},
    {"failover", cmd_failover, "vm"},
    {"query-ft", cmd_query_ft, "vm"},
    {"inject-fault", cmd_inject_fault, "vm,kind"},
    {"query-swap", cmd_query_swap, "vm"},
    {"query-version", cmd_query_version, ""},
    {"query-commands", cmd_query_commands, ""},
};

static bool cmd_query_commands(Control *c, json_object *args, json_object **ret, char *err, size_t errlen)
{
    *ret = json_object_new_array();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(commands[i].name));
        json_object_array_add(*ret, o);
    }
    return true;
}

/* Every argument given must be one the command takes. */
static bool check_args(const Command *cmd, json_object *args, char *err, size_t errlen)
{
    if (!args)
        return true;
    json_object_object_foreach(args, key, val) {
        (void)val;
        size_t len = strlen(key);
        const char *p = cmd->args;
        bool found = false;
        while (*p && !found) {
            size_t l = strcspn(p, ",");
            found = l == len && !strncmp(p, key, l);
            p += l + (p[l] == ',');
        }
        if (!found) {
            snprintf(err, errlen, "'%s' takes no argument '%s'", cmd->name, key);
            return false;
        }
    }
    return true;
}

static void execute(Control *c, Client *k, json_object *msg)
{
    json_object *id = NULL, *ex, *args = NULL;
    if (!json_object_is_type(msg, json_type_object)) {
        reply_error(k, NULL, "a command is a JSON object: {\"execute\": NAME, \"arguments\": {...}}");
        return;
    }
    json_object_object_get_ex(msg, "id", &id);
    if (!json_object_object_get_ex(msg, "execute", &ex) || !json_object_is_type(ex, json_type_string)) {
        reply_error(k, id, "the object has no \"execute\" string naming a command");
        return;
    }
    if (json_object_object_get_ex(msg, "arguments", &args) && !json_object_is_type(args, json_type_object)) {
        reply_error(k, id, "\"arguments\" must be a JSON object");
        return;
    }
    const char *name = json_object_get_string(ex);
    if (!strcmp(name, "qmp_capabilities")) {
        if (k->negotiated)
            reply_error(k, id, "capabilities negotiation is already complete");
        else {
            k->negotiated = true;
            reply(k, NULL, id);
        }
        return;
    }
    if (!k->negotiated) {
        reply_error(k, id, "expecting capabilities negotiation with 'qmp_capabilities' first");
        return;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name))
            continue;
        char err[300] = "";
        json_object *ret = NULL;
        if (check_args(&commands[i], args, err, sizeof err) && commands[i].fn(c, args, &ret, err, sizeof err))
            reply(k, ret, id);
        else {
            json_object_put(ret);
            reply_error(k, id, "%s", err);
        }
        return;
    }
    reply_error(k, id, "the command %s has not been found", name);
}

/* ---- input ---- */

static void accept_client(Control *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    Client *k = c->nclients < CONTROL_MAX_CLIENTS ? calloc(1, sizeof *k) : NULL;
    if (k)
        k->tok = json_tokener_new();
    if (!k || !k->tok) {
        static const char full[] = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"too many control clients\"}}\r\n";
        ssize_t w = send(fd, full, sizeof full - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
        close(fd);
        free(k);
        return;
    }
    k->fd = fd;
    c->clients[c->nclients++] = k;
    json_object *g = json_object_new_object(), *q = json_object_new_object();
    json_object_object_add(q, "version", version_json());
    json_object_object_add(q, "capabilities", json_object_new_array());
    json_object_object_add(g, "QMP", q);
    send_json(k, g);
}

/* Parse as many whole commands as buf holds; keep a partial one in the tokener. */
static void consume(Control *c, Client *k, const char *buf, size_t n)
{
    size_t off = 0;
    while (off < n && !k->dead) {
        if (k->pending == 0 && isspace((unsigned char)buf[off])) {
            off++;
            continue;
        }
        json_object *obj = json_tokener_parse_ex(k->tok, buf + off, (int)(n - off));
        enum json_tokener_error e = json_tokener_get_error(k->tok);
        if (e == json_tokener_continue) {
            k->pending += n - off;
            if (k->pending > CONTROL_MAX_COMMAND) {
                reply_error(k, NULL, "a command longer than %u bytes; closing the connection", CONTROL_MAX_COMMAND);
                flush_out(k);
                k->dead = true;
            }
            return;
        }
        size_t used = json_tokener_get_parse_end(k->tok);
        json_tokener_reset(k->tok);
        k->pending = 0;
        if (e != json_tokener_success) {
            reply_error(k, NULL, "malformed JSON: %s", json_tokener_error_desc(e));
            const char *nl = memchr(buf + off, '\n', n - off); /* resynchronise at the next line */
            off = nl ? (size_t)(nl - buf) + 1 : n;
            continue;
        }
        off += used ? used : 1;
        execute(c, k, obj);
        json_object_put(obj);
    }
}

static void read_client(Control *c, Client *k)
{
    char buf[65536];
    ssize_t n = recv(k->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        k->dead = true;
        return;
    }
    if (n > 0)
        consume(c, k, buf, (size_t)n);
}

unsigned control_pollfds(Control *c, struct pollfd *fds, unsigned max)
{
    unsigned n = 0;
    if (max)
        fds[n++] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
    for (unsigned i = 0; i < c->nclients && n < max; i++)
        fds[n++] = (struct pollfd){.fd = c->clients[i]->fd,
                                   .events = (short)(POLLIN | (c->clients[i]->out_len ? POLLOUT : 0))};
    return n;
}

void control_handle(Control *c, const struct pollfd *fds, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        for (unsigned j = 0; j < c->nclients; j++) {
            Client *k = c->clients[j];
            if (k->fd != fds[i].fd || !fds[i].revents)
                continue;
            if (fds[i].revents & POLLOUT)
                flush_out(k);
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
                read_client(c, k);
        }
    }
    for (unsigned j = c->nclients; j-- > 0;)
        if (c->clients[j]->dead)
            drop(c, j);
    if (n && (fds[0].revents & POLLIN))
        accept_client(c);
}
