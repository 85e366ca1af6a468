#!/usr/bin/env python3
"""Compressed swap: a guest gets more RAM than the machine-frame pool holds
(--mem 512M --machine-mem 192M) and Tandem compresses its cold pages
(--compress lzo|lz4|zstd). The workload is tb-memfill (guest/bench/memfill.c):
400 MiB of zero, same-filled, text, binary and random pages, read back in a
strided and then a sequential order, every page checked against what its seed
regenerates, one digest per class. QEMU with the whole 512 MiB is the oracle:
its digest lines are the reference, computed in this run. Each test prints one
PASS or FAIL line; INFO lines give the figures (time, peak RSS, compression).

usage: test_swap.py --tandem BIN --tandem-san BIN --work DIR --kernel IMAGE --initrd CPIO
                    --memfill GUEST-BIN [--only NAME,...]
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "vmm"))
from harness import Fail, Tandem, check, run_tests, sanitizer_report, tail, wait_until  # noqa: E402

BASE = "console=ttyAMA0 panic=-1 quiet nokaslr"
FILL = 400                # MiB the guest fills: well past the pool, inside the guest's RAM
MEM = "512M"              # the guest's RAM (QEMU's -m too)
POOL_MIB = 192            # the machine-frame pool of every swap run
ALGS = ("lzo", "lz4", "zstd")
SAN_ALG = "lz4"
# A 400 MiB fill is about 4.5 G guest instructions: 13 s on the optimised build
# without swap, 38 s on the sanitized one; the caps leave room for the cost
# of compression without letting a runaway guest go on for long.
MAX_INSNS = 20000000000
TIMEOUT = 300             # s, optimised build
SAN_TIMEOUT = 600         # s, sanitized build
QEMU_TIMEOUT = 120        # s (QEMU takes about 6 s)
RSS_SLACK_MIB = 96        # peak RSS may exceed the pool by the binary, decoded code, metadata
MiB = 1 << 20

SWAP_RE = re.compile(r"^tandem: (?:\S+: )?swap: (machine|vm=\S+)\s+(.*)$")
HIGH_WATER_RE = re.compile(r"^tandem: machine: .*\(\d+ of (\d+) MiB\), high water (\d+) MiB")
# The lines that must equal QEMU's: per-class digests, the zero-page split, the total.
DIGEST_RE = re.compile(r"^memfill: (class=|zero untouched=|total digest=)")


def main_args(argv):
    opts = {"only": None}
    it = iter(argv[1:])
    for a in it:
        if a in ("--tandem", "--tandem-san", "--work", "--kernel", "--initrd", "--memfill"):
            opts[a[2:].replace("-", "_")] = next(it)
        elif a == "--only":
            opts["only"] = set(next(it).split(","))
        else:
            sys.exit("unknown argument " + a)
    return opts


O = main_args(sys.argv)
T, TS, W, K, I, MEMFILL = O["tandem"], O["tandem_san"], O["work"], O["kernel"], O["initrd"], O["memfill"]


def append(fill):
    return BASE + " tandem.run=/usr/bin/tandem-memfill tandem.fill=%d" % fill


def read(p):
    try:
        with open(p, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def memfill_lines(console):
    return [l.strip() for l in console.replace("\r", "").split("\n") if l.startswith("memfill: ")]


def digests(console):
    return [l for l in memfill_lines(console) if DIGEST_RE.match(l)]


def once(fn):
    """Runs a scenario the first time one of its tests asks for it; its
    failure is every such test's failure."""
    cache = {}

    def run():
        if "r" not in cache:
            try:
                cache["r"] = (True, fn())
            except Fail as e:
                cache["r"] = (False, str(e))
            except Exception as e:  # noqa: BLE001 - reported by every test of the scenario
                cache["r"] = (False, "%s: %s" % (type(e).__name__, e))
        ok, v = cache["r"]
        if not ok:
            raise Fail(v)
        return v
    return run


def exit_code(status):
    rc = os.waitstatus_to_exitcode(status)
    return 128 - rc if rc < 0 else rc


