#!/usr/bin/env python3
"""The control socket (QMP conventions) and `tandem ctl`, on tiny guests that
spin: the greeting, capability negotiation, every command, events, bad input
of every kind, several clients, and quit.

usage: test_control.py --tandem BIN --work DIR [--only NAME,...]
"""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmp  # noqa: E402
import tiny  # noqa: E402
from harness import Fail, Tandem, check, run_tests, main_args, sanitizer_report, tail, wait_until  # noqa: E402

MiB = 1 << 20
O = main_args(sys.argv)
T, W = O["tandem"], O["work"]
LOOP = os.path.join(W, "ctl-loop.img")
SHORT = os.path.join(W, "ctl-short.img")
tiny.main(["tiny.py", LOOP, "--end", "loop"])
tiny.main(["tiny.py", SHORT, "--spin", "150000000", "--end", "off"])  # ~300M instructions, then off


def vm(name, kernel=LOOP, mem="32M", **kw):
    d = {"name": name, "kernel": kernel, "mem": mem, "console": "null"}
    d.update(kw)
    return d


def start(name, vms=None, **top):
    """Tandem with alpha (64M) and beta (32M) spinning, and a control socket."""
    sock = os.path.join(W, name + ".sock")
    cfg = {"control": sock, "vms": vms or [vm("alpha", mem="64M"), vm("beta")]}
    cfg.update(top)
    t = Tandem(T, W, name, cfg)
    c = t.control(sock)
    return t, c, sock


def healthy(t, sock, vms=("alpha", "beta")):
    """The process lives, a new client works, and every VM still runs."""
    t.died()
    with qmp.Qmp(sock) as c:
        c.negotiate()
        before = {n: c.instructions(n) for n in vms}
        time.sleep(0.1)
        s = c.stats()[1]
        for n in vms:
            check(s[n]["state"] == "running", "%s is %s after the bad client" % (n, s[n]["state"]))
            check(s[n]["instructions"] > before[n], "%s stopped executing after the bad client" % n)


def error_reply(r, id=None):
    """Checks r is a well-formed error reply; returns its desc."""
    check(isinstance(r, dict) and isinstance(r.get("error"), dict), "expected an error reply, got %r" % (r,))
    e = r["error"]
    check(isinstance(e.get("class"), str) and e["class"], "error without a class: %r" % (r,))
    check(isinstance(e.get("desc"), str) and e["desc"], "error without a desc: %r" % (r,))
    if id is not None:
        check(r.get("id") == id, "error reply with id %r, sent %r" % (r.get("id"), id))
    return e["desc"]


def error_or_drop(c, what, allow_return=False):
    """After bad input: an error reply, or the server closes the connection.
    With allow_return, the valid command the input starts with may be answered
    first."""
    try:
        r = c.reply(timeout=3)
        if allow_return and isinstance(r, dict) and "return" in r:
            r = c.reply(timeout=3)
    except qmp.Closed:
        return "dropped"
    except qmp.Timeout:
        raise Fail("%s: no error reply within 3 s and the connection is still open" % what)
    try:
        error_reply(r)
    except Fail as e:
        raise Fail("%s: %s" % (what, e))
    return "error"


# --- the protocol ------------------------------------------------------------------------------

def t_greeting():
    sock = os.path.join(W, "greet.sock")
    t = Tandem(T, W, "greet", {"control": sock, "vms": [vm("alpha")]})
    t.wait_path(sock)
    s = wait_until(lambda: _try_connect(sock), 5, "a connection to the control socket")
    buf = b""
    s.settimeout(5)
    while b"\n" not in buf:
        chunk = s.recv(4096)
        check(chunk, "the server closed the connection without a greeting (%r)" % buf)
        buf += chunk
    line = buf.split(b"\n", 1)[0]
    g = json.loads(line)
    check(isinstance(g, dict) and list(g) == ["QMP"], "greeting is not {\"QMP\": ...}: %s" % line[:200])
    q = g["QMP"]
    check(isinstance(q.get("version"), dict), "greeting has no version object: %s" % line[:200])
    check(isinstance(q.get("capabilities"), list), "greeting has no capabilities list: %s" % line[:200])
    return line.decode()[:120]


