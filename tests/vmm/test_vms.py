#!/usr/bin/env python3
"""Several VMs in one process, on tiny guests: consoles (stdio, file, socket,
null, `tandem console`), lifecycle and exit status, per-VM keys, --stats,
scheduler weights and the machine memory pool.

usage: test_vms.py --tandem BIN --work DIR [--only NAME,...]
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmp  # noqa: E402
import tiny  # noqa: E402
from harness import (Fail, Tandem, check, connect_unix, main_args, read_idle, read_until, run_tests, tail,  # noqa: E402
                     wait_until)

MiB = 1 << 20
O = main_args(sys.argv)
T, W = O["tandem"], O["work"]


def img(name, *args):
    path = os.path.join(W, "vms-%s.img" % name)
    tiny.main(["tiny.py", path] + list(args))
    return path


OFF = img("off")
LOOP = img("loop", "--end", "loop")
ALPHA_SAYS = img("alpha-says", "--print", "alpha says hello\\n", "--spin", "1000000")
BETA_SAYS = img("beta-says", "--print", "beta says hello\\n", "--spin", "1000000")
SAY_LOOP = img("say-loop", "--print", "ring line 1\\nring line 2\\n", "--end", "loop")
LINE = "0123456789abcdef" * 3 + "ring overflow!\n"   # 63 bytes
FLOOD_N = 32768                                       # 2 MiB of output
FLOOD = img("flood", "--print", LINE.replace("\n", "\\n"), "--repeat", str(FLOOD_N), "--end", "loop")
FLOOD_END = img("flood-end", "--print", LINE.replace("\n", "\\n"), "--repeat", str(FLOOD_N))
ECHO = img("echo", "--print", "echo ready\\n", "--echo")
SPIN_OFF = img("spin-off", "--spin", "20000000")                      # ~40M instructions
RESET = img("reset", "--print", "booting\\n", "--spin", "100000", "--end", "reset")
TOUCH = img("touch", "--spin", "100000000", "--touch", "56", "--print", "touched all\\n")
# 500M instructions taking no interrupt: on a slow or loaded host that is
# more than the hang detector's 5 s, so the VMs running it turn it off.
BETA_LATE = img("beta-late", "--spin", "250000000", "--print", "beta finished\\n")


def vm(name, kernel, mem="32M", console="null", **kw):
    d = {"name": name, "kernel": kernel, "mem": mem, "console": console}
    d.update(kw)
    return d


def path(name):
    return os.path.join(W, name)


def read(p):
    """A console file's text ("" while it does not exist)."""
    try:
        with open(p, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def exits0(t, timeout=20):
    rc = t.wait(timeout)
    check(rc == 0, "exit %d (stderr: %s)" % (rc, tail(t.stderr())))


# --- consoles -----------------------------------------------------------------------------------

def t_file_consoles():
    a, b = path("fc-alpha.txt"), path("fc-beta.txt")
    t = Tandem(T, W, "fc", {"vms": [vm("alpha", ALPHA_SAYS, console="file:" + a),
                                    vm("beta", BETA_SAYS, console="file:" + b)]})
    exits0(t)
    check(os.path.exists(a) and os.path.exists(b), "console files missing")
    check(read(a).replace("\r", "") == "alpha says hello\n", "alpha's file holds %r" % read(a)[:100])
    check(read(b).replace("\r", "") == "beta says hello\n", "beta's file holds %r" % read(b)[:100])
    check("hello" not in t.stdout(), "guest output on stdout: %r" % t.stdout()[:100])


def t_stdio_and_file():
    b = path("sf-beta.txt")
    t = Tandem(T, W, "sf", {"vms": [vm("alpha", ALPHA_SAYS, console="stdio"),
                                    vm("beta", BETA_SAYS, console="file:" + b)]})
    exits0(t)
    check(t.stdout().replace("\r", "") == "alpha says hello\n", "stdout holds %r" % t.stdout()[:100])
    check(read(b).replace("\r", "") == "beta says hello\n", "beta's file holds %r" % read(b)[:100])


def t_default_console_single():
    cfg = {"vms": [{"name": "solo", "kernel": ALPHA_SAYS, "mem": "32M"}]}
    t = Tandem(T, W, "defcon", cfg)
    exits0(t)
    check(t.stdout().replace("\r", "") == "alpha says hello\n", "stdout holds %r" % t.stdout()[:100])


def t_null_console():
    t = Tandem(T, W, "null", {"vms": [vm("alpha", ALPHA_SAYS), vm("beta", BETA_SAYS)]})
    exits0(t)
    check("hello" not in t.stdout() + t.stderr(), "null console output appeared: %r" %
          (t.stdout() + t.stderr())[:100])


def t_socket_ring():
    s = path("ring.sock")
    t = Tandem(T, W, "ring", {"vms": [vm("alpha", SAY_LOOP, console="socket:" + s)]})
    t.wait_path(s)
    time.sleep(0.5)   # the guest writes at once, with nobody attached
    c = connect_unix(s)
    got = read_until(c, b"ring line 2\n", 5)
    check(got.replace(b"\r", b"") == b"ring line 1\nring line 2\n", "attached late and got %r" % got[:100])
    c.close()
    t.died()


def t_socket_ring_bounded():
    s, ctl = path("flood.sock"), path("flood-ctl.sock")
    t = Tandem(T, W, "flood", {"control": ctl, "vms": [vm("alpha", FLOOD, console="socket:" + s)]})
    q = t.control(ctl)
    # The print loop takes 4 instructions a byte; after it the guest spins at `b .`.
    total = len(LINE) * FLOOD_N
    wait_until(lambda: q.instructions("alpha") > 5 * total, 60, "the guest to write %d bytes unread" % total)
    check(q.vms()["alpha"]["state"] == "running", "alpha is %s after writing to nobody" %
          q.vms()["alpha"]["state"])
    c = connect_unix(s)
    got = read_idle(c, 1.0, 20).replace(b"\r", b"")
    c.close()
    check(got, "nothing kept for a late attach")
    check(len(got) < total, "all %d bytes were kept: the ring is not bounded" % len(got))
    check(got.endswith(LINE.encode()), "the ring does not end with the last output: %r" % got[-80:])
    return "%d of %d bytes kept" % (len(got), total)


def t_socket_input():
    s = path("echo.sock")
    t = Tandem(T, W, "echo", {"vms": [vm("alpha", ECHO, console="socket:" + s)]})
    t.wait_path(s)
    c = connect_unix(s)
    read_until(c, b"echo ready", 5)
    c.sendall(b"ping-4711\n")
    got = read_until(c, b"ping-4711", 5)
    c.close()
    t.died()
    return "echoed"


def t_console_attach():
    """`tandem console` on a terminal: replays what was written before it
    attached, passes keys through in raw mode (Ctrl-A x arrives without a
    newline), detaches on Ctrl-A x and restores the terminal."""
    s = path("attach.sock")
    t = Tandem(T, W, "attach", {"vms": [vm("alpha", ECHO, console="socket:" + s)]})
    t.wait_path(s)
    time.sleep(0.3)
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen([T, "console", s], stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                         start_new_session=True)
    out = b""

    def until(marker, timeout=5):
        nonlocal out
        deadline = time.monotonic() + timeout
        while marker not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail("tandem console: no %r within %g s (got %r)" % (marker, timeout, out[-100:]))
            r, _, _ = select.select([master], [], [], min(left, 0.1))
            if r:
                try:
                    out += os.read(master, 4096)
                except OSError:
                    pass
            elif p.poll() is not None:
                raise Fail("tandem console exited %d before %r (got %r; stderr %r)" % (
                    p.returncode, marker, out[-100:], p.stderr.read()[:200]))
    try:
        until(b"echo ready")
        os.write(master, b"typed-42")
        until(b"typed-42")
        os.write(master, b"\x01x")
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            raise Fail("Ctrl-A x did not detach within 5 s (not in raw mode?)")
        check(rc == 0, "tandem console exited %d after Ctrl-A x" % rc)
        after = termios.tcgetattr(slave)
        check(after[3] == before[3] and after[0] == before[0], "the terminal's modes were not restored")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)
    t.died()
    # The guest still runs and a later attach works.
    time.sleep(0.3)
    c = connect_unix(s)
    c.sendall(b"again\n")
    got = read_until(c, b"again", 5)
    c.close()
    check(b"already attached" not in got, "the attach after Ctrl-A x was refused: %r" % got[-80:])


