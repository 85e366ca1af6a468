#!/bin/sh
# Guest side of bench/programs-bench.sh (/usr/bin/programs-workload, run by
# /init from tandem.run=): python3 then sqlite3, each timed with /proc/uptime,
# their output framed by PROGRAM-BEGIN/END lines for the host to compare.
# bench.scale=N on the kernel command line scales the python3 work.
scale=$(sed -n 's/.*bench\.scale=\([0-9]*\).*/\1/p' /proc/cmdline)
up() { cut -d' ' -f1 /proc/uptime; }
run() { # NAME CMD...: run CMD, output to /tmp/NAME.out, print framed output and time
    name=$1
    shift
    t0=$(up)
    "$@" >/tmp/$name.out 2>&1
    rc=$?
    t1=$(up)
    echo "PROGRAM-BEGIN $name"
    cat /tmp/$name.out
    echo "PROGRAM-END $name rc=$rc"
    echo "PROGRAM-TIME $name $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    [ $rc = 0 ]
}
cd /tmp
ok=0
run python3 python3 /usr/share/programs-bench/work.py "${scale:-1}" || ok=1
run sqlite3 sqlite3 /tmp/bench.db -init /dev/null -batch </usr/share/programs-bench/work.sql || ok=1
exit $ok