def _try_connect(path):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        return s
    except OSError:
        return None


def t_before_capabilities():
    sock = os.path.join(W, "early.sock")
    t = Tandem(T, W, "early", {"control": sock, "vms": [vm("alpha")]})
    c = t.control(sock, negotiate=False)
    desc = error_reply(c.execute("query-vms", id="early-1"), "early-1")
    error_reply(c.execute("stop", id="early-2"), "early-2")
    r = c.execute("qmp_capabilities", id="caps")
    check(r.get("return") == {} and r.get("id") == "caps", "qmp_capabilities replied %r" % (r,))
    check(c.cmd("query-stats")["vms"][0]["state"] == "running",
          "a command before qmp_capabilities changed the VM's state")
    return "desc: " + desc[:60]


def t_ids():
    t, c, sock = start("ids")
    for id in ("str-id", 17, {"nested": [1, "x"]}):
        r = c.execute("query-vms", id=id)
        check(r.get("id") == id and "return" in r, "sent id %r, reply %r" % (id, r))
    r = c.execute("nonexistent-command", id=[3])
    check(r.get("id") == [3], "error reply lost the id: %r" % (r,))


def t_command_in_pieces():
    """A command that arrives in several writes (and lines) is one command."""
    t, c, sock = start("pieces")
    for piece in (b'{"execute": "query-', b'vms",\n', b' "id": "p1"', b"}\n"):
        c.send_raw(piece)
        time.sleep(0.05)
    r = c.reply("p1")
    check(isinstance(r.get("return"), list), "reply %r" % (r,))
    c.send_raw(b'{"execute": "query-vms", "id": 1}\n{"execute": "query-stats", "id": 2}\n')
    check(isinstance(c.reply(1).get("return"), list), "the first of two commands in one write")
    check(isinstance(c.reply(2).get("return"), dict), "the second of two commands in one write")


def t_unknown_command():
    t, c, sock = start("unk")
    desc = error_reply(c.execute("frobnicate", id=5), 5)
    check(isinstance(c.cmd("query-vms"), list), "the connection stopped working after an unknown command")
    healthy(t, sock)
    return "desc: " + desc[:60]


def t_query_vms():
    t, c, sock = start("qvms")
    v = c.cmd("query-vms")
    check(isinstance(v, list) and len(v) == 2, "query-vms returned %r" % (v,))
    by = {x.get("name"): x for x in v}
    check(set(by) == {"alpha", "beta"}, "VM names %r" % list(by))
    check(by["alpha"].get("state") == "running" and by["beta"].get("state") == "running",
          "states %r" % [(x.get("name"), x.get("state")) for x in v])
    check(by["alpha"].get("mem-bytes") == 64 * MiB and by["beta"].get("mem-bytes") == 32 * MiB,
          "mem-bytes %r %r (want 64M, 32M)" % (by["alpha"].get("mem-bytes"), by["beta"].get("mem-bytes")))