def run_measured(cmd, name, timeout):
    """Runs cmd to its end with stdout and stderr in files; returns its exit
    status (128+N for signal N), output, wall time and peak RSS (the kernel's
    ru_maxrss of the child, what /usr/bin/time -f %M reports)."""
    out_p, err_p = os.path.join(W, name + ".out"), os.path.join(W, name + ".err")
    with open(out_p, "wb") as out, open(err_p, "wb") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    t0 = time.monotonic()
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            p.send_signal(signal.SIGKILL)
            os.wait4(p.pid, 0)
            p.returncode = -9
            raise Fail("%s did not finish within %d s (stderr: %s; console: %s)" %
                       (os.path.basename(cmd[0]), timeout, tail(read(err_p)), tail(read(out_p), 2)))
        time.sleep(0.1)
    rc = exit_code(status)
    p.returncode = rc  # reaped here: keep Popen from waiting again
    return {"rc": rc, "out": read(out_p), "err": read(err_p), "secs": time.monotonic() - t0,
            "rss_mib": ru.ru_maxrss / 1024.0, "cmd": " ".join(cmd)}


def rejected(r, flag="--compress"):
    """A Fail naming the flag when Tandem refused it as an option."""
    if r["rc"] == 1 and flag in r["err"]:
        return Fail("tandem rejected %s (exit 1: %s)" % (flag, tail(r["err"], 1)))
    return None


# --- QEMU: the reference ------------------------------------------------------------------------

_refs = {}


def reference(fill=FILL, mem=MEM):
    """QEMU's digest lines for a fill, run once per suite run."""
    key = (fill, mem)
    if key not in _refs:
        _refs[key] = once(lambda: qemu_run(fill, mem))
    return _refs[key]()


def qemu_run(fill, mem):
    if not shutil.which("qemu-system-aarch64"):
        raise Fail("qemu-system-aarch64 is missing (scripts/setup.sh installs it): no reference")
    r = run_measured(["qemu-system-aarch64", "-M", "virt,dtb-kaslr-seed=off", "-cpu", "cortex-a53", "-m", mem,
                      "-nographic", "-no-reboot", "-nic", "none", "-kernel", K, "-initrd", I,
                      "-append", append(fill)], "qemu-%d" % fill, QEMU_TIMEOUT)
    lines = memfill_lines(r["out"])
    check("TANDEM-GUEST-DONE rc=0" in r["out"], "QEMU's guest did not finish with rc=0 (exit %d; console: %s)" %
          (r["rc"], tail(r["out"])))
    check("memfill: mismatches=0" in lines, "QEMU's run reports mismatches: %s" %
          [l for l in lines if "mismatch" in l][:3])
    d = digests(r["out"])
    check(len([l for l in d if l.startswith("memfill: class=")]) == 5 and any("total digest" in l for l in d),
          "QEMU printed %d digest lines (console: %s)" % (len(d), tail(r["out"])))
    return {"digests": d, "secs": r["secs"], "timing": [l for l in lines if "seconds" in l]}


def t_qemu_oracle():
    ref = reference()
    print("INFO swap: QEMU -m %s fill=%d MiB: %.1f s (%s)" % (MEM, FILL, ref["secs"], " ".join(ref["timing"])),
          flush=True)
    return "%d digest lines; %s" % (len(ref["digests"]), ref["digests"][-1])


# --- the checker itself -------------------------------------------------------------------------

