/* tandem ctl: a one-shot control client, and an event stream. */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmm/unix_socket.h"

#define LINE_MAX_BYTES (16u << 20)

typedef struct Conn {
    int fd;
    char *buf;
    size_t len, cap;
} Conn;

/* The next line from the server (without \r\n), or NULL at the end. */
static char *next_line(Conn *c)
{
    for (;;) {
        char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            char *line = malloc(n + 1);
            if (!line)
                return NULL;
            memcpy(line, c->buf, n);
            line[n] = 0;
            if (n && line[n - 1] == '\r')
                line[n - 1] = 0;
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            return line;
        }
        if (c->len + 65536 > c->cap) {
            if (c->cap > LINE_MAX_BYTES)
                return NULL;
            char *p = realloc(c->buf, c->cap * 2 + 65536);
            if (!p)
                return NULL;
            c->buf = p;
            c->cap = c->cap * 2 + 65536;
        }
        ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return NULL;
        c->len += (size_t)r;
    }
}

static bool send_all(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w, n -= (size_t)w;
    }
    return true;
}

/* Send a command and return the reply with our id (events are printed if
 * `echo_events`, otherwise skipped). */
static json_object *call(Conn *c, const char *execute, json_object *args, const char *id)
{
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(execute));
    if (args)
        json_object_object_add(cmd, "arguments", json_object_get(args));
    json_object_object_add(cmd, "id", json_object_new_string(id));
    char *text = NULL;
    bool sent = asprintf(&text, "%s\n", json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN)) > 0 &&
                send_all(c->fd, text);
    free(text);
    json_object_put(cmd);
    if (!sent)
        return NULL;
    char *line;
    while ((line = next_line(c))) {
        json_object *o = json_tokener_parse(line), *rid;
        free(line);
        if (o && json_object_object_get_ex(o, "id", &rid) && json_object_is_type(rid, json_type_string) &&
            !strcmp(json_object_get_string(rid), id))
            return o;
        json_object_put(o);
    }
    return NULL;
}

static int connect_and_negotiate(Conn *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->fd = unix_connect(path);
    if (c->fd < 0) {
        fprintf(stderr, "tandem: ctl %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *greeting = next_line(c);
    json_object *g = greeting ? json_tokener_parse(greeting) : NULL;
    free(greeting);
    if (!g || !json_object_object_get_ex(g, "QMP", NULL)) {
        fprintf(stderr, "tandem: ctl %s: no QMP greeting from the other end\n", path);
        json_object_put(g);
        return 1;
    }
    json_object_put(g);
    json_object *r = call(c, "qmp_capabilities", NULL, "ctl-capabilities");
    bool ok = r && json_object_object_get_ex(r, "return", NULL);
    json_object_put(r);
    if (!ok) {
        fprintf(stderr, "tandem: ctl %s: capabilities negotiation failed\n", path);
        return 1;
    }
    return 0;
}

static int stream_events(Conn *c)
{
    char *line;
    while ((line = next_line(c))) {
        json_object *o = json_tokener_parse(line);
        if (o && json_object_object_get_ex(o, "event", NULL)) {
            printf("%s\n", line);
            fflush(stdout);
        }
        json_object_put(o);
        free(line);
    }
    return 0;
}

int cmd_ctl(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || (argc == 4 && !strcmp(argv[2], "--events"))) {
        fprintf(stderr, "usage: tandem ctl SOCKET COMMAND ['{json arguments}']\n"
                        "       tandem ctl SOCKET --events\n"
                        "commands: query-vms, query-stats, query-status, stop, cont, quit, query-version,\n"
                        "query-commands; e.g. tandem ctl /tmp/t.sock stop '{\"vm\": \"alpha\"}'\n");
        return 1;
    }
    json_object *args = NULL;
    if (argc == 4) {
        args = json_tokener_parse(argv[3]);
        if (!args || !json_object_is_type(args, json_type_object)) {
            fprintf(stderr, "tandem: ctl: arguments '%s': not a JSON object\n", argv[3]);
            json_object_put(args);
            return 1;
        }
    }
    Conn c;
    int status = connect_and_negotiate(&c, argv[1]);
    if (status == 0 && !strcmp(argv[2], "--events")) {
        status = stream_events(&c);
    } else if (status == 0) {
        json_object *r = call(&c, argv[2], args, "ctl-1");
        if (!r) {
            fprintf(stderr, "tandem: ctl %s: the connection closed before a reply\n", argv[1]);
            status = 1;
        } else {
            printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object *err, *desc;
            if (json_object_object_get_ex(r, "error", &err)) {
                status = 1;
                if (json_object_object_get_ex(err, "desc", &desc))
                    fprintf(stderr, "tandem: ctl: %s\n", json_object_get_string(desc));
            }
            json_object_put(r);
        }
    }
    json_object_put(args);
    if (c.fd >= 0)
        close(c.fd);
    free(c.buf);
    return status;
}