def t_query_stats():
    t, c, sock = start("qstats", **{"machine-mem": "80M"})
    s1 = c.cmd("query-stats")
    m = s1.get("machine")
    check(isinstance(m, dict), "no machine object: %r" % (s1,))
    check(m.get("total-bytes") == 80 * MiB, "machine total-bytes %r, machine-mem is 80M" % m.get("total-bytes"))
    check(isinstance(m.get("used-bytes"), int) and 0 < m["used-bytes"] <= m["total-bytes"],
          "machine used-bytes %r (total %r)" % (m.get("used-bytes"), m.get("total-bytes")))
    vms = {v.get("name"): v for v in s1.get("vms", [])}
    check(set(vms) == {"alpha", "beta"}, "stats for VMs %r" % list(vms))
    for n, mem in (("alpha", 64 * MiB), ("beta", 32 * MiB)):
        v = vms[n]
        check(v.get("state") == "running", "%s state %r" % (n, v.get("state")))
        check(isinstance(v.get("instructions"), int) and v["instructions"] > 0,
              "%s instructions %r" % (n, v.get("instructions")))
        mm = v.get("memory")
        check(isinstance(mm, dict) and mm.get("guest-bytes") == mem,
              "%s memory %r (guest-bytes should be %d)" % (n, mm, mem))
        check(isinstance(mm.get("resident-bytes"), int) and 0 < mm["resident-bytes"] <= mem,
              "%s resident-bytes %r" % (n, mm.get("resident-bytes")))
        check(isinstance(v.get("cpu"), dict), "%s has no cpu object" % n)
        check(isinstance(v.get("shadow"), dict), "%s has no shadow object" % n)
    res = sum(v["memory"]["resident-bytes"] for v in vms.values())
    check(m["used-bytes"] >= res, "machine used-bytes %d < the VMs' resident bytes %d" % (m["used-bytes"], res))
    time.sleep(0.2)
    s2 = {v["name"]: v for v in c.cmd("query-stats")["vms"]}
    for n in vms:
        check(s2[n]["instructions"] > vms[n]["instructions"], "%s instructions did not advance" % n)
    return "alpha %d instructions" % s2["alpha"]["instructions"]


def frozen(c, n, secs=0.3):
    a = c.instructions(n)
    time.sleep(secs)
    return a, c.instructions(n)


def t_stop_cont_one():
    t, c, sock = start("stop1")
    r = c.execute("stop", {"vm": "alpha"})
    check("return" in r, "stop alpha: %r" % (r,))
    c.wait_state("alpha", "paused")
    v = c.vms()
    check(v["alpha"]["state"] == "paused", "alpha is %s after stop" % v["alpha"]["state"])
    check(v["beta"]["state"] == "running", "beta is %s after stop of alpha" % v["beta"]["state"])
    a0, a1 = frozen(c, "alpha")
    check(a0 == a1, "alpha executed %d instructions while paused" % (a1 - a0))
    b0, b1 = frozen(c, "beta", 0.1)
    check(b1 > b0, "beta did not execute while alpha was paused")
    r = c.execute("cont", {"vm": "alpha"})
    check("return" in r, "cont alpha: %r" % (r,))
    c.wait_state("alpha", "running")
    check(c.vms()["alpha"]["state"] == "running", "alpha not running after cont")
    a2, a3 = frozen(c, "alpha", 0.1)
    check(a3 > a2 > a1 - 1, "alpha did not execute after cont (%d, %d)" % (a2, a3))
    return "alpha frozen at %d" % a0


def t_stop_cont_all():
    t, c, sock = start("stopall")
    check("return" in c.execute("stop"), "stop (all) failed")
    for n in ("alpha", "beta"):
        c.wait_state(n, "paused")
    v = c.vms()
    check(all(x["state"] == "paused" for x in v.values()), "states after stop: %r" %
          {n: x["state"] for n, x in v.items()})
    for n in ("alpha", "beta"):
        a0, a1 = frozen(c, n, 0.15)
        check(a0 == a1, "%s executed %d instructions while paused" % (n, a1 - a0))
    check("return" in c.execute("cont"), "cont (all) failed")
    for n in ("alpha", "beta"):
        c.wait_state(n, "running")
    v = c.vms()
    check(all(x["state"] == "running" for x in v.values()), "states after cont: %r" %
          {n: x["state"] for n, x in v.items()})


def t_unknown_vm():
    t, c, sock = start("unkvm")
    for cmd, args in (("stop", {"vm": "nope"}), ("cont", {"vm": "nope"}), ("stop", {"vm": 5}),
                      ("stop", {"frob": 1}), ("query-vms", [1])):
        r = c.execute(cmd, args, id="x")
        try:
            error_reply(r, "x")
        except Fail as e:
            raise Fail("%s %s: %s" % (cmd, json.dumps(args), e))
    v = c.vms()
    check(all(x["state"] == "running" for x in v.values()), "states changed: %r" %
          {n: x["state"] for n, x in v.items()})


