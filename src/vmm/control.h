/* The control socket: QEMU's QMP conventions over a Unix socket.
 *
 * A client is greeted with {"QMP": {"version": …, "capabilities": []}},
 * must send {"execute": "qmp_capabilities"} first, then sends
 * {"execute": C, "arguments": {…}, "id": X} and gets {"return": …, "id": X}
 * or {"error": {"class": "GenericError", "desc": …}, "id": X}. Events are
 * {"event": E, "data": {…}, "timestamp": {"seconds": s, "microseconds": u}}.
 * Several clients may be connected; a client that misbehaves (malformed
 * JSON, a command over 1 MiB, vanishing mid-command) gets an error or is
 * dropped, and nothing else is affected. */
#ifndef TANDEM_CONTROL_H
#define TANDEM_CONTROL_H

#include <poll.h>
#include <stdbool.h>

struct Vmm;
struct json_object;

#define CONTROL_MAX_CLIENTS 32
#define CONTROL_MAX_COMMAND (1u << 20)

typedef struct Control Control;

/* Listen at path; prints the reason and returns NULL on failure. */
Control *control_open(struct Vmm *v, const char *path);
void control_close(Control *c);

unsigned control_pollfds(Control *c, struct pollfd *fds, unsigned max);
void control_handle(Control *c, const struct pollfd *fds, unsigned n);
/* Send an event to every client past negotiation; takes `data`. */
void control_event(Control *c, const char *name, struct json_object *data);

#endif
