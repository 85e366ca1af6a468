#!/usr/bin/env python3
"""A small client for Tandem's control socket (QMP conventions).

    c = Qmp(path)            # connects, reads the greeting (c.greeting)
    c.negotiate()            # {"execute": "qmp_capabilities"}
    c.cmd("query-vms")       # the "return" value, or raises QmpError
    c.execute("stop", {"vm": "alpha"}, id=7)   # the whole reply object
    c.wait_state("alpha", "paused")            # the state-change event

Events that arrive while waiting for a reply are kept in c.events.

As a script: qmp.py SOCKET COMMAND ['{json arguments}'] prints the reply.
"""
import json
import socket
import sys
import time

# The event a VM state change produces, and where its data names the VM and
# the new state. Set STATE_EVENT to None to accept any event name.
STATE_EVENT = "VM_STATE_CHANGE"
VM_KEYS = ("vm", "name")
STATE_KEYS = ("state", "status")


class QmpError(Exception):
    def __init__(self, reply):
        self.reply = reply
        err = reply.get("error", {}) if isinstance(reply, dict) else {}
        super().__init__("%s: %s" % (err.get("class"), err.get("desc")))


class Closed(Exception):
    """The server closed the connection."""


class Timeout(Exception):
    pass


def event_vm(ev):
    data = ev.get("data") or {}
    for k in VM_KEYS:
        if isinstance(data.get(k), str):
            return data[k]
    return None


def event_state(ev):
    data = ev.get("data") or {}
    for k in STATE_KEYS:
        if isinstance(data.get(k), str):
            return data[k]
    return None


def is_state_event(ev, vm=None, state=None):
    if not isinstance(ev, dict) or "event" not in ev:
        return False
    if STATE_EVENT is not None and ev["event"] != STATE_EVENT:
        return False
    if vm is not None and event_vm(ev) != vm:
        return False
    if state is not None and event_state(ev) != state:
        return False
    return True


class Qmp:
    def __init__(self, path, timeout=5.0, greeting=True):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.next_id = 1
        self.greeting = self.recv() if greeting else None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def recv_line(self, timeout=None):
        """One line from the server (without the newline); Closed at EOF."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no complete line from the server within %.1f s (have %r)"
                              % (self.timeout if timeout is None else timeout, self.buf[:200]))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("the server closed the connection (pending %r)" % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self, timeout=None):
        """The next message from the server, parsed."""
        line = self.recv_line(timeout)
        try:
            return json.loads(line.decode())
        except ValueError:
            raise ValueError("the server sent a line that is not JSON: %r" % line[:200])

    def reply(self, id=None, timeout=None):
        """The next reply (return or error), keeping events aside; with an id,
        the reply carrying that id."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self.recv(max(0.0, deadline - time.monotonic()))
            if isinstance(msg, dict) and "event" in msg and "return" not in msg and "error" not in msg:
                self.events.append(msg)
                continue
            if id is not None and isinstance(msg, dict) and msg.get("id") != id:
                raise ValueError("reply with id %r while waiting for id %r: %r" % (msg.get("id"), id, msg))
            return msg

    def execute(self, command, arguments=None, id=None, timeout=None):
        """Sends a command and returns the whole reply object."""
        if id is None:
            id = self.next_id
            self.next_id += 1
        req = {"execute": command, "id": id}
        if arguments is not None:
            req["arguments"] = arguments
        self.send(req)
        return self.reply(id, timeout)

    def cmd(self, command, arguments=None, timeout=None):
        """The command's return value; QmpError for an error reply."""
        r = self.execute(command, arguments, timeout=timeout)
        if not isinstance(r, dict) or "return" not in r:
            raise QmpError(r)
        return r["return"]

    def negotiate(self):
        return self.cmd("qmp_capabilities")

    def wait_event(self, pred, timeout=5.0, what="event"):
        """The first event (kept or arriving) that satisfies pred; it is removed
        from self.events."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if pred(ev):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %s within %.1f s (events seen: %s)"
                              % (what, timeout, json.dumps(self.events)[:400]))
            try:
                msg = self.recv(left)
            except Timeout:
                continue
            self.events.append(msg)

    def wait_state(self, vm, state, timeout=5.0):
        return self.wait_event(lambda ev: is_state_event(ev, vm, state), timeout,
                               "%s event for %s becoming %s" % (STATE_EVENT or "state", vm, state))

    # Convenience queries.
    def vms(self):
        return {v["name"]: v for v in self.cmd("query-vms")}

    def stats(self):
        s = self.cmd("query-stats")
        return s, {v["name"]: v for v in s["vms"]}

    def instructions(self, vm):
        return self.stats()[1][vm]["instructions"]


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: qmp.py SOCKET COMMAND ['{json arguments}']")
    with Qmp(argv[1]) as c:
        c.negotiate()
        args = json.loads(argv[3]) if len(argv) > 3 else None
        print(json.dumps(c.execute(argv[2], args)))


if __name__ == "__main__":
    main(sys.argv)