def t_event_format():
    t, c, sock = start("evfmt")
    c.cmd("stop", {"vm": "beta"})
    ev = c.wait_state("beta", "paused")
    check(isinstance(ev.get("event"), str), "event name %r" % ev.get("event"))
    check(isinstance(ev.get("data"), dict), "event data %r" % ev.get("data"))
    ts = ev.get("timestamp")
    check(isinstance(ts, dict) and isinstance(ts.get("seconds"), int) and isinstance(ts.get("microseconds"), int),
          "timestamp %r" % (ts,))
    check(0 <= ts["microseconds"] < 1000000, "microseconds %r" % ts["microseconds"])
    check(abs(ts["seconds"] + ts["microseconds"] / 1e6 - time.time()) < 30, "timestamp %r is not now" % (ts,))
    return json.dumps(ev)[:150]


def t_two_clients():
    t, a, sock = start("two")
    b = qmp.Qmp(sock)
    b.negotiate()
    a.send({"execute": "query-vms", "id": "a1"})
    b.send({"execute": "query-stats", "id": "b1"})
    rb = b.reply("b1")
    ra = a.reply("a1")
    check(isinstance(ra.get("return"), list), "client a got %r" % (ra,))
    check(isinstance(rb.get("return"), dict) and "vms" in rb["return"], "client b got %r" % (rb,))
    a.cmd("stop", {"vm": "beta"})
    a.wait_state("beta", "paused")
    b.wait_state("beta", "paused")
    b.cmd("cont", {"vm": "beta"})
    a.wait_state("beta", "running")
    b.wait_state("beta", "running")
    b.close()
    check(a.vms()["beta"]["state"] == "running", "beta not running")
    healthy(t, sock)


def t_malformed_json():
    t, c, sock = start("malformed")
    seen = []
    # (An object left open at the end of a line is not malformed: as in QEMU, a
    # command may span lines.)
    for bad in (b'{"execute": "query-vms",, }\n', b"not json at all\n", b'{"execute": "query-vms"}}\n',
                b'{"execute" "query-vms"}\n', b"\xff\xfe\x00garbage\n"):
        with qmp.Qmp(sock) as x:
            x.negotiate()
            x.send_raw(bad)
            seen.append(error_or_drop(x, "line %r" % bad[:30], allow_return=bad.endswith(b"}}\n")))
    check(c.vms()["alpha"]["state"] == "running", "alpha not running")
    healthy(t, sock)
    return ", ".join(seen)


def t_not_a_command():
    t, c, sock = start("notcmd")
    seen = []
    for bad in ([1, 2, 3], "query-vms", 42, {"execute": 5}, {"arguments": {}}, {"execute": "query-vms",
                                                                               "arguments": "x"}):
        with qmp.Qmp(sock) as x:
            x.negotiate()
            x.send(bad)
            seen.append(error_or_drop(x, json.dumps(bad)))
    healthy(t, sock)
    return ", ".join(seen)


def t_huge_line():
    t, c, sock = start("huge")
    x = qmp.Qmp(sock)
    x.negotiate()
    line = b'{"execute": "query-vms", "arguments": {"pad": "' + b"x" * (1 << 20) + b'"}}\n'
    how = None
    try:
        x.send_raw(line)
    except (BrokenPipeError, ConnectionResetError):
        how = "dropped while sending"
    except socket.timeout:
        raise Fail("the server stopped reading a 1 MB line without replying or closing")
    if how is None:
        how = error_or_drop(x, "1 MB line")
    x.close()
    # The same without a newline, then the client goes away.
    y = qmp.Qmp(sock)
    y.negotiate()
    try:
        y.send_raw(b"[" * (1 << 20))
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    y.close()
    healthy(t, sock)
    return how


def t_vanish():
    t, c, sock = start("vanish")
    # Closes before reading the greeting.
    for _ in range(5):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        s.close()
    # Closes in the middle of a line.
    for _ in range(5):
        x = qmp.Qmp(sock)
        x.negotiate()
        x.send_raw(b'{"execute": "query-st')
        x.close()
    # Sends whole commands and goes away without reading the replies.
    for _ in range(20):
        x = qmp.Qmp(sock)
        x.send_raw(b'{"execute": "qmp_capabilities"}\n' + b'{"execute": "query-stats"}\n' * 50)
        x.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        x.close()
    healthy(t, sock)
    check(isinstance(c.cmd("query-vms"), list), "the first client stopped working")