def t_memfill_detects_corruption():
    """A flipped bit must show as mismatches and exit 1, so mismatches=0 means something."""
    runner = shutil.which("qemu-aarch64-static")
    check(runner, "qemu-aarch64-static is missing (scripts/setup.sh installs it)")
    check(os.access(MEMFILL, os.X_OK), "%s is not built (scripts/build-guest-bench.sh)" % MEMFILL)
    bad = run_measured([runner, MEMFILL, "-x", "1234", "16"], "memfill-corrupt", 120)
    lines = memfill_lines(bad["out"])
    check(bad["rc"] == 1, "exit %d with a corrupted page, want 1 (%s)" % (bad["rc"], tail(bad["out"] + bad["err"])))
    check(any(l.startswith("memfill: mismatch pass=strided page=1234 ") for l in lines) and
          any(l.startswith("memfill: mismatch pass=sequential page=1234 ") for l in lines),
          "page 1234 not reported by both passes: %s" % [l for l in lines if "mismatch" in l])
    check("memfill: mismatches=2" in lines, "want mismatches=2: %s" % [l for l in lines if "mismatches" in l])
    good = run_measured([runner, MEMFILL, "16"], "memfill-clean", 120)
    check(good["rc"] == 0 and "memfill: mismatches=0" in memfill_lines(good["out"]),
          "the clean run: exit %d, %s" % (good["rc"], tail(good["out"], 2)))
    return "one flipped bit: exit 1, mismatches=2"


# --- Tandem with compressed swap ----------------------------------------------------------------

def swap_stats(err):
    """The key=value tokens of the swap lines: {"machine": {...}, "vm=NAME": {...}}."""
    res = {}
    for l in err.splitlines():
        m = SWAP_RE.match(l.strip())
        if m:
            res[m.group(1)] = dict(t.split("=", 1) for t in m.group(2).split() if "=" in t)
    return res


def tandem_swap(binary, alg, fill, mem, pool_mib, timeout, name):
    r = run_measured([binary, "run", "-k", K, "-i", I, "-a", append(fill), "--mem", mem,
                      "--machine-mem", "%dM" % pool_mib, "--compress", alg, "--no-rng-seed",
                      "--max-insns", str(MAX_INSNS), "--stats"], name, timeout)
    e = rejected(r)
    if e:
        raise e
    r.update(binary=binary, alg=alg, fill=fill, mem=mem, pool_mib=pool_mib, swap=swap_stats(r["err"]))
    return r


def check_matches_qemu(r, ref):
    out, lines = r["out"], memfill_lines(r["out"])
    problems = []
    if r["rc"] != 0:
        problems.append("exit %d%s" % (r["rc"], " (instruction limit)" if r["rc"] == 3 else ""))
    if "TANDEM-GUEST-DONE rc=0" not in out:
        done = [l for l in out.replace("\r", "").split("\n") if l.startswith("TANDEM-GUEST-DONE")]
        problems.append("guest did not finish with rc=0 (%s)" % (done[0] if done else "no TANDEM-GUEST-DONE"))
    if "memfill: mismatches=0" not in lines:
        problems.append("%s" % ([l for l in lines if "mismatch" in l][:4] or "no mismatches line"))
    got = digests(out)
    if got != ref["digests"]:
        diff = [("QEMU %r, Tandem %r" % (a, b)) for a, b in zip(ref["digests"], got) if a != b]
        problems.append("digests differ from QEMU: %s" % (diff[:2] if diff else "%d lines vs QEMU's %d" %
                                                         (len(got), len(ref["digests"]))))
    check(not problems, "; ".join(problems) + " (stderr: %s; console: %s)" % (tail(r["err"], 2), tail(out, 2)))
    timing = [l for l in lines if "seconds" in l]
    print("INFO swap: %s --compress %s fill=%d MiB in a %d MiB pool: %.1f s wall (%s)" %
          (r["binary"], r["alg"], r["fill"], r["pool_mib"], r["secs"], " ".join(timing)), flush=True)
    return "%d digest lines equal QEMU's, %.0f s" % (len(got), r["secs"])


def num(d, k, what):
    check(k in d, "the %s swap line has no %s= (%s)" % (what, k, " ".join("%s=%s" % kv for kv in d.items())[:200]))
    try:
        return int(d[k])
    except ValueError:
        raise Fail("%s=%r in the %s swap line is not a number" % (k, d[k], what))


