#!/usr/bin/env python3
"""The benchmark report: runs every bench_<topic> program next to its peer in
the same run and writes bench/results/latest.{md,json} and the PNG plots.

    bench/run.py --build build/release [--quick] [--out DIR] [--only LIST]

scripts/bench builds the programs and calls this. Servers are started here
on free loopback ports and stopped by PID: nginx with canned answers
(bench/canned) for the client benchmarks, dynalite for the replay and the
subscriptions; bench/es.sh starts its own dynalite and moto. Python standard
library only.

--only: a comma list of parts (sigv4, decode, client, scaling, alloc, es,
replay, subscription, soak) to run a subset while working on one (then pass
--out too: the report is written with what ran).
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["sigv4", "decode", "streams", "client", "scaling", "alloc", "es", "replay", "subscription", "soak"]
T0 = time.monotonic()


def log(msg):
    print(f"[bench {time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_json(cmd, cwd=None, env=None):
    """Runs cmd; returns (JSON objects printed one per line, its CPU seconds).

    CPU: getrusage(RUSAGE_CHILDREN) around the run (user+sys of the child and
    of what it waited for; servers started here are reaped only at the end)."""
    cpu0 = children_cpu()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cpu = children_cpu() - cpu0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stderr}{p.stdout}")
    if p.stderr.strip():
        sys.stderr.write(p.stderr)
    out = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out, cpu


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what):
    for _ in range(200):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


def proc_cpu(pid):
    """CPU seconds (user+sys) a live process used so far, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Nginx:
    """nginx (one worker) answering with bench/canned bodies per X-Amz-Target."""

    def __init__(self, tmp):
        self.dir = Path(tmp) / "nginx"
        self.dir.mkdir()
        self.port = free_port()
        body = (ROOT / "bench/canned/getitem.json").read_text().rstrip("\r\n")
        conf = (ROOT / "bench/canned/nginx.conf.in").read_text()
        esc = body.replace("\\", "\\\\").replace("'", "\\'")
        for k, v in {"@DIR@": str(self.dir), "@PORT@": str(self.port),
                     "@GETITEM_CRC@": str(zlib.crc32(body.encode())),
                     "@EMPTY_CRC@": str(zlib.crc32(b"{}")), "@GETITEM_BODY@": esc}.items():
            conf = conf.replace(k, v)
        (self.dir / "nginx.conf").write_text(conf)
        self.proc = subprocess.Popen(["nginx", "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
                                     stdin=subprocess.DEVNULL)
        wait_port(self.port, self.proc, "nginx")
        self.url = f"http://127.0.0.1:{self.port}"

    def worker_cpu(self):
        """CPU seconds of nginx's worker(s) so far (the server side of a run)."""
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            kids = []
        return sum(proc_cpu(int(k)) for k in kids)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class LocalDynamo:
    """scripts/local-dynamodb: moto or dynalite on a free port, stopped by PID."""

    def __init__(self, kind, tmp):
        self.state = str(Path(tmp) / f"{kind}.state")
        self.url = subprocess.run([str(ROOT / "scripts/local-dynamodb"), "start", kind, self.state],
                                  check=True, stdout=subprocess.PIPE, text=True).stdout.strip()

    def stop(self):
        subprocess.run([str(ROOT / "scripts/local-dynamodb"), "stop", self.state], check=False)


# ---------------------------------------------------------------- the parts


def bench_sigv4(ctx):
    lines, _ = run_json([ctx.bin("bench_sigv4")] + (["--quick"] if ctx.quick else []))
    out = {d["bench"]: d for d in lines}
    log(f"sigv4: sign/floor {out['sigv4_sign']['ratio']}")
    return out


def bench_decode(ctx):
    lines, _ = run_json([ctx.bin("bench_decode")] + (["--quick"] if ctx.quick else []))
    out = {d["bench"]: d for d in lines}
    log(f"decode: decode/raw {out['query_page_decode']['ratio']}")
    return out


def bench_streams(ctx):
    """GetRecords pages of 1,000 NEW_AND_OLD_IMAGES records: ddb and the JS SDK decode the same
    page (written by bench_streams) in the same run; CPU per record and JS/ddb."""
    page = str(Path(ctx.tmp) / "getrecords-page.json")
    seconds = "2" if ctx.quick else "5"
    lines, _ = run_json([ctx.bin("bench_streams"), "--seconds", seconds, "--write-page", page])
    ddb = lines[-1]
    js_lines, _ = run_json(["node", str(ROOT / "bench/js/streams.mjs"), page, seconds])
    js = js_lines[-1]
    ratio = round(js["cpu_us_per_record"] / ddb["cpu_us_per_record"], 2)
    page_ratio = round(js["cpu_us_per_record"] / ddb["page_cpu_us_per_record"], 2)
    log(f"streams: ddb {ddb['cpu_us_per_record']} us/record (get_records), "
        f"{ddb['page_cpu_us_per_record']} us/record (get_records_page), JS SDK "
        f"{js['cpu_us_per_record']} us/record: JS/ddb {ratio}, JS/page {page_ratio}")
    return {"ddb": ddb, "js": js, "js_over_ddb": ratio, "js_over_page": page_ratio}


def one_client_run(ctx, nginx, impl, op, c, seconds, threads=1):
    """One measurement of one client; the same JSON shape for all three."""
    srv0 = nginx.worker_cpu()
    if impl == "ddb":
        lines, proc_cpu_s = run_json([ctx.bin("bench_client"), "--endpoint", nginx.url, "--op", op,
                                      "--concurrency", str(c), "--seconds", str(seconds),
                                      "--threads", str(threads)])
        d = lines[-1]
    elif impl == "wrk":
        lua = ctx.wrk_lua(nginx, op)
        # One wrk thread, as ddb's one io thread and Node's one.
        lines, proc_cpu_s = run_json(["wrk", "-t1", f"-c{c}", f"-d{seconds}s", "-s", lua, nginx.url + "/"])
        d = lines[-1]
        if d["non2xx"] or d["socket_errors"]:
            raise RuntimeError(f"wrk {op} c{c}: {d['non2xx']} non-2xx, {d['socket_errors']} socket errors")
        # wrk has no warm-up phase: its whole process CPU is over the timed run.
        d.update(bench="client", op=op, concurrency=c, cpu_s=round(proc_cpu_s, 4),
                 cpu_us_per_call=round(proc_cpu_s * 1e6 / max(1, d["calls"]), 2))
    else:
        lines, proc_cpu_s = run_json(["node", str(ROOT / "bench/js/getitem.mjs"), nginx.url, str(c),
                                      str(seconds), op], cwd=ROOT)
        d = lines[-1]
    d["server_cpu_s"] = round(nginx.worker_cpu() - srv0, 3)
    d["process_cpu_s"] = round(proc_cpu_s, 4)  # the whole process, warm-up and start included
    d.setdefault("threads", 1)
    return d


def bench_client(ctx, nginx):
    """Every (op, concurrency): ddb, wrk and JS back to back, order rotated per
    round so drift and neighbours hit all three alike."""
    runs = []
    impls = ["ddb", "wrk", "js"]
    for rnd in range(ctx.rounds):
        for op, concurrencies in ctx.client_plan:
            for i, c in enumerate(concurrencies):
                k = (rnd + i) % 3
                for impl in impls[k:] + impls[:k]:
                    d = one_client_run(ctx, nginx, impl, op, c, ctx.seconds)
                    d["round"] = rnd
                    runs.append(d)
                    log(f"client {op} c{c} {impl}: {d['rps']:.0f}/s p50 {d['p50_us']:.0f} us")
    return runs


def bench_client_threads(ctx, nginx):
    """Client CPU per call (user+sys of the process, getrusage) of one client on
    1 and on 2 io threads, both in the same bench_client process, rounds
    alternating the order: what a second io thread costs per call (locking,
    wake-ups, cache traffic), not the throughput it adds."""
    runs = []
    for c in ctx.threads_concurrency:
        lines, _ = run_json([ctx.bin("bench_client"), "--endpoint", nginx.url, "--op", "getitem",
                             "--concurrency", str(c), "--seconds", str(ctx.seconds), "--threads", "1,2",
                             "--rounds", str(ctx.threads_rounds)])
        runs += lines
        for t in (1, 2):
            cpu = statistics.median(d["cpu_us_per_call"] for d in lines if d["threads"] == t)
            log(f"client threads c{c}: {t} io thread(s): {cpu:.2f} µs CPU per call")
    return runs


def bench_scaling(ctx, nginx):
    """The same client on 1 and 2 io threads, alternated."""
    runs = []
    for rnd in range(ctx.rounds):
        for c in ctx.scaling_concurrency:
            for threads in ([1, 2] if rnd % 2 == 0 else [2, 1]):
                d = one_client_run(ctx, nginx, "ddb", "getitem", c, ctx.seconds, threads)
                d["round"] = rnd
                runs.append(d)
                log(f"scaling c{c} threads={threads}: {d['rps']:.0f}/s")
    return runs


def bench_alloc(ctx, nginx):
    calls, warm = (2000, 200) if ctx.quick else (20000, 1000)
    lines, _ = run_json([ctx.bin("bench_alloc"), "--endpoint", nginx.url, "--calls", str(calls),
                         "--warmup", str(warm)])
    out = {d["path"]: d for d in lines}
    log(f"alloc: {out['call_getitem']['allocs_per_call']} allocations per GetItem")
    return out


def bench_es(ctx):
    env = dict(os.environ, DDB_BENCH_BUILD_DIR=str(ctx.build))
    lines, _ = run_json(["bash", str(ROOT / "bench/es.sh")] + (["--quick"] if ctx.quick else []), env=env)
    runs = [d for d in lines if "impl" in d]
    summary = {f"{d['bench']}_{d['server']}": d for d in lines if "js_over_ddb" in d}
    return {"runs": runs, "summary": summary}


def bench_replay(ctx, tmp):
    server = LocalDynamo("dynalite", tmp)
    try:
        lines, _ = run_json([ctx.bin("bench_replay"), "--endpoint", server.url, "--events",
                             str(ctx.replay_events)])
    finally:
        server.stop()
    return lines[-1]


def bench_stream_latency(ctx):
    """bench_stream_latency on a fresh moto: PutItems at a steady rate, a read_shard reader
    from LATEST; per item, PutItem sent -> record arrived; p50/p99/max per idle interval.
    Its peer, bench/js/stream_latency.mjs (the JS SDK's GetRecords loop), on the same moto
    right after (its own table)."""
    server = LocalDynamo("moto", ctx.tmp)
    idle = "0,50,250,1000"
    try:
        items, rate = ("60", "20") if ctx.quick else ("300", "50")
        lines, _ = run_json([ctx.bin("bench_stream_latency"), "--endpoint", server.url,
                             "--items", items, "--rate", rate, "--idle-ms", idle])
        js_lines, _ = run_json(["node", str(ROOT / "bench/js/stream_latency.mjs"), server.url,
                                items, rate, idle])
    finally:
        server.stop()
    js = {d["idle_ms"]: d for d in js_lines}
    for d in lines:
        j = js.get(d["idle_ms"], {})
        d["js"] = j
        log(f"stream latency: idle {d['idle_ms']} ms: p50 {d['p50_ms']:.0f} ms, "
            f"p99 {d['p99_ms']:.0f} ms, max {d['max_ms']:.0f} ms; JS SDK p50 "
            f"{j.get('p50_ms', float('nan')):.0f} ms, p99 {j.get('p99_ms', float('nan')):.0f} ms")
    return lines


def bench_subscription(ctx, tmp):
    """bench_subscription on a fresh dynalite: the live latency with the safe
    and with a short (unsafe) horizon, then the catch-up throughput of a
    subscription against replay of the same events, alternated in rounds."""
    server = LocalDynamo("dynalite", tmp)
    try:
        lines, _ = run_json([ctx.bin("bench_subscription"), "--endpoint", server.url,
                             "--latency-events", str(ctx.subscription_latency_events),
                             "--catchup-events", str(ctx.subscription_catchup_events),
                             "--rounds", str(ctx.subscription_rounds),
                             "--worker-events", str(ctx.subscription_worker_events)])
    finally:
        server.stop()
    out = {"latency": [d for d in lines if d["bench"] == "subscription_latency"],
           "catchup": next(d for d in lines if d["bench"] == "subscription_catchup"),
           "workers": next(d for d in lines if d["bench"] == "subscription_workers")}
    for d in out["latency"]:
        log(f"subscription: horizon {d['horizon_ms']} ms: p50 {d['p50_ms']:.0f} ms, p99 {d['p99_ms']:.0f} ms")
    log(f"subscription: catch-up {out['catchup']['sub_events_per_s']:.0f} events/s, "
        f"replay {out['catchup']['replay_events_per_s']:.0f}/s, ratio {out['catchup']['ratio']}")
    log(f"subscription: workers {out['workers']['four_workers_events_per_s']:.0f} events/s (4) vs "
        f"{out['workers']['one_worker_events_per_s']:.0f} (1), ratio {out['workers']['ratio']}")
    return out


def bench_soak(ctx):
    """bench_soak (bench/soak.cpp, another engineer's): 256 calls in flight
    (PutItem/GetItem) against dynalite through the tests' proxy; peak RSS and
    peak connections open. Run when it is built (scripts/bench builds it once
    bench/CMakeLists.txt names it). It exits 1 when one of its checks fails:
    its JSON line is still recorded, with the checks, as the row's "met"."""
    exe = ctx.build / "bench" / "bench_soak"
    failed = ctx.build / "bench" / "bench_soak.failed"
    if failed.exists():  # scripts/bench could not build it
        raise RuntimeError("bench_soak did not build: " + failed.read_text().strip()[-300:])
    if not exe.exists():
        return None
    ops = 4000 if ctx.quick else 20000
    p = subprocess.run([str(exe), "--server", "dynalite", "--ops", str(ops), "--in-flight", "256"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    objs = [json.loads(l) for l in p.stdout.splitlines() if l.strip().startswith("{")]
    if not objs:
        kv = dict(l.split("=", 1) for l in p.stdout.split() if "=" in l)
        objs = [{k: _num(v) for k, v in kv.items()}] if kv else []
    if not objs:
        raise RuntimeError(f"bench_soak printed no result ({p.returncode}):\n{p.stderr}{p.stdout}")
    d = objs[-1]
    d["exit_status"] = p.returncode
    if p.stderr.strip():
        d["stderr_tail"] = p.stderr.strip()[-500:]
    log(f"soak: exit {p.returncode}, peak RSS {d.get('rss_peak_kb', '?')} kB, "
        f"peak connections {d.get('proxy_peak_connections_open', '?')}")
    return d


def _num(v):
    try:
        return float(v) if "." in v or "e" in v else int(v)
    except ValueError:
        return v


# ------------------------------------------------------------ the report


def med(runs, field):
    return statistics.median(r[field] for r in runs)


def summarize_client(runs):
    """Median over rounds of each (impl, op, concurrency, threads)."""
    groups = {}
    for r in runs:
        groups.setdefault((r["impl"], r["op"], r["concurrency"], r.get("threads", 1)), []).append(r)
    out = []
    for (impl, op, c, threads), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
        s = {"impl": impl, "op": op, "concurrency": c, "threads": threads, "rounds": len(rs)}
        for f in ("rps", "p50_us", "p90_us", "p99_us", "p999_us", "cpu_us_per_call", "server_cpu_s", "seconds"):
            if all(f in r for r in rs):
                s[f] = round(med(rs, f), 2)
        out.append(s)
    return out


def pick(summary, impl, op, c, threads=1):
    for s in summary:
        if (s["impl"], s["op"], s["concurrency"], s["threads"]) == (impl, op, c, threads):
            return s
    return None


def fmt_rate(x):
    return f"{x:,.0f}/s"


def fmt_us(x):
    return f"{x:,.1f} µs" if x < 100 else f"{x:,.0f} µs"


def row(benchmark, ddb, peer, ratio, target, met, key, data=None, **more):
    """One table line; `data` (and `more`) the figures behind it, for the JSON."""
    return {"key": key, "benchmark": benchmark, "ddb": ddb, "peer": peer,
            "ratio": None if ratio is None else round(ratio, 3), "target": target, "met": met,
            "data": {**(data or {}), **more}}


OPS = {"getitem": "GetItem", "putitem": "PutItem"}
THREADS_TARGET = 1.15  # 2 io threads: CPU per call at most 1.15 × that of 1 thread
CLIENT_TARGETS = {("getitem", 1, "wrk"): 0.75, ("getitem", 16, "wrk"): 0.5, ("getitem", 16, "js"): 40}


def build_rows(ctx, res, errors=None):
    rows = []
    if "sigv4" in res:
        s = res["sigv4"]["sigv4_sign"]
        rows.append(row("SigV4 signing, 1 KB PutItem (key cached)", fmt_us(s["ns_per_op"] / 1000),
                        f"hashing floor {fmt_us(s['floor_ns'] / 1000)}", s["ratio"], "ddb/floor ≤ 2",
                        s["ratio"] <= 2, "sigv4_sign", ddb_ns=s["ns_per_op"], floor_ns=s["floor_ns"]))
        s = res["sigv4"]["sigv4_sign_cold"]
        rows.append(row("SigV4 signing, key derived per call", fmt_us(s["ns_per_op"] / 1000),
                        f"hashing floor {fmt_us(s['floor_ns'] / 1000)}", s["ratio"], "—", None,
                        "sigv4_sign_cold", ddb_ns=s["ns_per_op"], floor_ns=s["floor_ns"]))
    if "decode" in res:
        d = res["decode"]["query_page_decode"]
        rows.append(row("1 MB Query page decode", f"{d['mb_per_s']:.0f} MB/s",
                        f"raw Boost.JSON parse {d['raw_parse_mb_per_s']:.0f} MB/s", d["ratio"],
                        "ddb/raw ≥ 0.5", d["ratio"] >= 0.5, "query_page_decode",
                        ddb_mb_per_s=d["mb_per_s"], raw_mb_per_s=d["raw_parse_mb_per_s"]))
    if "streams" in res:
        d, j = res["streams"]["ddb"], res["streams"]["js"]
        what = (f"{d['records_per_page']:,} NEW_AND_OLD_IMAGES records "
                f"({d['page_bytes'] / 1e6:.1f} MB), CPU per record")
        js_us = j["cpu_us_per_record"]
        # The tree path (the fallback) and the text decoder (get_records,
        # owning records): figures beside the target, which is the page's.
        rows.append(row(f"GetRecords decode, tree path (json::parse + tree decoder), {what}",
                        fmt_us(d["tree_decode_us_per_record"]), f"JS SDK {fmt_us(js_us)}",
                        js_us / d["tree_decode_us_per_record"], "—", None, "streams_decode_tree",
                        ddb_us=d["tree_decode_us_per_record"], js_us=js_us))
        rows.append(row(f"GetRecords call, text decoder (get_records: stream_record, ddb::item), "
                        f"{what}", fmt_us(d["cpu_us_per_record"]), f"JS SDK {fmt_us(js_us)}",
                        res["streams"]["js_over_ddb"], "— (owning records; see the page view)",
                        None, "streams_decode",
                        ddb_us=d["cpu_us_per_record"], js_us=js_us,
                        ddb_decode_only_us=d["decode_us_per_record"],
                        ddb_tree_decode_us=d.get("tree_decode_us_per_record"),
                        tokenize_floor_us=d.get("tokenize_us_per_record")))
        if "page_cpu_us_per_record" in d:
            rows.append(row(f"GetRecords call, page view (get_records_page: stream_record_view), "
                            f"{what}", fmt_us(d["page_cpu_us_per_record"]),
                            f"JS SDK {fmt_us(js_us)}", res["streams"]["js_over_page"],
                            "JS/ddb ≥ 20", res["streams"]["js_over_page"] >= 20,
                            "streams_decode_page", ddb_us=d["page_cpu_us_per_record"],
                            js_us=js_us, ddb_decode_only_us=d["page_decode_us_per_record"],
                            tokenize_floor_us=d.get("tokenize_us_per_record")))
    for d in res.get("stream_latency", []):
        rows.append(row(f"Streams latency on moto, PutItem to record at a read_shard reader, "
                        f"idle interval {d['idle_ms']} ms ({d['items']} items, {d['rate_per_s']:.0f}/s)",
                        f"p50 {d['p50_ms']:.0f} ms, p99 {d['p99_ms']:.0f} ms, max {d['max_ms']:.0f} ms",
                        (f"JS SDK p50 {d['js']['p50_ms']:.0f} ms, p99 {d['js']['p99_ms']:.0f} ms"
                         if d.get("js") else "—"), None, "—", None, "stream_latency", data=d))
    if "client" in res:
        sm = res["client_summary"]
        for op, concurrencies in ctx.client_plan:
            for c in concurrencies:
                if c not in (1, 16, 256) and len(concurrencies) > 3:
                    continue  # in the plots and the JSON
                d = pick(sm, "ddb", op, c)
                for peer, name in (("wrk", "wrk"), ("js", "JS SDK")):
                    p = pick(sm, "js-sdk" if peer == "js" else peer, op, c)
                    if not d or not p:
                        continue
                    ratio = d["rps"] / p["rps"]
                    t = CLIENT_TARGETS.get((op, c, peer))
                    rows.append(row(f"{OPS[op]}, {c} in flight, vs {name}", fmt_rate(d["rps"]),
                                    f"{name} {fmt_rate(p['rps'])}", ratio,
                                    f"ddb/{peer} ≥ {t:g}" if t else "—", ratio >= t if t else None,
                                    f"{op}_c{c}_vs_{peer}", ddb_rps=d["rps"], peer_rps=p["rps"]))
        c = 16 if any(16 in cs for _, cs in ctx.client_plan) else ctx.client_plan[0][1][0]
        d, j = pick(sm, "ddb", "getitem", c), pick(sm, "js-sdk", "getitem", c)
        if d and j:
            rows.append(row(f"GetItem client CPU per call, {c} in flight", fmt_us(d["cpu_us_per_call"]),
                            f"JS SDK {fmt_us(j['cpu_us_per_call'])}", j["cpu_us_per_call"] / d["cpu_us_per_call"],
                            "— (ratio: JS/ddb)", None, f"getitem_c{c}_cpu_per_call",
                            ddb_us=d["cpu_us_per_call"], js_us=j["cpu_us_per_call"]))
    if "client_threads" in res:
        sm = res["client_threads_summary"]
        for c in ctx.threads_concurrency:
            one, two = pick(sm, "ddb", "getitem", c, 1), pick(sm, "ddb", "getitem", c, 2)
            if one and two:
                f = two["cpu_us_per_call"] / one["cpu_us_per_call"]
                rows.append(row(f"GetItem client CPU per call, {c} in flight, 2 io threads vs 1 (same run)",
                                f"2 threads {fmt_us(two['cpu_us_per_call'])}",
                                f"1 thread {fmt_us(one['cpu_us_per_call'])}", f,
                                f"2t/1t ≤ {THREADS_TARGET:g}", f <= THREADS_TARGET, f"client_threads_c{c}_cpu",
                                cpu_us_1=one["cpu_us_per_call"], cpu_us_2=two["cpu_us_per_call"],
                                rps_1=one["rps"], rps_2=two["rps"], rounds=one["rounds"]))
    if "alloc" in res:
        names = {"call_getitem": "GetItem (client::call)", "typed_getitem": "GetItem (client::get_item)",
                 "call_putitem": "PutItem (client::call)",
                 "request_copy": "copy of a reused get_item_request (by-value requests)",
                 "async_getitem": "GetItem (async_get_item, use_awaitable)"}
        for path, name in names.items():
            a = res["alloc"].get(path)
            if a:
                rows.append(row(f"Heap allocations per {name}",
                                f"{a['allocs_per_call']:.1f} allocs, {a['bytes_per_call']:,.0f} B",
                                "—", None, "counted", None, f"alloc_{path}", data=a))
    if "scaling" in res:
        sm = res["scaling_summary"]
        for c in ctx.scaling_concurrency:
            one, two = pick(sm, "ddb", "getitem", c, 1), pick(sm, "ddb", "getitem", c, 2)
            if one and two:
                f = two["rps"] / one["rps"]
                rows.append(row(f"GetItem, {c} in flight, 2 io threads vs 1", fmt_rate(two["rps"]),
                                f"1 thread {fmt_rate(one['rps'])}", f, "stated (×2 is ideal)", None,
                                f"scaling_c{c}", rps_1=one["rps"], rps_2=two["rps"], factor=round(f, 3),
                                server_cpu_share_1=round(one["server_cpu_s"] / one["seconds"], 2),
                                server_cpu_share_2=round(two["server_cpu_s"] / two["seconds"], 2)))
    if "es" in res:
        for server in ("dynalite", "moto"):
            for bench, what in (("es_append", "Event append"), ("es_load", "Aggregate load")):
                s = res["es"]["summary"].get(f"{bench}_{server}")
                if not s:
                    continue
                target = bench == "es_load"
                rows.append(row(f"{what} CPU per event ({server})", fmt_us(s["ddb_cpu_us_per_event"]),
                                f"JS SDK {fmt_us(s['js_cpu_us_per_event'])}", s["js_over_ddb"],
                                "JS/ddb ≥ 20" if target else "— (ratio: JS/ddb)",
                                s["js_over_ddb"] >= 20 if target else None, f"{bench}_{server}", data=s))
    if "replay" in res:
        r = res["replay"]
        rows.append(row(f"Replay of {r['events']:,} events (dynalite)", f"{r['events_per_s']:,.0f} events/s",
                        f"peak RSS {r['rss_peak_during_mb']:.0f} MB (before {r['rss_before_mb']:.0f} MB)",
                        None, "reported" + (" (quick: fewer events)" if ctx.quick else ""), None,
                        "es_replay", data=r))
    if "subscription" in res:
        for d in res["subscription"]["latency"]:
            safe = d["safe"]
            what = (f"safe horizon {d['horizon_ms'] / 1000:g} s" if safe else
                    f"horizon {d['horizon_ms']} ms (unsafe: below the safe horizon)")
            rows.append(row(f"Subscription latency, append to live subscriber, {what} (dynalite)",
                            f"p50 {d['p50_ms']:,.0f} ms, p99 {d['p99_ms']:,.0f} ms",
                            f"horizon {d['horizon_ms']:,} ms: p50 − horizon {d['p50_over_horizon_ms']:,.0f} ms",
                            None, f"reported (poll {d['poll_interval_ms']} ms, idle back-off to "
                            f"{d['max_poll_interval_ms']} ms; {d['events']} events at {d['rate_per_s']:g}/s)",
                            None, "subscription_latency_" + ("safe" if safe else "short"), data=d))
        d = res["subscription"]["catchup"]
        rows.append(row(f"Subscription catch-up of {d['events']:,} events vs replay (dynalite)",
                        f"{d['sub_events_per_s']:,.0f} events/s",
                        f"replay {d['replay_events_per_s']:,.0f} events/s", d["ratio"],
                        f"sub/replay ≥ {d['target']:g} (median of {d['rounds']} rounds)", d["met"],
                        "subscription_catchup", data=d))
        w = res["subscription"].get("workers")
        if w:
            rows.append(row(f"Projection workers catching up on {w['events']:,} events, 4 workers vs 1 "
                            f"({w['partitions']} partitions, at least once, dynalite)",
                            f"{w['four_workers_events_per_s']:,.0f} events/s",
                            f"1 worker {w['one_worker_events_per_s']:,.0f} events/s", w["ratio"],
                            "reported (median of 3 rounds; the server is single-threaded)", None,
                            "subscription_workers", data=w))
    for part, err in (errors or {}).items():
        rows.append(row(f"{part}: FAILED", "—", "—", None, err.strip().splitlines()[-1][:120] if err.strip() else "?",
                        False, f"failed_{part}"))
    if "soak" in ctx.parts and "soak" not in (errors or {}):
        s = res.get("soak")
        if s is None:
            rows.append(row("Soak, 256 in flight through a proxy", "not run: no bench_soak yet", "—", None,
                            "hook in bench/run.py (bench_soak)", None, "soak"))
        else:
            rss_kb = s.get("rss_peak_kb")
            rss = f"{rss_kb / 1024:.0f} MB" if isinstance(rss_kb, (int, float)) else str(s.get("peak_rss_mb", "?"))
            conns = s.get("proxy_peak_connections_open", s.get("connections", "?"))
            ok = s.get("exit_status") == 0 and s.get("errors", 0) == 0 and \
                s.get("memory_bounded", True) is not False and s.get("connections_bounded", True) is not False
            after = s.get("rss_after_warmup_kb")
            peer = f"RSS after warm-up {after / 1024:.0f} MB" if isinstance(after, (int, float)) else "—"
            rows.append(row(f"Soak: {s.get('ops', '?'):,} calls, {s.get('in_flight', 256)} in flight through a proxy "
                            f"({s.get('server', 'dynalite')})" if isinstance(s.get("ops"), int) else
                            "Soak, 256 in flight through a proxy",
                            f"peak RSS {rss}, peak {conns} connections, {s.get('errors', '?')} errors", peer, None,
                            f"bounded RSS, connections ≤ pool limit {s.get('pool_limit', '?')}, no errors", ok,
                            "soak", data=s))
    return rows


def md_table(rows):
    out = ["| benchmark | ddb | peer | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        cells = [r["benchmark"], r["ddb"], r["peer"], ratio, r["target"], met]
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def paste_into_docs(lines):
    """Replaces the text between docs/performance.md's latest: markers."""
    path = ROOT / "docs/performance.md"
    text = path.read_text()
    begin, end = "<!-- latest:begin -->", "<!-- latest:end -->"
    a, b = text.find(begin), text.find(end)
    if a < 0 or b < a:
        log(f"{path}: no {begin} ... {end} markers; not updated")
        return
    path.write_text(text[:a + len(begin)] + "\n" + "\n".join(lines).strip() + "\n" + text[b:])
    log(f"pasted the table into {path}")


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
        info["mem_gb"] = round(int(mem[1]) / 1024 / 1024, 1)
        info["loadavg_at_start"] = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        pass

    def version(cmd):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=10)
            return p.stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None

    info["compiler"] = version(["c++", "--version"])
    info["node"] = version(["node", "--version"])
    info["nginx"] = version(["nginx", "-v"])
    info["wrk"] = version(["wrk", "-v"])
    try:
        lock = json.loads((ROOT / "package-lock.json").read_text())
        info["aws_sdk_client_dynamodb"] = lock["packages"]["node_modules/@aws-sdk/client-dynamodb"]["version"]
    except (OSError, KeyError, ValueError):
        pass
    return info


def git(*args):
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return ""


# ------------------------------------------------------------ the plots

COLORS = {"ddb": "#1f5fbf", "wrk": "#6e6e6e", "js-sdk": "#e07b00"}
NAMES = {"ddb": "ddb", "wrk": "wrk (HTTP ceiling)", "js-sdk": "AWS JS SDK v3"}
SHORT = {"ddb": "ddb", "wrk": "wrk", "js-sdk": "JS SDK"}


def plot(ctx, res, out, tmp):
    """PNGs with gnuplot; returns the names made."""
    if not shutil.which("gnuplot"):
        log("no gnuplot: plots skipped")
        return []
    tmp = Path(tmp)
    made = []
    head = 'set terminal pngcairo size {w},{h} font "DejaVu Sans,11" noenhanced\nset output "{out}"\n'
    stamp = f"{ctx.mode} run, {ctx.date[:16].replace('T', ' ')} UTC, {ctx.commit[:10]}, nproc {os.cpu_count()}"

    if "client" in res:
        sm = res["client_summary"]
        ops = [op for op, _ in ctx.client_plan if len({c for o, cs in ctx.client_plan if o == op for c in cs}) > 1]
        ops = list(dict.fromkeys(ops))
        if ops:
            gp = [head.format(w=650 * len(ops), h=480, out=out / "throughput.png")]
            gp.append(f'set multiplot layout 1,{len(ops)} title "Throughput vs calls in flight\\n{stamp}"')
            for op in ops:
                for impl in ("ddb", "wrk", "js-sdk"):
                    pts = sorted((s["concurrency"], s["rps"]) for s in sm
                                 if s["impl"] == impl and s["op"] == op and s["threads"] == 1)
                    (tmp / f"tp_{op}_{impl}.dat").write_text("".join(f"{c} {r}\n" for c, r in pts))
                cs = sorted({s["concurrency"] for s in sm if s["op"] == op})
                rps = [s["rps"] for s in sm if s["op"] == op and s["threads"] == 1] or [1]
                # Headroom above the lines for the key.
                gp.append(f'set title "{OPS[op]} against canned nginx"\nset logscale xy\n'
                          f'set xtics ({", ".join(str(c) for c in cs)})\nset xrange [{cs[0] * 0.8}:{cs[-1] * 1.25}]\n'
                          f'set yrange [{min(rps) / 3:.0f}:{max(rps) * 12:.0f}]\n'
                          'set xlabel "calls in flight"\nset ylabel "calls per second (log)"\n'
                          'set grid\nset key inside top center horizontal maxrows 1\nset format y "%.0s%c"')
                gp.append("plot " + ", ".join(
                    f'"{tmp}/tp_{op}_{impl}.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "{COLORS[impl]}" '
                    f'title "{SHORT[impl]}"' for impl in ("ddb", "wrk", "js-sdk")))
            gp.append("unset multiplot")
            made.append(("throughput.png", "\n".join(gp)))

            # Client CPU per call (user+sys), the other half of "fast": what a call costs the host.
            gp = [head.format(w=650 * len(ops), h=480, out=out / "cpu_per_call.png")]
            gp.append(f'set multiplot layout 1,{len(ops)} title "Client CPU per call\\n{stamp}"')
            for op in ops:
                for impl in ("ddb", "wrk", "js-sdk"):
                    pts = sorted((s["concurrency"], s["cpu_us_per_call"]) for s in sm
                                 if s["impl"] == impl and s["op"] == op and s["threads"] == 1)
                    (tmp / f"cpu_{op}_{impl}.dat").write_text("".join(f"{c} {v}\n" for c, v in pts))
                cs = sorted({s["concurrency"] for s in sm if s["op"] == op})
                vals = [s["cpu_us_per_call"] for s in sm if s["op"] == op and s["threads"] == 1] or [1]
                gp.append(f'set title "{OPS[op]}"\nset logscale xy\n'
                          f'set xtics ({", ".join(str(c) for c in cs)})\nset xrange [{cs[0] * 0.8}:{cs[-1] * 1.25}]\n'
                          f'set yrange [{min(vals) / 3:.2f}:{max(vals) * 12:.0f}]\n'
                          'set xlabel "calls in flight"\nset ylabel "CPU µs per call, user+sys (log)"\n'
                          'set grid\nset key inside top center horizontal maxrows 1\nset format y "%.0s%c"')
                gp.append("plot " + ", ".join(
                    f'"{tmp}/cpu_{op}_{impl}.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "{COLORS[impl]}" '
                    f'title "{SHORT[impl]}"' for impl in ("ddb", "wrk", "js-sdk")))
            gp.append("unset multiplot")
            made.append(("cpu_per_call.png", "\n".join(gp)))

        cs = [c for c in (1, 16, 256) if pick(sm, "ddb", "getitem", c)] or \
            sorted({s["concurrency"] for s in sm if s["op"] == "getitem"})[:3]
        if cs:
            gp = [head.format(w=520 * len(cs), h=480, out=out / "latency.png")]
            gp.append(f'set multiplot layout 1,{len(cs)} title "GetItem latency percentiles\\n{stamp}"')
            for c in cs:
                lines = []
                for label, f in (("p50", "p50_us"), ("p90", "p90_us"), ("p99", "p99_us"), ("p99.9", "p999_us")):
                    vals = [pick(sm, impl, "getitem", c) for impl in ("ddb", "wrk", "js-sdk")]
                    lines.append(label + " " + " ".join(str(max(v[f], 1) if v else "NaN") for v in vals))
                (tmp / f"lat_{c}.dat").write_text("\n".join(lines) + "\n")
                gp.append(f'set title "{c} in flight"\nset style data histograms\n'
                          'set style histogram clustered gap 1\nset style fill solid 0.85 border -1\n'
                          'set logscale y\nset yrange [1:*]\nset ylabel "latency, µs (log)"\nset grid ytics\n'
                          'set key outside below horizontal maxrows 1\nset format y "%.0s%c"')
                gp.append("plot " + ", ".join(
                    f'"{tmp}/lat_{c}.dat" using {i + 2}:xtic(1) lc rgb "{COLORS[impl]}" title "{SHORT[impl]}"'
                    for i, impl in enumerate(("ddb", "wrk", "js-sdk"))))
            gp.append("unset multiplot")
            made.append(("latency.png", "\n".join(gp)))

    if "es" in res and res["es"]["summary"]:
        lines = []
        for server in ("dynalite", "moto"):
            for bench, what in (("es_load", "load"), ("es_append", "append")):
                s = res["es"]["summary"].get(f"{bench}_{server}")
                if s:
                    lines.append(f'"{what}\\n{server}" {s["ddb_cpu_us_per_event"]} {s["js_cpu_us_per_event"]} '
                                 f'{s["js_over_ddb"]}')
        (tmp / "es.dat").write_text("\n".join(lines) + "\n")
        gp = [head.format(w=1000, h=540, out=out / "es_cpu.png"),
              f'set title "Event store: client CPU per event, ddb vs AWS JS SDK v3\\n{stamp}"\n'
              'set style data histograms\nset style histogram clustered gap 1\n'
              'set style fill solid 0.85 border -1\nset logscale y\nset yrange [1:*]\n'
              'set ylabel "CPU µs per event (user+sys, log)"\nset grid ytics\nset key top right\n'
              'set bmargin 4',
              f'plot "{tmp}/es.dat" using 2:xtic(1) lc rgb "{COLORS["ddb"]}" title "ddb", '
              f'"" using 3 lc rgb "{COLORS["js-sdk"]}" title "{NAMES["js-sdk"]}", '
              f'"" using ($0):(($2 > $3 ? $2 : $3)*2):(sprintf("JS/ddb %.1f", $4)) with labels notitle']
        made.append(("es_cpu.png", "\n".join(gp)))

    done = []
    for name, script in made:
        path = tmp / (name + ".gp")
        path.write_text(script + "\n")
        p = subprocess.run(["gnuplot", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            log(f"gnuplot {name} failed:\n{p.stderr}")
        else:
            done.append(name)
    return done


# ------------------------------------------------------------ main


class Context:
    def __init__(self, args):
        self.build = Path(args.build).resolve()
        self.quick = args.quick
        self.mode = "quick" if args.quick else "full"
        self.parts = [p for p in (args.only.split(",") if args.only else PARTS)]
        for p in self.parts:
            if p not in PARTS:
                raise SystemExit(f"unknown part {p}; parts: {', '.join(PARTS)}")
        if args.quick:
            self.seconds, self.rounds = 1, 1
            self.client_plan = [("getitem", [1, 16, 256]), ("putitem", [16])]
            self.scaling_concurrency = [64]
            self.threads_concurrency, self.threads_rounds = [16], 4
            self.replay_events = 5000
            self.subscription_latency_events, self.subscription_catchup_events = 50, 3000
            self.subscription_rounds = 5
            self.subscription_worker_events = 1000
        else:
            self.seconds, self.rounds = 3, 2
            self.client_plan = [("getitem", [1, 4, 16, 64, 256]), ("putitem", [1, 4, 16, 64, 256])]
            self.scaling_concurrency = [16, 64]
            self.threads_concurrency, self.threads_rounds = [1, 16, 64], 4
            self.replay_events = 100000
            self.subscription_latency_events, self.subscription_catchup_events = 200, 20000
            self.subscription_rounds = 7
            self.subscription_worker_events = 4000
        if args.seconds:
            self.seconds = args.seconds
        self.date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.commit = git("rev-parse", "HEAD") or "unknown"
        self._lua = {}
        self.tmp = None

    def bin(self, name):
        return str(self.build / "bench" / name)

    def wrk_lua(self, nginx, op):
        if op not in self._lua:
            path = Path(self.tmp) / f"{op}.lua"
            run_json([self.bin("bench_client"), "--endpoint", nginx.url, "--op", op, "--wrk-lua", str(path)])
            self._lua[op] = str(path)
        return self._lua[op]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(ROOT / "build/release"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench/results"))
    ap.add_argument("--only", default="")
    ap.add_argument("--seconds", type=float, default=0, help="seconds per client measurement")
    ap.add_argument("--docs", action="store_true",
                    help="also paste the table into docs/performance.md (between its latest: markers)")
    ap.add_argument("--replot", metavar="JSON", help="rewrite the report and plots from a latest.json, no runs")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        report = json.loads(Path(args.replot).read_text())
        for k in ("rows", "plots", "notes"):
            report.pop(k, None)
        args.quick, args.only = report["mode"] == "quick", ",".join(report["parts"])
        ctx = Context(args)
        ctx.date, ctx.commit = report["date"], report["commit"]
        for k, v in report["settings"].items():
            setattr(ctx, k, v)
        write_report(ctx, report, out, args.docs)
        return
    ctx = Context(args)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    machine = machine_info()
    log(f"{ctx.mode} run: {', '.join(ctx.parts)}; nproc {machine['nproc']}, load {machine.get('loadavg_at_start')}")

    res, errors = {}, {}

    def attempt(name, fn):
        """Runs one part; a failure is logged and reported, and the others still run."""
        try:
            res[name] = fn()
        except Exception as e:  # noqa: BLE001 - any failure of a part goes into the report
            log(f"{name} FAILED: {e}")
            errors[name] = str(e)[-3000:]

    with tempfile.TemporaryDirectory(prefix="ddb-bench-") as tmp:
        ctx.tmp = tmp
        if "sigv4" in ctx.parts:
            attempt("sigv4", lambda: bench_sigv4(ctx))
        if "decode" in ctx.parts:
            attempt("decode", lambda: bench_decode(ctx))
        if "streams" in ctx.parts:
            attempt("streams", lambda: bench_streams(ctx))
            attempt("stream_latency", lambda: bench_stream_latency(ctx))
        if any(p in ctx.parts for p in ("client", "scaling", "alloc")):
            nginx = Nginx(tmp)
            try:
                if "client" in ctx.parts:
                    attempt("client", lambda: bench_client(ctx, nginx))
                    if "client" in res:
                        res["client_summary"] = summarize_client(res["client"])
                    attempt("client_threads", lambda: bench_client_threads(ctx, nginx))
                    if "client_threads" in res:
                        res["client_threads_summary"] = summarize_client(res["client_threads"])
                if "scaling" in ctx.parts:
                    attempt("scaling", lambda: bench_scaling(ctx, nginx))
                    if "scaling" in res:
                        res["scaling_summary"] = summarize_client(res["scaling"])
                if "alloc" in ctx.parts:
                    attempt("alloc", lambda: bench_alloc(ctx, nginx))
            finally:
                nginx.stop()
        if "es" in ctx.parts:
            log("es: append and load on dynalite and moto (bench/es.sh)")
            attempt("es", lambda: bench_es(ctx))
        if "replay" in ctx.parts:
            log(f"replay: {ctx.replay_events} events on dynalite")
            attempt("replay", lambda: bench_replay(ctx, tmp))
        if "subscription" in ctx.parts:
            log(f"subscription: latency ({ctx.subscription_latency_events} events) and catch-up "
                f"({ctx.subscription_catchup_events} events) on dynalite")
            attempt("subscription", lambda: bench_subscription(ctx, tmp))
        if "soak" in ctx.parts:
            attempt("soak", lambda: bench_soak(ctx))

    try:
        machine["loadavg_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        pass
    report = {
        "date": ctx.date, "commit": ctx.commit, "dirty": bool(git("status", "--porcelain", "--", "src", "include")),
        "mode": ctx.mode, "duration_s": round(time.monotonic() - T0, 1), "machine": machine, "parts": ctx.parts,
        "settings": {"seconds": ctx.seconds, "rounds": ctx.rounds, "client_plan": ctx.client_plan,
                     "scaling_concurrency": ctx.scaling_concurrency,
                     "threads_concurrency": ctx.threads_concurrency, "threads_rounds": ctx.threads_rounds,
                     "replay_events": ctx.replay_events,
                     "subscription_latency_events": ctx.subscription_latency_events,
                     "subscription_catchup_events": ctx.subscription_catchup_events,
                     "subscription_rounds": ctx.subscription_rounds,
                     "subscription_worker_events": ctx.subscription_worker_events},
        "raw": res, "errors": errors,
    }
    write_report(ctx, report, out, args.docs)
    if errors:
        log(f"failed parts: {', '.join(errors)} (see the report)")
        sys.exit(1)


def write_report(ctx, report, out, docs=False):
    """Rows, notes, plots, latest.json and latest.md from the raw results."""
    res, machine, duration = report["raw"], report["machine"], report["duration_s"]
    rows = build_rows(ctx, res, report.get("errors"))
    with tempfile.TemporaryDirectory(prefix="ddb-bench-plot-") as tmp:
        plots = plot(ctx, res, out, tmp)
    notes = []
    if ctx.quick:
        notes.append(f"Quick mode: {ctx.seconds:g} s per client measurement, one round, fewer in-flight points, "
                     f"replay of {ctx.replay_events:,} events instead of 100,000, smaller event-store runs, "
                     f"subscriptions: {ctx.subscription_latency_events} live events, catch-up of "
                     f"{ctx.subscription_catchup_events:,} (full: 200 and 20,000).")
    else:
        notes.append(f"Full mode: {ctx.seconds:g} s per client measurement, median of {ctx.rounds} rounds "
                     "(peers interleaved, order rotated per round).")
    notes.append("Client rows: GetItem/PutItem through `client::call` against nginx (one worker) with canned "
                 "answers; wrk and the JS SDK send the same request to the same nginx in the same run; one "
                 "client thread each (wrk -t1, one io thread, one Node.js process). Ratios are ddb/peer.")
    if "client_threads" in res:
        notes.append("2 io threads vs 1: one bench_client process measures GetItem with one client on 1 and on 2 "
                     "io threads (a client and an io_context each), in rounds alternating the order; CPU is "
                     "getrusage(RUSAGE_SELF) user+sys over the timed phase, per call, median of the rounds. The "
                     "ratio is what a second io thread costs per call (locking, wake-ups), not throughput: "
                     f"nginx shares the machine's {machine['nproc']} cores.")
    if "subscription" in res:
        notes.append("Subscription latency: from `append` returning to the live subscriber receiving the event, "
                     "same process; a subscription delivers an event only once it is older than the horizon, so "
                     "latency ≈ horizon + poll wait + one read. The short horizon gives up the no-gap guarantee "
                     "(docs/subscriptions.md) and shows the polling's own share.")
    if "scaling" in res:
        for r in rows:
            if r["key"].startswith("scaling_"):
                d = r["data"]
                notes.append(f"Scaling ({r['benchmark']}): factor {d['factor']:.2f}; nginx's one worker used "
                             f"{d['server_cpu_share_1']:.0%} / {d['server_cpu_share_2']:.0%} of a core "
                             f"(1 / 2 threads) — on {machine['nproc']} cores the server shares the CPU.")
    report = {**report, "rows": rows, "plots": plots, "notes": notes}
    (out / "latest.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    m = machine
    md = [f"# Benchmark report ({ctx.mode})", "",
          f"{report['date']} · commit `{report['commit'][:12]}`"
          f"{' (plus uncommitted changes in src/include)' if report['dirty'] else ''} · "
          f"{m.get('cpu', '?')}, nproc {m['nproc']}, {m.get('mem_gb', '?')} GB · load at start "
          f"{' '.join(m.get('loadavg_at_start', []))}, at end {' '.join(m.get('loadavg_at_end', ['?']))} · "
          f"{m.get('compiler') or ''} · node {m.get('node')} · "
          f"@aws-sdk/client-dynamodb {m.get('aws_sdk_client_dynamodb', '?')} · run took {duration:.0f} s", "",
          md_table(rows), ""]
    md += [f"- {n}" for n in notes]
    if plots:
        md += [""] + [f"![{p}]({p})" for p in plots]
    (out / "latest.md").write_text("\n".join(md) + "\n")
    if docs:
        paste_into_docs(md[2:-len(plots) - 1] if plots else md[2:])
    log(f"wrote {out / 'latest.md'}, {out / 'latest.json'}, plots: {', '.join(plots) or 'none'} ({duration:.0f} s)")
    print(md_table(rows))


if __name__ == "__main__":
    main()