def t_vm_poweroff_leaves_others():
    t, c, sock = start("poweroff", vms=[vm("short", SHORT), vm("long")])
    check(c.vms()["short"]["state"] == "running", "short already stopped when the client connected")
    c.wait_state("short", "shutdown", timeout=30)
    v = c.vms()
    check(v["short"]["state"] == "shutdown", "short is %s after powering off" % v["short"]["state"])
    check(v["long"]["state"] == "running", "long is %s after short powered off" % v["long"]["state"])
    l0, l1 = frozen(c, "long", 0.1)
    check(l1 > l0, "long stopped executing when short powered off")
    check(t.alive(), "tandem exited though long still runs")
    c.cmd("quit")
    rc = t.wait(10)
    check(rc == 0, "exit %d after quit" % rc)


def t_quit():
    t, c, sock = start("quit")
    other = qmp.Qmp(sock)
    other.negotiate()
    c.send({"execute": "quit", "id": "q"})
    try:
        r = c.reply("q")
        check("return" in r, "quit replied %r" % (r,))
        how = "replied"
    except qmp.Closed:
        how = "closed without a reply"
    rc = t.wait(10)
    check(rc == 0, "exit %d after quit (stderr: %s)" % (rc, tail(t.stderr())))
    try:
        while True:
            other.recv(5)
    except qmp.Closed:
        pass
    except qmp.Timeout:
        raise Fail("the other client's connection stayed open after tandem exited")
    return how


# --- tandem ctl ---------------------------------------------------------------------------------