def check_compressed(r):
    """The stats show compression was done: pages went out and came back."""
    m = r["swap"].get("machine")
    check(m is not None, "no 'tandem: swap: machine ...' line on stderr (exit %d; stderr: %s)" %
          (r["rc"], tail(r["err"], 3)))
    check(m.get("alg") == r["alg"], "alg=%s, want %s" % (m.get("alg"), r["alg"]))
    pc, pf = num(m, "pages_compressed", "machine"), num(m, "pages_faulted_in", "machine")
    check(pc > 0, "pages_compressed=%d: nothing was compressed" % pc)
    check(pf > 0, "pages_faulted_in=%d: nothing came back from the compressed store" % pf)
    hw = [HIGH_WATER_RE.match(l.strip()) for l in r["err"].splitlines()]
    hw = [h for h in hw if h]
    check(hw, "no 'tandem: machine: ... high water N MiB' line (stderr: %s)" % tail(r["err"], 3))
    total, high = int(hw[-1].group(1)), int(hw[-1].group(2))
    check(total == r["pool_mib"], "the pool is %d MiB, want %d" % (total, r["pool_mib"]))
    check(high <= r["pool_mib"], "high water %d MiB > the %d MiB pool" % (high, r["pool_mib"]))
    orig, compr = m.get("orig_data_size", "?"), m.get("compr_data_size", "?")
    ratio = ""
    if orig.isdigit() and compr.isdigit() and int(compr):
        ratio = ", ratio %.2f" % (int(orig) / int(compr))
    print("INFO swap: %s machine: %s" % (r["alg"], " ".join("%s=%s" % kv for kv in m.items())[:300]), flush=True)
    return "pages_compressed=%d pages_faulted_in=%d, high water %d MiB%s" % (pc, pf, high, ratio)


def check_rss(r):
    rss, limit = r["rss_mib"], r["pool_mib"] + RSS_SLACK_MIB
    print("INFO swap: %s peak RSS %.0f MiB for a %d MiB pool (limit %d MiB)" % (r["alg"], rss, r["pool_mib"], limit),
          flush=True)
    check(r["rc"] == 0, "the run did not complete (exit %d): no peak to judge" % r["rc"])
    check(rss <= limit, "peak RSS %.0f MiB > pool %d MiB + %d MiB" % (rss, r["pool_mib"], RSS_SLACK_MIB))
    return "%.0f MiB" % rss


_runs = {}


def opt_run(alg):
    if alg not in _runs:
        _runs[alg] = once(lambda: tandem_swap(T, alg, FILL, MEM, POOL_MIB, TIMEOUT, "tandem-" + alg))
    return _runs[alg]()


def alg_tests(alg):
    return [
        ("swap-%s-matches-qemu" % alg, lambda: check_matches_qemu(opt_run(alg), reference())),
        ("swap-%s-compressed" % alg, lambda: check_compressed(opt_run(alg))),
        ("swap-%s-peak-rss" % alg, lambda: check_rss(opt_run(alg))),
    ]


# --- the sanitized build ------------------------------------------------------------------------

@once
def san_run():
    check(os.access(TS, os.X_OK), "%s is not built (make build/test/tandem)" % TS)
    return tandem_swap(TS, SAN_ALG, FILL, MEM, POOL_MIB, SAN_TIMEOUT, "tandem-san-" + SAN_ALG)


def t_san():
    r = san_run()
    rep = sanitizer_report(r["err"])
    check(not rep, "sanitizer: %s" % rep)
    a = check_matches_qemu(r, reference())
    b = check_compressed(r)
    return "%s; %s" % (a, b)


# --- no compression: the pool runs out ----------------------------------------------------------