def t_console_reattach():
    """A client that attaches just after another left is accepted."""
    s = path("reattach.sock")
    t = Tandem(T, W, "reattach", {"vms": [vm("alpha", ECHO, console="socket:" + s)]})
    t.wait_path(s)
    refused = []
    for i in range(10):
        c = connect_unix(s)
        c.sendall(b"try-%d\n" % i)
        try:
            got = read_until(c, b"try-%d" % i, 3)
        except Fail as e:
            refused.append("attach %d: %s" % (i, e))
        finally:
            c.close()
    t.died()
    check(not refused, "%d of 10 quick re-attaches refused; first: %s" % (len(refused), refused[0][:160]
                                                                         if refused else ""))


def t_console_missing_socket():
    p = subprocess.run([T, "console", path("nobody.sock")], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    check(p.returncode != 0, "tandem console on a missing socket exited 0")
    check(b"nobody.sock" in p.stderr, "stderr does not name the socket: %r" % p.stderr[:200])


# --- lifecycle ----------------------------------------------------------------------------------

def t_all_poweroff_exit0():
    t = Tandem(T, W, "alloff", {"vms": [vm("alpha", OFF), vm("beta", SPIN_OFF), vm("gamma", OFF, mem="16M")]})
    exits0(t)


def t_one_poweroff_others_run():
    a, b = path("po-alpha.txt"), path("po-beta.txt")
    ctl = path("po.sock")
    t = Tandem(T, W, "po", {"control": ctl, "vms": [vm("alpha", ALPHA_SAYS, console="file:" + a),
                                                    vm("beta", LOOP, console="file:" + b)]})
    q = t.control(ctl)
    wait_until(lambda: q.vms()["alpha"]["state"] == "shutdown", 10, "alpha to reach state shutdown")
    check(q.vms()["beta"]["state"] == "running", "beta is %s" % q.vms()["beta"]["state"])
    time.sleep(0.3)
    check(t.alive(), "tandem exited while beta runs")
    q.cmd("quit")
    exits0(t, 10)


def t_on_reset_reboot():
    f, ctl = path("rr.txt"), path("rr.sock")
    t = Tandem(T, W, "rr", {"control": ctl, "vms": [vm("alpha", RESET, console="file:" + f)]})
    q = t.control(ctl)
    wait_until(lambda: read(f).count("booting") >= 3, 10, "three boots (on-reset defaults to reboot)")
    check(q.vms()["alpha"]["state"] == "running", "alpha is %s" % q.vms()["alpha"]["state"])
    q.cmd("quit")
    exits0(t, 10)


def t_on_reset_stop():
    f = path("rs.txt")
    t = Tandem(T, W, "rs", {"vms": [vm("alpha", RESET, console="file:" + f, **{"on-reset": "stop"})]})
    rc = t.wait(10)
    n = read(f).count("booting")
    check(n == 1, "booted %d times with on-reset stop (exit %d, stderr: %s)" % (n, rc, tail(t.stderr())))
    return "exit %d" % rc


def t_on_reset_stop_state():
    f, ctl = path("rs2.txt"), path("rs2.sock")
    t = Tandem(T, W, "rs2", {"control": ctl, "vms": [vm("alpha", RESET, console="file:" + f, **{"on-reset": "stop"}),
                                                     vm("beta", LOOP)]})
    q = t.control(ctl)
    wait_until(lambda: q.vms()["alpha"]["state"] != "running", 10, "alpha to stop after its reset")
    st = q.vms()["alpha"]["state"]
    check(st in ("shutdown", "failed", "paused"), "alpha is %r" % st)
    time.sleep(0.2)
    check(read(f).count("booting") == 1, "alpha rebooted")
    check(q.vms()["beta"]["state"] == "running", "beta is %s" % q.vms()["beta"]["state"])
    q.cmd("quit")
    exits0(t, 10)
    return "alpha " + st


def t_max_insns_per_vm():
    ctl = path("mi.sock")
    t = Tandem(T, W, "mi", {"control": ctl, "vms": [vm("alpha", LOOP, **{"max-insns": 5000000}),
                                                    vm("beta", LOOP)]})
    q = t.control(ctl)
    wait_until(lambda: q.vms()["alpha"]["state"] != "running", 20, "alpha to stop at its instruction limit")
    a = q.stats()[1]["alpha"]
    check(a["instructions"] <= 5000000 + 100000, "alpha ran %d instructions, limit 5000000" % a["instructions"])
    b0 = q.instructions("beta")
    time.sleep(0.1)
    check(q.instructions("beta") > b0, "beta stopped with alpha")
    q.cmd("quit")
    t.wait(10)
    return "alpha %s after %d" % (a["state"], a["instructions"])


# --- per-VM keys --------------------------------------------------------------------------------

def dts(p):
    r = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", p], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode(errors="replace")


def t_dtb_keys():
    if not shutil.which("dtc"):
        return "dtc missing: only checked the files exist"
    da, db = path("alpha.dtb"), path("beta.dtb")
    t = Tandem(T, W, "dtb", {"vms": [vm("alpha", OFF, mem="48M", **{"dtb-out": da, "no-rng-seed": True}),
                                     vm("beta", OFF, mem="96M", **{"dtb-out": db, "kaslr-seed": 4660,
                                                                   "append": "hello=beta"})]})
    exits0(t)
    check(os.path.exists(da) and os.path.exists(db), "dtb-out files missing")
    a, b = dts(da), dts(db)
    check("arm,pl011" in a and "arm,pl011" in b, "a device tree does not decode")
    check("rng-seed" not in a, "alpha has an rng-seed despite no-rng-seed")
    check("rng-seed" in b, "beta has no rng-seed")
    check("kaslr-seed" in b and "kaslr-seed" not in a, "kaslr-seed only in beta's tree expected")
    check("hello=beta" in b and "hello=beta" not in a, "beta's append not in its own tree only")
    ra = re.search(r"memory@[0-9a-f]+ \{[^}]*reg = <([^>]*)>", a)
    rb = re.search(r"memory@[0-9a-f]+ \{[^}]*reg = <([^>]*)>", b)
    check(ra and rb, "no memory node")
    sa, sb = ra.group(1).split()[-1], rb.group(1).split()[-1]
    check(int(sa, 16) == 48 * MiB and int(sb, 16) == 96 * MiB, "memory sizes %s, %s (want 48M, 96M)" % (sa, sb))


def t_initrd_append_keys():
    # The initrd key is accepted and placed: the tree names an initrd range.
    if not shutil.which("dtc"):
        return "dtc missing"
    rd = path("fake-initrd")
    with open(rd, "wb") as f:
        f.write(b"\0" * 65536)
    d = path("initrd.dtb")
    t = Tandem(T, W, "initrd", {"vms": [vm("alpha", OFF, initrd=rd, **{"dtb-out": d}), vm("beta", OFF)]})
    exits0(t)
    s = dts(d)
    check("linux,initrd-start" in s and "linux,initrd-end" in s, "no initrd in alpha's tree")


# --- stats, flags -------------------------------------------------------------------------------

def stats_check(err, ranges):
    """Every VM of ranges {name: (lo, hi)} has stats lines naming it, one with
    an instructions figure from lo to hi."""
    lines = [l for l in err.splitlines() if l.strip()]
    for n, (lo, hi) in ranges.items():
        mine = [l for l in lines if re.search(r"\b%s\b" % n, l)]
        check(mine, "no stats line names %s (stderr: %s)" % (n, tail(err, 4)))
        figs = [int(m.group(1)) for l in mine for m in [re.search(r"(\d+) instructions", l)] if m]
        check(figs, "no instructions figure for %s (its lines: %s)" % (n, " | ".join(mine[:3])))
        check(lo <= figs[0] <= hi, "%s: %d instructions, expected %d to %d" % (n, figs[0], lo, hi))


# OFF runs 4 instructions; SPIN_OFF 2 per step of its 20M countdown.
STATS_RANGES = {"alpha": (1, 1000), "beta": (40000000, 40001000)}


def t_stats_flag():
    t = Tandem(T, W, "statsf", {"vms": [vm("alpha", OFF), vm("beta", SPIN_OFF)]}, args=["--stats"])
    exits0(t)
    stats_check(t.stderr(), STATS_RANGES)


def t_stats_key():
    t = Tandem(T, W, "statsk", {"stats": True, "vms": [vm("alpha", OFF), vm("beta", SPIN_OFF)]})
    exits0(t)
    stats_check(t.stderr(), STATS_RANGES)


def t_single_vm_flags():
    t = Tandem(T, W, "single", None, args=["--kernel", ALPHA_SAYS, "--mem", "32M", "--stats"])
    exits0(t)
    check(t.stdout().replace("\r", "") == "alpha says hello\n", "stdout %r" % t.stdout()[:100])
    check(re.search(r"^tandem: \d+ instructions in", t.stderr(), re.M), "stats format changed: %s" %
          tail(t.stderr()))


def t_control_flag():
    ctl = path("cf.sock")
    t = Tandem(T, W, "cf", {"vms": [vm("alpha", LOOP), vm("beta", LOOP)]}, args=["--control", ctl])
    q = t.control(ctl)
    check(set(q.vms()) == {"alpha", "beta"}, "VMs %r" % list(q.vms()))
    q.cmd("quit")
    exits0(t, 10)


def t_control_single_vm():
    ctl = path("cs.sock")
    t = Tandem(T, W, "cs", None, args=["--kernel", LOOP, "--mem", "32M", "--control", ctl])
    q = t.control(ctl)
    v = q.cmd("query-vms")
    check(len(v) == 1 and v[0]["state"] == "running", "query-vms %r" % (v,))
    q.cmd("quit")
    exits0(t, 10)
    return "name %r" % v[0].get("name")


def t_machine_mem():
    ctl = path("mm.sock")
    t = Tandem(T, W, "mm", {"control": ctl, "vms": [vm("alpha", LOOP, mem="64M"), vm("beta", LOOP, mem="32M")]})
    q = t.control(ctl)
    tot = q.stats()[0]["machine"]["total-bytes"]
    check(tot == 96 * MiB, "default pool %r, want the sum of the VMs' RAM (96M)" % tot)
    q.cmd("quit")
    t.wait(10)
    ctl2 = path("mm2.sock")
    t2 = Tandem(T, W, "mm2", {"control": ctl2, "machine-mem": "1G", "vms": [vm("alpha", LOOP)]},
                args=["--machine-mem", "40M"])
    q2 = t2.control(ctl2)
    tot2 = q2.stats()[0]["machine"]["total-bytes"]
    check(tot2 == 40 * MiB, "--machine-mem 40M (config 1G) gave a pool of %r" % tot2)
    q2.cmd("quit")
    t2.wait(10)
    return "flag overrides the config key"


def t_weights():
    ctl = path("wt.sock")
    t = Tandem(T, W, "wt", {"control": ctl, "vms": [vm("light", LOOP, weight=1), vm("heavy", LOOP, weight=3)]})
    q = t.control(ctl)
    time.sleep(0.3)
    s0 = q.stats()[1]
    time.sleep(1.5)
    s1 = q.stats()[1]
    dl = s1["light"]["instructions"] - s0["light"]["instructions"]
    dh = s1["heavy"]["instructions"] - s0["heavy"]["instructions"]
    check(dl > 0 and dh > 0, "a VM did not run (light %d, heavy %d)" % (dl, dh))
    ratio = dh / dl
    check(2.0 <= ratio <= 4.5, "weights 1:3 gave instructions %d:%d (ratio %.2f)" % (dl, dh, ratio))
    q.cmd("quit")
    t.wait(10)
    return "ratio %.2f" % ratio


# --- machine memory pool ------------------------------------------------------------------------

def t_pool_compressed():
    """The same two VMs with compression (the default): alpha's touched pages
    are compressed as the pool runs low, so both finish in 40M."""
    af, bf = path("poolz-alpha.txt"), path("poolz-beta.txt")
    t = Tandem(T, W, "poolz", {"machine-mem": "40M", "stats": True,
                               "vms": [vm("alpha", TOUCH, mem="64M", console="file:" + af),
                                       vm("beta", BETA_LATE, mem="64M", console="file:" + bf, **{"hang-timeout": 0})]})
    rc = t.wait(60)
    check(rc == 0, "exit %d (stderr: %s)" % (rc, tail(t.stderr())))
    check(read(af).replace("\r", "") == "touched all\n", "alpha's console: %r" % read(af)[:100])
    check(read(bf).replace("\r", "") == "beta finished\n", "beta's console: %r" % read(bf)[:100])
    line = next((l for l in t.stderr().splitlines() if l.startswith("tandem: swap: machine")), "")
    m = re.search(r"alg=lzo .*pages_compressed=(\d+)", line)
    check(m and int(m.group(1)) > 0, "no lzo compression in the stats: %r" % line[:200])
    return "both finished; pages_compressed=%s" % m.group(1)


def t_pool_exhaustion():
    """Without compression a VM that finds no frame pauses (tests/swap covers compression)."""
    ctl, af, bf = path("pool.sock"), path("pool-alpha.txt"), path("pool-beta.txt")
    t = Tandem(T, W, "pool", {"control": ctl, "machine-mem": "40M", "compress": "off",
                              "vms": [vm("alpha", TOUCH, mem="64M", console="file:" + af),
                                      vm("beta", BETA_LATE, mem="64M", console="file:" + bf, **{"hang-timeout": 0})]})
    q = t.control(ctl)
    check(q.vms()["alpha"]["state"] == "running", "alpha stopped before the client connected")
    q.wait_state("alpha", "paused", timeout=30)
    wait_until(lambda: "out of machine memory" in t.stderr(), 5, "'out of machine memory' on stderr")
    line = next(l for l in t.stderr().splitlines() if "out of machine memory" in l)
    check("alpha" in line, "the message does not name the VM: %r" % line)
    s, vms = q.stats()
    check(vms["alpha"]["state"] == "paused", "alpha is %s" % vms["alpha"]["state"])
    check(s["machine"]["used-bytes"] <= 40 * MiB, "used %d bytes of a 40M pool" % s["machine"]["used-bytes"])
    check(vms["alpha"]["memory"]["resident-bytes"] < 40 * MiB,
          "alpha has %d resident bytes, more than the pool" % vms["alpha"]["memory"]["resident-bytes"])
    others = sorted({e.get("event") for e in q.events})
    q.wait_state("beta", "shutdown", timeout=60)
    check(read(bf).replace("\r", "") == "beta finished\n", "beta's console: %r" % read(bf)[:100])
    check(q.vms()["alpha"]["state"] == "paused", "alpha is %s" % q.vms()["alpha"]["state"])
    check("touched all" not in read(af), "alpha finished touching 56M in a 40M pool")
    q.cmd("quit")
    exits0(t, 10)
    return "alpha paused at %d MiB resident%s" % (vms["alpha"]["memory"]["resident-bytes"] >> 20,
                                                   ", other events: %s" % others if others else "")


TESTS = [
    ("console-file-per-vm", t_file_consoles),
    ("console-stdio-and-file", t_stdio_and_file),
    ("console-default-stdio-single-vm", t_default_console_single),
    ("console-null", t_null_console),
    ("console-socket-ring-on-attach", t_socket_ring),
    ("console-socket-ring-bounded", t_socket_ring_bounded),
    ("console-socket-input", t_socket_input),
    ("console-attach-detach", t_console_attach),
    ("console-reattach-at-once", t_console_reattach),
    ("console-missing-socket", t_console_missing_socket),
    ("all-vms-power-off-exit-0", t_all_poweroff_exit0),
    ("one-vm-powers-off-others-run", t_one_poweroff_others_run),
    ("on-reset-reboot-default", t_on_reset_reboot),
    ("on-reset-stop", t_on_reset_stop),
    ("on-reset-stop-others-run", t_on_reset_stop_state),
    ("max-insns-per-vm", t_max_insns_per_vm),
    ("vm-keys-in-device-tree", t_dtb_keys),
    ("vm-initrd-key", t_initrd_append_keys),
    ("stats-flag-per-vm", t_stats_flag),
    ("stats-config-key", t_stats_key),
    ("single-vm-flags-unchanged", t_single_vm_flags),
    ("control-flag", t_control_flag),
    ("control-single-vm-flags", t_control_single_vm),
    ("machine-mem-default-and-flag", t_machine_mem),
    ("scheduler-weights", t_weights),
    ("pool-exhaustion-pauses-vm", t_pool_exhaustion),
    ("pool-compressed-both-finish", t_pool_compressed),
]

if __name__ == "__main__":
    run_tests(TESTS, O["only"])