def ctl(*args, timeout=10):
    p = subprocess.run([T, "ctl"] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    err = p.stderr.decode(errors="replace")
    rep = sanitizer_report(err)
    if rep:
        raise Fail("tandem ctl %s: sanitizer: %s" % (" ".join(args[1:2]), rep))
    return p.returncode, p.stdout.decode(errors="replace"), err


def ctl_json(out):
    try:
        return json.loads(out)
    except ValueError:
        raise Fail("tandem ctl printed no JSON: %r" % out[:200])


def unwrap(r):
    """`tandem ctl` may print the whole reply or only its return value."""
    return r["return"] if isinstance(r, dict) and "return" in r else r


def t_ctl_query():
    t, c, sock = start("ctlq")
    rc, out, err = ctl(sock, "query-vms")
    check(rc == 0, "exit %d (stderr: %s)" % (rc, err[:200]))
    v = unwrap(ctl_json(out))
    check(isinstance(v, list) and {x.get("name") for x in v} == {"alpha", "beta"}, "printed %r" % out[:200])
    rc, out, err = ctl(sock, "query-stats")
    check(rc == 0 and "vms" in unwrap(ctl_json(out)), "query-stats: exit %d, %r" % (rc, out[:200]))
    return json.dumps(ctl_json(out))[:80]


def t_ctl_stop_cont():
    t, c, sock = start("ctlsc")
    rc, out, err = ctl(sock, "stop", '{"vm": "alpha"}')
    check(rc == 0, "stop: exit %d (%s %s)" % (rc, out[:100], err[:100]))
    check(c.vms()["alpha"]["state"] == "paused", "alpha not paused after ctl stop")
    check(c.vms()["beta"]["state"] == "running", "beta not running after ctl stop alpha")
    rc, out, err = ctl(sock, "cont", '{"vm": "alpha"}')
    check(rc == 0, "cont: exit %d (%s %s)" % (rc, out[:100], err[:100]))
    check(c.vms()["alpha"]["state"] == "running", "alpha not running after ctl cont")


def t_ctl_errors():
    t, c, sock = start("ctlerr")
    rc, out, err = ctl(sock, "stop", '{"vm": "nope"}')
    check(rc != 0, "stop of an unknown VM exited 0 (%s)" % out[:100])
    check((out + err).strip(), "stop of an unknown VM printed nothing")
    rc, out, err = ctl(sock, "frobnicate")
    check(rc != 0, "an unknown command exited 0 (%s)" % out[:100])
    rc, out, err = ctl(sock, "stop", "{not json")
    check(rc != 0, "malformed arguments exited 0 (%s)" % out[:100])
    check(err.strip(), "malformed arguments: nothing on stderr")
    rc, out, err = ctl(os.path.join(W, "no-such.sock"), "query-vms")
    check(rc != 0, "a missing socket exited 0")
    check("no-such.sock" in err, "a missing socket: stderr does not name it (%r)" % err[:200])
    rc, out, err = ctl()
    check(rc != 0, "`tandem ctl` without arguments exited 0")
    check(c.vms()["alpha"]["state"] == "running", "alpha not running after the errors")
    healthy(t, sock)


def t_ctl_events():
    t, c, sock = start("ctlev")
    p = subprocess.Popen([T, "ctl", sock, "--events"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        if p.poll() is not None:
            raise Fail("tandem ctl --events exited %r at once (%s)" % (p.returncode, p.stderr.read()[:200]))
        c.cmd("stop", {"vm": "alpha"})
        c.wait_state("alpha", "paused")
        c.cmd("cont", {"vm": "alpha"})
        c.wait_state("alpha", "running")
        time.sleep(0.2)
        try:
            c.cmd("quit")
        except qmp.Closed:
            pass
        check(t.wait(10) == 0, "tandem exited %r after quit" % t.rc)
        try:
            out, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            raise Fail("tandem ctl --events did not exit when the socket closed")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    evs = []
    for line in out.decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            evs.append(json.loads(line))
        except ValueError:
            raise Fail("a line that is not JSON: %r" % line[:100])
    check(all(isinstance(e, dict) and "event" in e for e in evs), "lines that are not events: %r" % evs[:3])
    check(any(qmp.is_state_event(e, "alpha", "paused") for e in evs), "no alpha paused event in %r" % evs[:4])
    check(any(qmp.is_state_event(e, "alpha", "running") for e in evs), "no alpha running event in %r" % evs[:4])
    return "%d events, exit %d" % (len(evs), p.returncode)


def t_ctl_quit():
    t, c, sock = start("ctlquit")
    rc, out, err = ctl(sock, "quit")
    check(rc == 0, "ctl quit exited %d (%s)" % (rc, err[:200]))
    rc = t.wait(10)
    check(rc == 0, "tandem exited %d after ctl quit" % rc)


TESTS = [
    ("qmp-greeting", t_greeting),
    ("qmp-commands-before-capabilities", t_before_capabilities),
    ("qmp-ids-echoed", t_ids),
    ("qmp-command-in-pieces", t_command_in_pieces),
    ("qmp-unknown-command", t_unknown_command),
    ("qmp-query-vms", t_query_vms),
    ("qmp-query-stats", t_query_stats),
    ("qmp-stop-cont-one-vm", t_stop_cont_one),
    ("qmp-stop-cont-all", t_stop_cont_all),
    ("qmp-unknown-vm-and-bad-arguments", t_unknown_vm),
    ("qmp-event-format", t_event_format),
    ("qmp-two-clients", t_two_clients),
    ("qmp-malformed-json", t_malformed_json),
    ("qmp-not-a-command", t_not_a_command),
    ("qmp-1mb-line", t_huge_line),
    ("qmp-client-vanishes", t_vanish),
    ("vm-poweroff-leaves-others-running", t_vm_poweroff_leaves_others),
    ("qmp-quit", t_quit),
    ("ctl-query", t_ctl_query),
    ("ctl-stop-cont", t_ctl_stop_cont),
    ("ctl-errors", t_ctl_errors),
    ("ctl-events", t_ctl_events),
    ("ctl-quit", t_ctl_quit),
]

if __name__ == "__main__":
    run_tests(TESTS, O["only"])