def t_compress_off():
    """--compress off in the same pool: the VM pauses for memory, Tandem stays
    up and answers its control socket, and quits cleanly; no digest appears."""
    ctl = os.path.join(W, "off.sock")
    t = Tandem(T, W, "tandem-off", None, ["-k", K, "-i", I, "-a", append(FILL), "--mem", MEM,
                                          "--machine-mem", "%dM" % POOL_MIB, "--compress", "off", "--no-rng-seed",
                                          "--max-insns", str(MAX_INSNS), "--control", ctl, "--stats"])
    try:
        try:
            q = t.control(ctl, timeout=20)
        except Fail:
            rc = t.proc.poll()
            if rc is not None:
                e = rejected({"rc": rc, "err": t.stderr()})
                if e:
                    raise e
            raise
        vms = q.vms()
        check(len(vms) == 1, "query-vms lists %d VMs" % len(vms))
        name = next(iter(vms))
        wait_until(lambda: t.died() or q.vms()[name]["state"] == "paused", 180, "the VM to pause for memory")
        i0 = q.instructions(name)
        time.sleep(0.5)
        ran = q.instructions(name) - i0
        s, v = q.stats()
        q.cmd("quit")
        rc = t.wait(30)
    finally:
        t.kill()
    err, lines = t.stderr(), memfill_lines(t.stdout())
    oom = [l for l in err.splitlines() if "out of machine memory" in l]
    check(oom, "no 'out of machine memory' on stderr (%s)" % tail(err))
    check(ran == 0, "the paused VM executed %d instructions" % ran)
    check(not digests(t.stdout()) and not any("mismatches=" in l for l in lines),
          "the guest printed results in a %d MiB pool without compression: %s" % (POOL_MIB, lines[-3:]))
    check("TANDEM-GUEST-DONE" not in t.stdout(), "the guest finished its workload")
    m = s["machine"]
    check(m["used-bytes"] <= m["total-bytes"] == POOL_MIB * MiB, "pool used %d of %d bytes" %
          (m["used-bytes"], m["total-bytes"]))
    check(rc == 0, "exit %d after quit, want 0 (stderr: %s)" % (rc, tail(err)))
    reached = [l for l in lines if " fill " in l]
    print("INFO swap: off: %s; the guest got to '%s'" % (oom[0].strip()[:120], reached[-1] if reached else "?"),
          flush=True)
    return "paused at %d MiB resident, quit with exit 0" % (v[name]["memory"]["resident-bytes"] >> 20)


# --- two VMs in one pool -----------------------------------------------------------------------

TWO_FILL, TWO_POOL_MIB = 250, 256  # two 512 MiB guests filling 250 MiB each in 256 MiB


