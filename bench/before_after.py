#!/usr/bin/env python3
"""Same-run figures of two builds of ddb: heap allocations per call
(bench_alloc) and client CPU per call (bench_client, user+sys from
getrusage), the "before" and "after" binaries alternated against one canned
nginx, so drift and neighbours hit both alike.

    bench/before_after.py BEFORE AFTER [--rounds R] [--seconds S] [--calls N] [--out FILE]

BEFORE, AFTER: a folder holding bench_client and bench_alloc, or a build
folder (with bench/ inside), e.g. /work/bench-before16 and build/release.
Each binary reads bench/canned/*-request.json from the checkout it was built
from (DDB_SOURCE_DIR): keep that checkout where it was built.

CPU per call: median over R rounds (order before/after swapped every round)
of each (operation, calls in flight, io threads); the spread (min-max over
the rounds) is printed too: on a shared 2-core machine a few percent is
noise. Allocations are counted exactly (bench_alloc replaces malloc), one run
each. Instructions per call (user space, all threads): valgrind's cachegrind
(no cache simulation) counts those of two bench_alloc runs of N1 and N2 calls
per path; the difference over 3 × (N2 − N1) is the mean of its three paths,
without start-up and warm-up, and repeats to within 0.1% (--no-instructions
skips it; it needs valgrind). Prints a Markdown table; --out also writes it, and the raw JSON lines
next to it (FILE.json). Python standard library only.
"""
import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_run", HERE / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

# (op, calls in flight, io threads): what a co_await user of client::call pays.
CPU_CASES = [("getitem", 1, 1), ("getitem", 16, 1), ("putitem", 16, 1), ("getitem", 16, 2)]
ALLOC_PATHS = {"call_getitem": "GetItem (client::call)", "typed_getitem": "GetItem (client::get_item)",
               "call_putitem": "PutItem (client::call)"}


def binary(folder, name):
    folder = Path(folder).resolve()
    for p in (folder / name, folder / "bench" / name):
        if p.is_file():
            return str(p)
    raise SystemExit(f"no {name} in {folder} nor {folder / 'bench'}")


def cpu_runs(exe, nginx, seconds, rnd):
    """One measurement of each CPU case by one binary; JSON objects."""
    out = []
    for op, c, threads in CPU_CASES:
        lines, _ = run.run_json([exe, "--endpoint", nginx.url, "--op", op, "--concurrency", str(c),
                                 "--seconds", str(seconds), "--threads", str(threads)])
        d = lines[-1]
        d["round"] = rnd
        out.append(d)
    return out


def alloc_run(exe, nginx, calls):
    lines, _ = run.run_json([exe, "--endpoint", nginx.url, "--calls", str(calls), "--warmup", "1000"])
    return {d["path"]: d for d in lines}


def instructions(exe, nginx, calls):
    """User-space instructions of one bench_alloc run of `calls` calls per path."""
    p = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                        exe, "--endpoint", nginx.url, "--calls", str(calls), "--warmup", "200"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"valgrind {exe} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def instructions_per_call(exe, nginx, n1=300, n2=1300):
    return (instructions(exe, nginx, n2) - instructions(exe, nginx, n1)) / (3 * (n2 - n1))


def table(builds, cpu, alloc, names, ir=None):
    out = [f"| figure | {names[0]} | {names[1]} | {names[1]}/{names[0]} |", "|---|---|---|---|"]
    if ir:
        a, b = (ir[k] for k in builds)
        out.append(f"| Instructions per call (user space; mean of GetItem call, GetItem typed, PutItem call; "
                   f"one in flight) | {a:,.0f} | {b:,.0f} | {b / a:.4f} |")
    for path, what in ALLOC_PATHS.items():
        a, b = (alloc[k].get(path) for k in builds)
        if a and b:
            out.append(f"| Heap allocations per {what} | {a['allocs_per_call']:.1f} allocs, "
                       f"{a['bytes_per_call']:,.0f} B | {b['allocs_per_call']:.1f} allocs, "
                       f"{b['bytes_per_call']:,.0f} B | {b['allocs_per_call'] / a['allocs_per_call']:.2f} |")
    for op, c, threads in CPU_CASES:
        cells = []
        for k in builds:
            rs = [d for d in cpu[k] if (d["op"], d["concurrency"], d.get("threads", 1)) == (op, c, threads)]
            v = [d["cpu_us_per_call"] for d in rs]
            cells.append((statistics.median(v), min(v), max(v), statistics.median(d["rps"] for d in rs)))
        (a, alo, ahi, arps), (b, blo, bhi, brps) = cells
        out.append(f"| {run.OPS[op]} client CPU per call, {c} in flight, {threads} io thread"
                   f"{'s' if threads > 1 else ''} | {a:.2f} µs ({alo:.1f}–{ahi:.1f}; {arps:,.0f}/s) | "
                   f"{b:.2f} µs ({blo:.1f}–{bhi:.1f}; {brps:,.0f}/s) | {b / a:.2f} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=2)
    ap.add_argument("--calls", type=int, default=20000, help="counted calls per bench_alloc path")
    ap.add_argument("--names", default="before,after", help="column names, comma-separated")
    ap.add_argument("--no-instructions", action="store_true", help="skip the valgrind instruction counts")
    ap.add_argument("--out", help="also write the table to this file (and the raw JSON to FILE.json)")
    args = ap.parse_args()
    names = args.names.split(",")
    builds = {"before": args.before, "after": args.after}
    exe = {k: {n: binary(v, n) for n in ("bench_client", "bench_alloc")} for k, v in builds.items()}
    load0 = Path("/proc/loadavg").read_text().split()[:3]
    cpu, alloc, ir = {"before": [], "after": []}, {}, {}
    count_ir = not args.no_instructions and shutil.which("valgrind")
    if not args.no_instructions and not count_ir:
        run.log("no valgrind: no instruction counts")
    with tempfile.TemporaryDirectory(prefix="ddb-before-after-") as tmp:
        nginx = run.Nginx(tmp)
        try:
            for k in builds:
                alloc[k] = alloc_run(exe[k]["bench_alloc"], nginx, args.calls)
                run.log(f"alloc {k}: {alloc[k]['call_getitem']['allocs_per_call']} per GetItem (call)")
            for k in builds if count_ir else ():
                ir[k] = instructions_per_call(exe[k]["bench_alloc"], nginx)
                run.log(f"instructions {k}: {ir[k]:,.0f} per call")
            for rnd in range(args.rounds):
                for k in (["before", "after"] if rnd % 2 == 0 else ["after", "before"]):
                    cpu[k] += cpu_runs(exe[k]["bench_client"], nginx, args.seconds, rnd)
                    run.log(f"round {rnd} {k}: " + ", ".join(
                        f"{d['op']} c{d['concurrency']} t{d['threads']} {d['cpu_us_per_call']:.1f} µs"
                        for d in cpu[k][-len(CPU_CASES):]))
        finally:
            nginx.stop()
    load1 = Path("/proc/loadavg").read_text().split()[:3]
    md = table(list(builds), cpu, alloc, names, ir)
    md += (f"\n\n{names[0]}: `{args.before}`; {names[1]}: `{args.after}`; {args.rounds} rounds of "
           f"{args.seconds:g} s per CPU figure (median, min–max over the rounds; throughput median), "
           f"order swapped every round; load {' '.join(load0)} at start, {' '.join(load1)} at end.\n")
    print(md)
    if args.out:
        Path(args.out).write_text(md)
        Path(args.out + ".json").write_text(json.dumps({"cpu": cpu, "alloc": alloc, "instructions_per_call": ir,
                                                     "builds": builds}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