@once
def two_vms_run():
    cfg = {"machine-mem": "%dM" % TWO_POOL_MIB, "compress": "lz4", "stats": True,
           "vms": [{"name": n, "kernel": K, "initrd": I, "append": append(TWO_FILL), "mem": MEM,
                    "console": "file:" + os.path.join(W, "two-%s.console" % n), "no-rng-seed": True,
                    "on-reset": "stop", "max-insns": MAX_INSNS} for n in ("alpha", "beta")]}
    import json
    path = os.path.join(W, "two.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    r = run_measured([T, "run", "--config", path], "two", TIMEOUT * 2)
    r.update(alpha=read(os.path.join(W, "two-alpha.console")), beta=read(os.path.join(W, "two-beta.console")),
             swap=swap_stats(r["err"]), pool_mib=TWO_POOL_MIB, alg="lz4", binary=T, fill=TWO_FILL)
    return r


def t_two_vms():
    """Two guests whose RAM together is four times the pool: each reads back its own data."""
    r, ref = two_vms_run(), reference(TWO_FILL)
    for n in ("alpha", "beta"):
        check_matches_qemu(dict(r, out=r[n]), ref)
        vm = r["swap"].get("vm=" + n)
        check(vm is not None, "no swap line for %s (stderr: %s)" % (n, tail(r["err"])))
        check(num(vm, "pages_compressed", n) > 0, "nothing of %s was compressed" % n)
    check_compressed(r)
    return "both VMs' digests equal QEMU's in %d MiB, %.0f s" % (TWO_POOL_MIB, r["secs"])


# --- with the backup VM, and failovers --------------------------------------------------------

FT_FILL, FT_POOL_MIB = 300, 256


@once
def ft_run():
    r = run_measured([T, "run", "-k", K, "-i", I, "-a", append(FT_FILL), "--mem", MEM, "--machine-mem",
                      "%dM" % FT_POOL_MIB, "--compress", "lz4", "--backup", "--inject", "crash@6s",
                      "--inject", "hang@9s", "--no-rng-seed", "--max-insns", str(MAX_INSNS), "--stats"],
                     "ft", TIMEOUT * 2)
    r.update(swap=swap_stats(r["err"]), pool_mib=FT_POOL_MIB, alg="lz4", binary=T, fill=FT_FILL)
    return r


def t_ft():
    """A protected guest in a pool smaller than its RAM: the backup's pages are
    compressed (or held as the primary's equal copy), and failovers to a
    backup whose pages are compressed give the right data."""
    r = ft_run()
    check_matches_qemu(r, reference(FT_FILL))
    fo = [l for l in r["err"].splitlines() if re.match(r"tandem: (\S+: )?failover \d+:", l)]
    check(fo, "no failover happened (stderr: %s)" % tail(r["err"]))
    b = r["swap"].get("vm=vm0.backup")
    check(b is not None, "no swap line for the backup (stderr: %s)" % tail(r["err"]))
    held = num(b, "pages_compressed", "backup") + num(b, "twin_shared", "backup") + num(b, "same_pages", "backup")
    check(num(b, "orig_data_size", "backup") > 0 and held > 0, "the backup kept nothing compressed: %s" % b)
    check_compressed(r)
    return "%d failovers; backup: %s compressed bytes %s" % (len(fo), b["orig_data_size"], b["compr_data_size"])


# --- nothing left to free: paused, not corrupted ------------------------------------------------

def t_incompressible_pauses():
    """Random data cannot be compressed: when the pool is full of it, the VM
    pauses with the out-of-memory event, and Tandem stays responsive."""
    ctl = os.path.join(W, "hog.sock")
    t = Tandem(T, W, "tandem-hog", None, ["-k", K, "-i", I, "-a", BASE + " tandem.run=/usr/bin/tandem-memhog "
                                          "tandem.hog=300", "--mem", MEM, "--machine-mem", "%dM" % POOL_MIB,
                                          "--compress", "lz4", "--no-rng-seed", "--max-insns", str(MAX_INSNS),
                                          "--control", ctl, "--stats"])
    try:
        q = t.control(ctl, timeout=20)
        name = next(iter(q.vms()))
        wait_until(lambda: t.died() or q.vms()[name]["state"] == "paused", 240, "the VM to pause for memory")
        ev = q.wait_event(lambda e: e.get("event") == "OUT_OF_MEMORY", 5, "OUT_OF_MEMORY event")
        i0 = q.instructions(name)
        time.sleep(0.5)
        ran = q.instructions(name) - i0
        sw = q.cmd("query-swap")
        q.cmd("quit")
        rc = t.wait(30)
    finally:
        t.kill()
    check(ran == 0, "the paused VM executed %d instructions" % ran)
    check("memhog: read back" not in t.stdout(), "the hog finished in a pool too small for its random data")
    check(sw["huge_pages"] > 0 and sw["incompressible"] > 0, "query-swap shows no incompressible pages: %s" %
          {k: sw.get(k) for k in ("huge_pages", "incompressible")})
    check(rc == 0, "exit %d after quit (stderr: %s)" % (rc, tail(t.stderr())))
    return "paused (free %d bytes), huge_pages=%d" % (ev["data"]["free-bytes"], sw["huge_pages"])


# --- the control socket's view ---------------------------------------------------------------------

def t_query_swap():
    """query-swap while a guest is being squeezed: zram's names, the pool's
    classes, latencies, per-VM figures, all consistent with each other."""
    ctl = os.path.join(W, "q.sock")
    t = Tandem(T, W, "tandem-q", None, ["-k", K, "-i", I, "-a", append(FILL), "--mem", MEM, "--machine-mem",
                                        "%dM" % POOL_MIB, "--compress", "zstd", "--no-rng-seed",
                                        "--max-insns", str(MAX_INSNS), "--control", ctl])
    try:
        q = t.control(ctl, timeout=20)
        wait_until(lambda: t.died() or q.cmd("query-swap")["pages_compressed"] > 20000, 120,
                   "20000 pages compressed")
        sw = q.cmd("query-swap")
        one = q.cmd("query-swap", {"vm": "vm0"})
        s, v = q.stats()
        q.cmd("quit")
        t.wait(30)
    finally:
        t.kill()
    for k in ("orig_data_size", "compr_data_size", "mem_used_total", "mem_used_max", "same_pages", "huge_pages",
              "pages_compressed", "pages_faulted_in", "refaults", "latency-ns", "pool", "vms"):
        check(k in sw, "query-swap lacks %s: %s" % (k, sorted(sw)))
    check(sw["alg"] == "zstd", "alg %r" % sw["alg"])
    check(0 < sw["compr_data_size"] < sw["orig_data_size"], "compr %d, orig %d" % (sw["compr_data_size"],
                                                                               sw["orig_data_size"]))
    pool = sw["pool"]
    check(pool["compressed-bytes"] == sw["compr_data_size"], "pool bytes %d != compr_data_size %d" %
          (pool["compressed-bytes"], sw["compr_data_size"]))
    check(sw["mem_used_total"] == pool["frames"] * 4096 >= pool["compressed-bytes"], "pool frames %d for %d bytes" %
          (pool["frames"], pool["compressed-bytes"]))
    check(sum(c["objects"] for c in pool["classes"]) == pool["objects"], "class objects do not add up")
    check(sw["latency-ns"]["compress"]["count"] >= sw["pages_compressed"] > 0, "compress latency count %d" %
          sw["latency-ns"]["compress"]["count"])
    check(one["orig_data_size"] == sw["vms"][0]["orig_data_size"], "per-VM figures differ between queries")
    check("swap" in v["vm0"] and "swap" in s["machine"], "query-stats has no swap objects")
    return "ratio %.2f, %d classes in use, fragmentation %.3f" % (sw["ratio"], len(pool["classes"]),
                                                                sw["fragmentation"])


# --- bad input -------------------------------------------------------------------------------------

def t_bad_flags():
    """A wrong value is named in the message and nothing runs."""
    cases = [(["--compress", "gzip"], "gzip"), (["--compress-threshold", "5000"], "5000"),
             (["--swap-low", "lots"], "lots"), (["--swap-low", "64M", "--swap-high", "8M"], "high")]
    for args, word in cases:
        r = run_measured([T, "run", "-k", K, "--mem", "64M"] + args, "bad", 20)
        check(r["rc"] == 1 and word in r["err"], "%s: exit %d, stderr %r" % (" ".join(args), r["rc"],
                                                                            tail(r["err"], 1)))
    import json
    path = os.path.join(W, "bad.json")
    with open(path, "w") as f:
        json.dump({"compress": "brotli", "vms": [{"name": "a", "kernel": K, "mem": "64M", "console": "null"}]}, f)
    r = run_measured([T, "run", "--config", path], "bad-config", 20)
    check(r["rc"] == 1 and "compress" in r["err"] and "brotli" in r["err"] and "bad.json" in r["err"],
          "config compress brotli: exit %d, %r" % (r["rc"], tail(r["err"], 1)))
    return "%d flags and one config key refused by name" % len(cases)


def guarded(fn):
    """Any unexpected error is the test's FAIL line, never the suite's end."""
    def run():
        try:
            return fn()
        except Fail:
            raise
        except Exception as e:  # noqa: BLE001
            raise Fail("%s: %s" % (type(e).__name__, e))
    return run


TESTS = ([("swap-memfill-detects-corruption", t_memfill_detects_corruption),
          ("swap-qemu-oracle", t_qemu_oracle)] +
         [t for alg in ALGS for t in alg_tests(alg)] +
         [("swap-sanitized-%s" % SAN_ALG, t_san),
          ("swap-compress-off-pauses", t_compress_off),
          ("swap-two-vms-one-pool", t_two_vms),
          ("swap-backup-failover", t_ft),
          ("swap-incompressible-pauses", t_incompressible_pauses),
          ("swap-query-swap", t_query_swap),
          ("swap-bad-input", t_bad_flags)])

if __name__ == "__main__":
    t0 = time.monotonic()
    run_tests([(n, guarded(f)) for n, f in TESTS], O["only"])
    print("INFO swap: the suite's runs took %.0f s" % (time.monotonic() - t0), flush=True)
