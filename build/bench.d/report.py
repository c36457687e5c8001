#!/usr/bin/env python3
"""Helpers of build/bench (standard library only).

  report.py pgbench STDOUT_FILE LOG_DIR CLIENTS   -> one JSON object on stdout (the shape of wrk's BENCH_JSON)
  report.py metrics BEFORE_FILE AFTER_FILE         -> claim batch sizes between two /metrics scrapes, JSON
  report.py report WORK_DIR                        -> docs/benchmarks.md, docs/benchmarks/results.json,
                                                      docs/benchmarks/latency.png; prints the table;
                                                      exit 4 when the correctness pass failed

Run facts (date, machine, command, ...) come from BENCH_* environment variables set by build/bench.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

# ----------------------------------------------------------------------------- small helpers


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def fmt_int(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_ms(x):
    if x is None:
        return "—"
    if x < 10:
        return f"{x:.2f}"
    if x < 100:
        return f"{x:.1f}"
    return f"{x:.0f}"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


# ----------------------------------------------------------------------------- pgbench


def pgbench_summary(stdout_file, log_dir, clients):
    """pgbench's own figures plus latency percentiles from its per-transaction log (-l)."""
    with open(stdout_file, encoding="utf-8", errors="replace") as f:
        text = f.read()

    def grab(pattern, cast=float):
        m = re.search(pattern, text, re.MULTILINE)
        return cast(m.group(1)) if m else None

    tps = grab(r"^tps = ([0-9.]+) \(without initial connection time\)")
    processed = grab(r"^number of transactions actually processed: (\d+)", int)
    failed = grab(r"^number of failed transactions: (\d+)", int) or 0
    duration = grab(r"^duration: (\d+) s", int)
    connect_ms = grab(r"^initial connection time = ([0-9.]+) ms")
    if tps is None or processed is None:
        raise SystemExit(f"pgbench output not understood: {stdout_file}")

    latencies_us = []
    for name in os.listdir(log_dir):
        with open(os.path.join(log_dir, name), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                # client_id transaction_no time script_no time_epoch time_us [schedule_lag]
                if len(parts) >= 6 and parts[2].isdigit():
                    latencies_us.append(int(parts[2]))
    latencies_us.sort()
    ms = [v / 1000.0 for v in latencies_us]
    return {
        "tool": "pgbench",
        "clients": clients,
        "requests": processed,
        "ok": processed - failed,
        "duration_s": duration,
        "rps": tps,
        "figure": tps,
        "initial_connection_ms": connect_ms,
        "errors": {"failed_transactions": failed},
        "error_count": failed,
        "latency_ms": {
            "p50": percentile(ms, 50),
            "p90": percentile(ms, 90),
            "p95": percentile(ms, 95),
            "p99": percentile(ms, 99),
            "p999": percentile(ms, 99.9),
            "max": ms[-1] if ms else None,
            "mean": (sum(ms) / len(ms)) if ms else None,
        },
        "latency_samples": len(ms),
    }


# ----------------------------------------------------------------------------- /metrics


def read_batch_histogram(path, metric="capacity_claim_batch_size"):
    """A histogram's buckets, sum and count from a Prometheus text scrape."""
    buckets, total, count = {}, 0.0, 0
    if not os.path.exists(path):
        return buckets, total, count
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith(metric + "_"):
                continue
            name, _, value = line.rpartition(" ")
            value = float(value)
            if name.startswith(metric + "_bucket"):
                le = re.search(r'le="([^"]+)"', name).group(1)
                buckets[le] = buckets.get(le, 0) + value
            elif name.startswith(metric + "_sum"):
                total += value
            elif name.startswith(metric + "_count"):
                count += int(value)
    return buckets, total, count


def read_series(path, metric, label):
    """Sum of a metric's samples by the value of one label, from a Prometheus text scrape."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith(metric + "{"):
                continue
            name, _, value = line.rpartition(" ")
            labels = dict(re.findall(r'(\w+)="([^"]*)"', name))
            key = labels.get(label, "")
            out[key] = out.get(key, 0.0) + float(value)
    return out


def metrics_delta(before_file, after_file):
    """What the API's /metrics say about the claims between two scrapes."""
    b_buckets, b_sum, b_count = read_batch_histogram(before_file)
    a_buckets, a_sum, a_count = read_batch_histogram(after_file)
    # Batches: the claims of one code answered together. Batches of different codes may share one grouped
    # transaction (capacity_claim_transaction_codes: codes per grouped transaction).
    batches = a_count - b_count
    claims = a_sum - b_sum
    _, bg_sum, bg_count = read_batch_histogram(before_file, "capacity_claim_transaction_codes")
    _, ag_sum, ag_count = read_batch_histogram(after_file, "capacity_claim_transaction_codes")
    grouped_transactions, grouped_batches = ag_count - bg_count, ag_sum - bg_sum
    # Batches outside groups (client references, or grouping switched off) are one transaction each.
    transactions = grouped_transactions + max(0, batches - grouped_batches)
    cumulative = {le: a_buckets.get(le, 0) - b_buckets.get(le, 0) for le in a_buckets}

    def le_key(le):
        return math.inf if le == "+Inf" else float(le)

    # Bucket upper bound under which half / 99% of the transactions fall.
    def bucket_percentile(p):
        if batches <= 0:
            return None
        for le in sorted(cumulative, key=le_key):
            if cumulative[le] >= p / 100.0 * batches:
                return le
        return "+Inf"

    def delta(metric, label):
        before, after = read_series(before_file, metric, label), read_series(after_file, metric, label)
        return {k: after[k] - before.get(k, 0.0) for k in after}

    dur_sum = delta("capacity_request_duration_seconds_sum", "request")
    dur_count = delta("capacity_request_duration_seconds_count", "request")

    def mean_ms(request):
        n = dur_count.get(request, 0)
        return (dur_sum.get(request, 0) / n * 1000.0) if n else None

    def usage_lookups(path):
        """Cache lookups of the claims' usage pre-check (IAccessCodeCache.PeekAsync, this instance's memory), by result."""
        out = {"hit": 0.0, "miss": 0.0}
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("capacity_cache_lookups_total{") and 'request="AccessCodes.UsagePeek"' in line:
                        result = re.search(r'result="([^"]*)"', line).group(1)
                        out[result] = out.get(result, 0.0) + float(line.rpartition(" ")[2])
        return out

    lookups_before, lookups_after = usage_lookups(before_file), usage_lookups(after_file)
    lookups = {k: lookups_after[k] - lookups_before.get(k, 0.0) for k in lookups_after}

    return {
        "transactions": transactions,
        "batches": batches,
        "claims": claims,
        "mean_batch": (claims / batches) if batches > 0 else None,
        "claims_per_transaction": (claims / transactions) if transactions > 0 else None,
        "codes_per_transaction": (batches / transactions) if transactions > 0 else None,
        "p50_bucket_le": bucket_percentile(50),
        "p99_bucket_le": bucket_percentile(99),
        "cumulative_buckets": {le: cumulative[le] for le in sorted(cumulative, key=le_key)},
        "claim_pipeline_mean_ms": mean_ms("ClaimSeat.Command"),
        "usage_precheck_cache": lookups,
    }


def pg_activity(path):
    """Mean number of the API's PostgreSQL connections per (state, wait event) over build/bench's samples."""
    if not os.path.exists(path):
        return None
    samples, totals = 0, {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "--":
                samples += 1
                continue
            parts = line.split("\t")
            if len(parts) == 3 and parts[2].isdigit():
                key = f"{parts[0]} / {parts[1]}"
                totals[key] = totals.get(key, 0) + int(parts[2])
    if samples == 0:
        return None
    means = {k: v / samples for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}

    def total(pred):
        return sum(v for k, v in means.items() if pred(*k.split(" / ", 1)))

    return {
        "samples": samples,
        "mean_connections": means,
        # PostgreSQL waiting for the API's next message inside a transaction or a pipelined statement.
        "waiting_for_api": total(lambda st, w: st == "idle in transaction" or (st == "active" and w == "Client:ClientRead")),
        # Executing, waiting for a CPU, a lock or the WAL.
        "in_postgres": total(lambda st, w: st == "active" and w != "Client:ClientRead"),
        "idle": total(lambda st, w: st == "idle"),
    }


def activity_text(a):
    if not a:
        return "—"
    parts = [f"{k} {v:.1f}" for k, v in a["mean_connections"].items() if v >= 0.05][:6]
    return (f"{a['waiting_for_api']:.1f} waiting for the API, {a['in_postgres']:.1f} working in PostgreSQL, "
            f"{a['idle']:.1f} idle — by state / wait event: {', '.join(parts)} ({a['samples']} samples)")


def cpu_usage(path, ok):
    """Server process CPU and machine CPU over one run, from build/bench's two snapshots around it."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        lines = [line.split() for line in f if line.strip()]
    if len(lines) < 3 or lines[0][0] != "clk_tck":
        return None
    tck, nproc = float(lines[0][1]), int(lines[0][3])
    before, after = [float(x) for x in lines[1]], [float(x) for x in lines[2]]
    wall = after[3] - before[3]
    proc_s = (after[0] - before[0]) / tck
    busy, total = after[1] - before[1], after[2] - before[2]
    pg_s = (after[4] - before[4]) / tck if len(before) > 4 and len(after) > 4 else None
    return {
        "wall_s": wall,
        "server_cores": (proc_s / wall) if wall > 0 and proc_s > 0 else None,
        "server_cpu_ms_per_request": (proc_s * 1000.0 / ok) if ok and proc_s > 0 else None,
        "postgres_cores": (pg_s / wall) if pg_s and wall > 0 else None,
        "postgres_cpu_ms_per_request": (pg_s * 1000.0 / ok) if pg_s and ok else None,
        "machine_busy_cores": (busy / total * nproc) if total > 0 else None,
        "nproc": nproc,
    }


def api_log_summary(path, skip_lines, windows):
    """Warnings and errors the API logged after it was ready, grouped by level, category and exception, and
    placed against the load runs' time windows (the console logger writes UTC HH:mm:ss.fff before each entry)."""
    if not os.path.exists(path):
        return None
    entries = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i < skip_lines:
                continue
            m = re.match(r"^(?:(\d\d):(\d\d):(\d\d\.\d+) )?(warn|fail|crit): ([^\[]+)\[", line)
            if m:
                tod = (int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m.group(1) else None
                entries.append({"level": m.group(4), "category": m.group(5).strip(), "exception": "", "tod": tod,
                                "message": None})
                continue
            if entries and entries[-1]["message"] is None and line.strip():
                entries[-1]["message"] = line.strip()[:200]
            if entries and not entries[-1]["exception"]:
                e = re.match(r"^\s+((?:[A-Za-z0-9_]+\.)+[A-Za-z0-9_]*(?:Exception|Error)\b.*)$", line)
                if e:
                    entries[-1]["exception"] = e.group(1)[:200]

    def when(tod):
        """Where an entry falls: during a run, at its end (last second or 5 s after: wrk closing its
        connections with requests in flight) or outside any run."""
        if tod is None:
            return "unknown"
        for name, start, end in windows:
            s_tod, e_tod = start % 86400, end % 86400
            if s_tod <= tod <= e_tod - 1:
                return f"during {name}"
            if e_tod - 1 < tod <= e_tod + 5:
                return f"at the end of {name}"
        return "outside the runs"

    groups = {}
    for e in entries:
        key = (e["level"], e["category"], e["exception"] or f"(no exception) {e['message'] or ''}".strip())
        g = groups.setdefault(key, {"count": 0, "when": {}})
        g["count"] += 1
        w = when(e["tod"])
        g["when"][w] = g["when"].get(w, 0) + 1
    return {
        "entries": len(entries),
        "groups": [{"level": k[0], "category": k[1], "exception": k[2], **g}
                   for k, g in sorted(groups.items(), key=lambda kv: -kv[1]["count"])],
    }


def run_windows(work):
    """(name, start, end) in epoch seconds of every wrk run against the API, from the CPU snapshot files."""
    out = []
    for name in sorted(os.listdir(work)):
        if name.endswith(".cpu") and "-api" in name:
            with open(os.path.join(work, name), encoding="utf-8") as f:
                lines = [line.split() for line in f if line.strip()]
            if len(lines) >= 3:
                out.append((name[:-4], float(lines[1][3]), float(lines[2][3])))
    return out


# ----------------------------------------------------------------------------- wrk results


def wrk_view(raw, success_statuses):
    """Adds figure (successful responses per second), ok and error_count to a wrk BENCH_JSON object."""
    r = dict(raw)
    errors = r.get("errors", {})
    socket_errors = sum(errors.get(k, 0) for k in ("connect", "read", "write", "timeout"))
    if r.get("status_tracked"):
        ok = sum(n for s, n in r["status"].items() if s in success_statuses)
        other = sum(n for s, n in r["status"].items() if s not in success_statuses)
    else:
        other = errors.get("status", 0)
        ok = r["requests"] - other
    r["tool"] = "wrk"
    r["ok"] = ok
    r["figure"] = ok / r["duration_s"] if r["duration_s"] else 0.0
    r["error_count"] = other + socket_errors
    return r


def error_text(r):
    if r is None:
        return "—"
    if r.get("tool") == "pgbench":
        n = r["errors"].get("failed_transactions", 0)
        return "0" if n == 0 else f"{n:,} failed"
    parts = []
    if r.get("status_tracked"):
        for s, n in sorted(r["status"].items()):
            if s not in ("200", "201"):
                parts.append(f"{n:,}×{s}")
    elif r["errors"].get("status", 0):
        parts.append(f"{r['errors']['status']:,}×status≥400")
    for k in ("connect", "read", "write", "timeout", "unanswered", "unsent"):
        if r["errors"].get(k, 0):
            parts.append(f"{r['errors'][k]:,} {k}")
    return ", ".join(parts) if parts else "0"


def openloop_view(raw):
    """Adds figure (2xx answers per second of the measured window), status_tracked and the offered rate to an OpenLoop
    BENCH_JSON object (its latencies count from each request's intended send time)."""
    r = dict(raw)
    r["status_tracked"] = True
    r["status"] = {str(k): v for k, v in r.get("status", {}).items()}
    r["figure"] = r["ok"] / r["duration_s"] if r.get("duration_s") else 0.0
    return r


# ----------------------------------------------------------------------------- the report


def env(name, default=""):
    return os.environ.get(name, default)


def load_run_env(work):
    """BENCH_* settings saved by build/bench in WORK/run.env (so a kept run can be re-reported)."""
    path = os.path.join(work, "run.env")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep and key.startswith("BENCH_"):
                os.environ.setdefault(key, value)


def build_report(work):
    load_run_env(work)
    def runs(name, success):
        path = os.path.join(work, f"{name}.json")
        if not os.path.exists(path):
            return None
        raw = load(path)
        if raw.get("tool") == "pgbench":
            r = raw
        elif raw.get("tool") == "openloop":
            r = openloop_view(raw)
        else:
            r = wrk_view(raw, success)
        r["cpu"] = cpu_usage(os.path.join(work, f"{name}.cpu"), r["ok"])
        return r

    pool = int(env("BENCH_POOL", "64"))
    pg_clients = sorted({pool, 8, 64})

    get_api = runs("get-api", {"200"})
    key_pairs = []
    for i in range(1, int(env("BENCH_KEY_PAIRS", "0")) + 1):
        nokey, key = runs(f"get-nokey-{i}", {"200"}), runs(f"get-key-{i}", {"200"})
        if nokey and key:
            key_pairs.append((nokey, key))
    get_bare = runs("get-bare", {"200"})
    hot_api = runs("hot-api", {"201"})
    spread_api = runs("spread-api", {"201"})
    full_api = runs("full-api", {"201"})
    warm = {n: runs(f"{n}-warmup", {"201"}) for n in ("hot-api", "spread-api")}
    pg = {
        s: {c: runs(f"pgbench-{s}-c{c}", set()) for c in pg_clients}
        for s in ("hot", "spread")
    }
    correctness = load(os.path.join(work, "correctness.json"))
    creation = load(os.path.join(work, "create.json")) if os.path.exists(os.path.join(work, "create.json")) else None
    batches = {
        s: metrics_delta(os.path.join(work, f"metrics-{s}-before.txt"), os.path.join(work, f"metrics-{s}-after.txt"))
        for s in ("hot", "spread")
    }
    for s in ("hot", "spread"):
        batches[s]["postgres_activity"] = pg_activity(os.path.join(work, f"pg-activity-{s}-api.tsv"))
    try:
        with open(os.path.join(work, "api-log-start"), encoding="utf-8") as f:
            skip = int(f.read().strip() or 0)
    except (OSError, ValueError):
        skip = 0
    api_log = api_log_summary(os.path.join(work, "api.log"), skip, run_windows(work))

    def best(scenario):
        cands = [(c, r) for c, r in pg[scenario].items() if c in (8, 64) and r is not None]
        if not cands:
            return None, None
        return max(cands, key=lambda cr: cr[1]["figure"])

    def ratio(a, b):
        if a is None or b is None or not b["figure"]:
            return None
        return a["figure"] / b["figure"]

    # ---- correctness verdicts
    c = correctness
    mismatches = c["mismatched_codes"]
    oversold = c["oversold_codes"]
    full_seats = c["full"]["max_usage_count"]
    full_201 = full_api["ok"] if full_api else None
    full_503 = int(full_api["status"].get("503", 0)) if full_api else None
    correctness_ok = (
        mismatches == 0
        and oversold == 0
        and c["full"]["usage_count"] == full_seats
        and full_201 == full_seats
    )

    def claims_seen(name):
        total = 0
        for r in (warm.get(name), hot_api if name == "hot-api" else spread_api):
            if r is not None:
                total += int(r["status"].get("201", 0))
        return total

    hot_seen = claims_seen("hot-api")
    spread_seen = claims_seen("spread-api")

    # ---- targets
    scenarios = []

    def verdict(checks):
        return all(ok for ok, _ in checks), ", ".join(text for _, text in checks)

    def check(ok, measured, goal):
        return (bool(ok), f"{measured} {'✓' if ok else '✗'} {goal}")

    r_get = ratio(get_api, get_bare)
    get_p99 = get_api and get_api["latency_ms"]["p99"]
    get_checks = [
        check(r_get is not None and r_get >= 0.6, fmt_ratio(r_get), "≥ 0.6×"),
        check(get_p99 is not None and get_p99 < 5, f"p99 {fmt_ms(get_p99)} ms", "< 5 ms"),
    ]
    scenarios.append({
        "id": "cached-get",
        "name": "cached GET /api/access-codes/{code}",
        "connections": get_api and int(env("BENCH_GET_CONNS", "64")),
        "api": get_api,
        "reference_name": "bare Kestrel, same JSON",
        "reference": get_bare,
        "ratio": r_get,
        "targets": get_checks,
    })

    # The keyed GET against the same GET without a key: alternating short pairs, the median of the pairs' ratios.
    def median(values):
        values = sorted(values)
        n = len(values)
        return None if n == 0 else (values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2)

    pair_ratios = [k["figure"] / n["figure"] for n, k in key_pairs if n["figure"]]
    r_key = median(pair_ratios)
    get_key = max((k for _, k in key_pairs), key=lambda k: k["figure"], default=None) if key_pairs else None
    get_nokey = max((n for n, _ in key_pairs), key=lambda n: n["figure"], default=None) if key_pairs else None
    if key_pairs:
        # The row shows the median run of each side (by throughput), so its latencies are those of a typical run.
        by_figure = lambda runs_: sorted(runs_, key=lambda r: r["figure"])[len(runs_) // 2]
        get_key, get_nokey = by_figure([k for _, k in key_pairs]), by_figure([n for n, _ in key_pairs])
    key_p99 = get_key and get_key["latency_ms"]["p99"]
    scenarios.append({
        "id": "cached-get-with-key",
        "name": "cached GET with a client key (X-Api-Key)",
        "connections": get_key and int(env("BENCH_GET_CONNS", "64")),
        "api": get_key,
        "reference_name": f"the same GET without a key (median ratio of {len(pair_ratios)} alternating pairs)",
        "reference": get_nokey,
        "ratio": r_key,
        "pair_ratios": pair_ratios,
        "targets": [
            check(r_key is not None and r_key >= 0.95, fmt_ratio(r_key), "≥ 0.95×"),
            check(key_p99 is not None and key_p99 < 5, f"p99 {fmt_ms(key_p99)} ms", "< 5 ms"),
        ],
    })

    for sid, label, api, target, conns_env in (
        ("hot", "hot-code claims (1 code)", hot_api, 3.0, "BENCH_HOT_CONNS"),
        ("spread", "spread claims (5,000 codes)", spread_api, 0.8, "BENCH_SPREAD_CONNS"),
    ):
        ref = pg[sid][pool]
        r = ratio(api, ref)
        checks = [check(r is not None and r >= target, fmt_ratio(r), f"≥ {target:g}×")]
        if sid == "hot":
            p99 = api and api["latency_ms"]["p99"]
            checks.append(check(p99 is not None and p99 < 100, f"p99 {fmt_ms(p99)} ms", "< 100 ms"))
            sound = oversold == 0 and mismatches == 0
            checks.append(check(sound, "oversell 0" if sound else "OVERSOLD", "= 0" if sound else "≠ 0"))
        conns = int(env(conns_env, "0"))
        what = "1-row" if sid == "hot" else "5,000-row"
        scenarios.append({
            "id": f"{sid}-claims",
            "name": f"{label}, {conns} clients",
            "connections": conns,
            "api": api,
            "reference_name": f"pgbench {what} UPDATE, -c {pool} (= API pool)",
            "reference": ref,
            "ratio": r,
            "targets": checks,
        })
        bc, br = best(sid)
        rb = ratio(api, br)
        scenarios.append({
            "id": f"{sid}-claims-vs-best",
            "name": f"{label} vs best pgbench",
            "connections": conns,
            "api": api,
            "reference_name": f"pgbench {what} UPDATE, best of -c 8 / -c 64 (-c {bc})",
            "reference": br,
            "ratio": rb,
            "targets": [check(rb is not None and rb >= target, fmt_ratio(rb), f"≥ {target:g}×")],
        })

    # ---- coupons (seed 003)
    # Validation: the median of the measured runs (by throughput; its p95 is the median p95 of the runs).
    validate_runs = [r for r in (runs(f"validate-api-{i}", {"200"}) for i in range(1, int(env("BENCH_VALIDATE_RUNS", "1")) + 1)) if r]
    validate_api = sorted(validate_runs, key=lambda r: r["figure"])[len(validate_runs) // 2] if validate_runs else None
    log_pairs = []
    for i in range(1, int(env("BENCH_LOG_PAIRS", "0")) + 1):
        on, off = runs(f"validate-logon-{i}", {"200"}), runs(f"validate-logoff-{i}", {"200"})
        if on and off:
            log_pairs.append((on, off))
    ingest = load(os.path.join(work, "log-ingest.json")) if os.path.exists(os.path.join(work, "log-ingest.json")) else None
    hot_coupon = runs("hot-coupon-api", {"201"})
    limit_coupon = runs("limit-coupon-api", {"201"})
    log_rows = load(os.path.join(work, "validation-log.json")) if os.path.exists(os.path.join(work, "validation-log.json")) else None
    coupon_limit = load(os.path.join(work, "coupon-limit.json")) if os.path.exists(os.path.join(work, "coupon-limit.json")) else None
    seed_run = load(os.path.join(work, "seed.json")) if os.path.exists(os.path.join(work, "seed.json")) else None
    if validate_api:
        r_val = ratio(validate_api, get_api)
        p95 = median([r["latency_ms"]["p95"] for r in validate_runs])
        # Rows never fewer than answers; a few more where the server answered requests wrk had stopped waiting for
        # (at most one per connection of each run: the warm-up's and the measured ones').
        warmed = 1 if int(env("BENCH_VALIDATE_WARMUP", "0") or 0) > 0 else 0
        slack = (warmed + len(validate_runs)) * int(env("BENCH_GET_CONNS", "64"))
        logged = log_rows is not None and log_rows["answered"] <= log_rows["rows"] <= log_rows["answered"] + slack
        scenarios.append({
            "id": "coupon-validation",
            "name": f"coupon validation, {(seed_run or {}).get('users', 0):,} users / {(seed_run or {}).get('coupons', 0):,} coupons, {env('BENCH_GET_CONNS', '64')} clients"
                    + (f" (median of {len(validate_runs)} runs)" if len(validate_runs) > 1 else ""),
            "connections": int(env("BENCH_GET_CONNS", "64")),
            "api": validate_api,
            "reference_name": "the cached GET of this run",
            "reference": get_api,
            "ratio": r_val,
            "targets": [
                check(r_val is not None and r_val >= 0.5, fmt_ratio(r_val), "≥ 0.5×"),
                check(p95 is not None and p95 < 10, f"p95 {fmt_ms(p95)} ms", "< 10 ms"),
                check(logged, f"log rows {log_rows['rows'] if log_rows else '?'} of {log_rows['answered'] if log_rows else '?'} answers", "= answers (+ in flight at the end)"),
            ],
        })
    if log_pairs:
        log_ratios = [on["figure"] / off["figure"] for on, off in log_pairs if off["figure"]]
        r_log = median(log_ratios)
        by_figure = lambda runs_: sorted(runs_, key=lambda r: r["figure"])[len(runs_) // 2]
        scenarios.append({
            "id": "validation-log-cost",
            "name": "coupon validation with the validation log on",
            "connections": int(env("BENCH_GET_CONNS", "64")),
            "api": by_figure([on for on, _ in log_pairs]),
            "reference_name": f"the same validations with the log off (a second API, ValidationLog:Enabled=false; median ratio of {len(log_ratios)} alternating pairs)",
            "reference": by_figure([off for _, off in log_pairs]),
            "ratio": r_log,
            "targets": [check(r_log is not None and r_log >= 0.95, fmt_ratio(r_log), "≥ 0.95×")],
        })
    if ingest:
        replay = {"figure": ingest.get("replay_rows_per_s") or 0, "latency_ms": {}, "errors": {}, "tool": "journal replay"}
        copy = {"figure": ingest["copy_rows_per_s"], "latency_ms": {}, "errors": {}, "tool": "psql"}
        r_ingest = ratio(replay, copy)
        complete = ingest["replay_rows"] == ingest["rows"] and ingest["journal_segments_left"] == 0
        scenarios.append({
            "id": "validation-log-ingestion",
            "name": f"validation log ingestion, {ingest['rows']:,} rows replayed from the journal (rows/s)",
            "connections": None,
            "api": replay,
            "reference_name": "psql \\copy of the same rows into a table with the same indexes",
            "reference": copy,
            "ratio": r_ingest,
            "targets": [
                check(r_ingest is not None and r_ingest >= 0.4, fmt_ratio(r_ingest), "≥ 0.4×"),
                check(complete, f"{ingest['replay_rows']:,} of {ingest['rows']:,} rows stored once, journal emptied", "every row, once"),
            ],
        })
    if hot_coupon:
        ref = pg["hot"][pool]
        r_hot = ratio(hot_coupon, ref)
        exact = coupon_limit is not None and coupon_limit["usage_count"] == coupon_limit["usage_limit"] == coupon_limit["standing"] \
            and limit_coupon is not None and int(limit_coupon["status"].get("201", 0)) == coupon_limit["usage_limit"]
        scenarios.append({
            "id": "hot-coupon",
            "name": f"hot coupon redemptions (1 coupon), {env('BENCH_HOT_CONNS', '400')} clients",
            "connections": int(env("BENCH_HOT_CONNS", "400")),
            "api": hot_coupon,
            "reference_name": f"pgbench 1-row UPDATE, -c {pool} (= API pool)",
            "reference": ref,
            "ratio": r_hot,
            "targets": [
                check(r_hot is not None and r_hot >= 3, fmt_ratio(r_hot), "≥ 3×"),
                check(exact, f"limit {coupon_limit['usage_limit'] if coupon_limit else '?'}: {coupon_limit['standing'] if coupon_limit else '?'} granted"
                      f" ({int(limit_coupon['status'].get('201', 0)) if limit_coupon else '?'} × 201)", "exactly the limit"),
            ],
        })

    members = members_results(work, runs, ratio, check, median)
    if members:
        scenarios.extend(members["scenarios"])

    for s in scenarios:
        s["target_met"], s["target_text"] = verdict(s["targets"])

    # ---- results.json
    results = {
        "run": {
            "date": env("BENCH_DATE"),
            "quick": env("BENCH_QUICK") == "1",
            "command": env("BENCH_COMMAND"),
            "git": env("BENCH_GIT"),
            "duration_s": int(env("BENCH_DURATION", "0")),
            "warmup_s": int(env("BENCH_WARMUP", "0")),
            "elapsed_s": int(env("BENCH_ELAPSED", "0")),
            "api_pool": pool,
        },
        "machine": {
            "nproc": env("BENCH_NPROC"),
            "cpu": env("BENCH_CPU"),
            "memory": env("BENCH_MEM"),
            "postgres": env("BENCH_PG_VERSION"),
            "dotnet": env("BENCH_DOTNET"),
            "wrk": env("BENCH_WRK"),
            "load_before": env("BENCH_LOAD_BEFORE"),
            "load_after": env("BENCH_LOAD_AFTER"),
        },
        "scenarios": [
            {k: v for k, v in s.items() if k not in ("targets",)} | {"targets": [t for _, t in s["targets"]]}
            for s in scenarios
        ],
        "raw": {
            "get-api": get_api,
            **{f"get-nokey-{i + 1}": n for i, (n, _) in enumerate(key_pairs)},
            **{f"get-key-{i + 1}": k for i, (_, k) in enumerate(key_pairs)},
            "get-bare": get_bare,
            **{f"validate-api-{i + 1}": r for i, r in enumerate(validate_runs)},
            **{f"validate-logon-{i + 1}": on for i, (on, _) in enumerate(log_pairs)},
            **{f"validate-logoff-{i + 1}": off for i, (_, off) in enumerate(log_pairs)},
            "hot-coupon-api": hot_coupon,
            "limit-coupon-api": limit_coupon,
            "hot-api-warmup": warm["hot-api"],
            "hot-api": hot_api,
            "spread-api-warmup": warm["spread-api"],
            "spread-api": spread_api,
            "full-api": full_api,
            **{f"pgbench-{s}-c{cl}": pg[s][cl] for s in pg for cl in pg[s]},
            **((members or {}).get("raw") or {}),
        },
        "claim_batches": batches,
        "api_log": api_log,
        "code_creation": creation,
        "seed": seed_run,
        "validation_log": log_rows,
        "validation_log_ingestion": ingest,
        "coupon_limit": coupon_limit,
        "members": members and {k: v for k, v in members.items() if k not in ("scenarios", "raw")},
        "correctness": {
            **correctness,
            "passed": correctness_ok,
            "hot_201_seen_by_wrk": hot_seen,
            "spread_201_seen_by_wrk": spread_seen,
            "full_201_seen_by_wrk": full_201,
            "full_503_seen_by_wrk": full_503,
        },
    }
    docs = env("BENCH_DOCS")
    out_dir = os.path.join(docs, "benchmarks")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, sort_keys=False)
        f.write("\n")

    # ---- chart
    gc, hc, sc = env("BENCH_GET_CONNS"), env("BENCH_HOT_CONNS"), env("BENCH_SPREAD_CONNS")
    series = [
        (f"cached GET, API ({gc} conn.)", get_api),
        (f"cached GET with a key ({gc} conn., median pair)", get_key),
        (f"bare Kestrel ({gc} conn.)", get_bare),
        (f"hot claims, API ({hc} conn.)", hot_api),
        *[(f"pgbench 1 row -c {cl}", pg["hot"][cl]) for cl in pg_clients],
        (f"spread claims, API ({sc} conn.)", spread_api),
        *[(f"pgbench 5k rows -c {cl}", pg["spread"][cl]) for cl in pg_clients],
    ]
    mraw = (members or {}).get("raw") or {}
    mconns = ((members or {}).get("settings") or {}).get("connections")
    series += [
        (f"member GET, API ({gc} conn.)", mraw.get("members-get-api")),
        (f"bare Kestrel, member ({gc} conn.)", mraw.get("members-get-bare")),
        (f"members load ({fmt_int(mconns)} conn., open loop)", mraw.get("members-load-api")),
        ("bare Kestrel, members load schedule", mraw.get("members-load-bare")),
    ]
    present = [(n, r) for n, r in series if r is not None]
    # Lines between the groups: cached GET | hot claims | spread claims | member GET | members load.
    group_ends = [3, 4 + len(pg_clients), 5 + 2 * len(pg_clients), 7 + 2 * len(pg_clients)]
    separators = sorted({sum(1 for n, r in series[:end] if r is not None) - 0.5 for end in group_ends})
    separators = [x for x in separators if 0 < x < len(present) - 0.5]  # no line for a group this run did not have
    chart_ok = draw_chart(os.path.join(out_dir, "latency.png"), present, results["run"], separators)

    # ---- markdown
    table = main_table(scenarios)
    md = markdown(results, scenarios, table, series, batches, correctness_ok, chart_ok, creation)
    with open(os.path.join(docs, "benchmarks.md"), "w", encoding="utf-8") as f:
        f.write(md)

    print(table)
    print()
    print(f"correctness: {'PASSED' if correctness_ok else 'FAILED'} — {mismatches} code(s) with usage ≠ open sessions, "
          f"{oversold} over capacity; full code {c['full']['usage_count']}/{full_seats} seats, {full_201} × 201 seen")
    return 0 if correctness_ok else 4


# ----------------------------------------------------------------------------- members (issue 14, seed 002)


def members_results(work, runs, ratio, check, median):
    """The members scenario, when this run has it: its rows of the results table and everything measured."""
    def optional(name):
        path = os.path.join(work, name)
        return load(path) if os.path.exists(path) else None

    settings = optional("members-settings.json")
    if settings is None:
        return None
    get_api, get_bare = runs("members-get-api", {"200"}), runs("members-get-bare", {"200"})
    load_run = runs("members-load-api", {"200"})
    outage = optional("members-outage.json")
    batch = optional("members-batch.json")
    scenarios = []
    if get_api:
        r = ratio(get_api, get_bare)
        p99 = get_api["latency_ms"]["p99"]
        scenarios.append({
            "id": "member-lookup",
            "name": "cached member lookup GET /api/members/{id}",
            "connections": settings.get("get_connections"),
            "api": get_api,
            "reference_name": "bare Kestrel, the same bytes",
            "reference": get_bare,
            "ratio": r,
            "targets": [
                check(r is not None and r >= 0.8, fmt_ratio(r), "≥ 0.8×"),
                check(p99 is not None and p99 < 5, f"p99 {fmt_ms(p99)} ms", "< 5 ms"),
            ],
        })
    if load_run:
        lat = load_run["latency_ms"]
        offered = {"figure": load_run["offered_rps"], "latency_ms": {}, "errors": {}, "tool": "schedule"}
        scenarios.append({
            "id": "members-load",
            "name": f"members load, open loop: {load_run['connections']:,} connections, lookups and cards, 90 % cached",
            "connections": load_run["connections"],
            "api": load_run,
            "reference_name": "offered (the schedule's rate)",
            "reference": offered,
            "ratio": ratio(load_run, offered),
            "targets": [
                check(load_run["error_count"] == 0, f"errors {load_run['error_count']:,}", "= 0"),
                check(lat["p95"] is not None and lat["p95"] < 50, f"p95 {fmt_ms(lat['p95'])} ms", "< 50 ms"),
                check(lat["p99"] is not None and lat["p99"] < 100, f"p99 {fmt_ms(lat['p99'])} ms", "< 100 ms"),
            ],
        })
    if outage:
        o = settings["outage"]
        cached, broken = outage["cached_during"], outage["cold_breaker_open"]
        ok_pct, cached_p99, p99_503 = cached["ok_pct"], cached["latency_ms"]["p99"], broken["latency_503_ms"]["p99"]
        scenarios.append({
            "id": "members-outage",
            "name": f"member lookups, PostgreSQL stopped {o['seconds']} s ({o['connections']:,} connections, {o['rate']:,} req/s)",
            "connections": o["connections"],
            "api": None,
            "reference_name": "—",
            "reference": None,
            "ratio": None,
            "targets": [
                check(ok_pct == 100.0, "cached 200: " + ("—" if ok_pct is None else f"{ok_pct:.2f} %"), "= 100 %"),
                check(cached_p99 is not None and cached_p99 < 5, f"cached p99 {fmt_ms(cached_p99)} ms", "< 5 ms"),
                check(p99_503 is not None and p99_503 <= 50, f"503 p99 {fmt_ms(p99_503)} ms", "≤ 50 ms"),
            ],
        })
    batch_summary = None
    if batch:
        by_concurrency = {}
        for r in batch["runs"]:
            by_concurrency.setdefault(r["concurrency"], []).append(r)
        batch_summary = {
            c: {
                "seconds": [r["seconds"] for r in rs],
                "median_s": median([r["seconds"] for r in rs]),
                "complete": all(r["status"] == 200 and r["cards"] == batch["members_per_batch"] for r in rs),
            }
            for c, rs in sorted(by_concurrency.items())
        }
    return {
        "scenarios": scenarios,
        "settings": settings,
        "plan": optional("members-plan.json"),
        "outage": outage,
        "batch": batch,
        "batch_summary": batch_summary,
        "raw": {
            "members-get-api": get_api,
            "members-get-bare": get_bare,
            "members-warm": runs("members-warm", {"200"}),
            "members-load-api": load_run,
            "members-load-bare": runs("members-load-bare", {"200"}),
            "members-outage-api": runs("members-outage-api", {"200"}),
        },
    }


def fmt_s(x):
    return "—" if x is None else f"{x:.2f} s"


def statuses_text(statuses):
    return ", ".join(f"{n:,}×{s}" for s, n in sorted(statuses.items())) or "—"


def members_section(m, raw, scenarios):
    """The members section of docs/benchmarks.md (m: results.json's members; raw: its raw runs)."""
    if not m:
        return []
    st, plan = m["settings"], m.get("plan") or {}
    get_api, get_bare, load_run = raw.get("members-get-api"), raw.get("members-get-bare"), raw.get("members-load-api")
    outage, o = m.get("outage"), st["outage"]
    out = ["## Members (issue 14, seed 002)\n"]
    out.append(
        f"Seed 002's {plan.get('members', 0):,} members (`build/seed --members`), read with a client key of scope "
        "`members:read`. The issue's targets, measured in this run:\n")
    out.append("| measurement | measured against the target | target met? |")
    out.append("|---|---|---|")
    for s in scenarios:
        if s["id"] in ("member-lookup", "members-load", "members-outage"):
            out.append(f"| {s['name']} | {s['target_text']} | {'yes' if s['target_met'] else '**no**'} |")
    bs = m.get("batch_summary")
    if bs:
        medians = ", ".join(f"concurrency {c}: {fmt_s(v['median_s'])}" for c, v in bs.items())
        complete = all(v["complete"] for v in bs.values())
        out.append(f"| batch cards, 100 members never read (median wall time) | {medians}"
                   f"{'' if complete else ' — **some batches did not return 100 cards**'} | no target given |")
    out.append("")

    if get_api:
        out.append("### Cached member lookup\n")
        out.append(
            f"`GET /api/members/{{id}}` of one member read twice before (so every answer is a memory-cache hit), wrk `-t2 "
            f"-c {st.get('get_connections')}` with the client key, {get_api['duration_s']:.0f} s after an unreported warm-up; the "
            "reference is the bare Kestrel app answering the bytes the API answered for that member (status line, headers "
            "but `Date`, the same chunked body; checked before its run).\n")
        out.append("| run | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | server CPU per request |")
        out.append("|---|---:|---:|---:|---:|---:|---|---:|")
        for name, r in (("API", get_api), ("bare Kestrel", get_bare)):
            if r:
                lat = r["latency_ms"]
                cpu = (r.get("cpu") or {}).get("server_cpu_ms_per_request")
                out.append(f"| {name} | {fmt_int(r['figure'])} | {fmt_ms(lat['p50'])} | {fmt_ms(lat['p95'])} | "
                           f"{fmt_ms(lat['p99'])} | {fmt_ms(lat['max'])} | {error_text(r)} | "
                           f"{'—' if cpu is None else f'{cpu * 1000:.0f} µs'} |")
        out.append("")

    if load_run:
        r = load_run
        lat = r["latency_ms"]
        wanted, conns = st.get("connections_wanted"), r["connections"]
        why = ""
        if wanted and conns < wanted:
            why = (f" ({wanted:,} wanted: a process may hold at most {st['fd_limit']:,} file descriptors here, a hard limit "
                   f"this machine does not let the bench raise, and the API held {st['api_fds_before']:,} before the run — its "
                   "assemblies, logs and sockets — plus up to one per pooled PostgreSQL connection)")
        out.append("### The seed's load shape (open loop)\n")
        out.append(
            f"`build/bench.d/OpenLoop` opened {conns:,} keep-alive connections{why} from {r['sources']} in {r['ramp_s']:.1f} s "
            f"(not measured), then sent on a fixed schedule: each connection once every {r['period_s']:.2f} s at its own random "
            f"phase, {r['rate']:,.0f} requests a second offered in all, whatever the API answered. A request whose connection "
            "was still waiting for an answer waited for it, and every latency counts from the request's *intended* send time "
            f"(no coordinated omission). {r['warmup_s']:g} s of the schedule ran before the {r['duration_s']:.0f} s measured. "
            f"Requests: {plan.get('cold_share', 0.1) * 100:.0f} % to a member never read before (a new one each), the rest to "
            f"{plan.get('warmed_members', 0):,} members read before the run (each by id, by id number and its card); "
            + ", ".join(f"{share * 100:.0f} % {kind}" for kind, share in (plan.get("mix") or {}).items())
            + " (card data is `POST /api/members/{id}/card`).\n")
        bare = raw.get("members-load-bare")
        out.append(
            "The reference row is the same schedule (connections, rate, warm-up, duration) against the bare Kestrel app, every "
            "request a GET it answers with the member's bytes: what HTTP on this machine's kernel costs at that many "
            "connections, with no application behind it.\n")
        out.append("| server | offered | sent | answered | 2xx | non-2xx | other errors | 2xx/s | p50 ms | p90 ms | p95 ms | p99 ms | p99.9 ms | max ms | server CPU |")
        out.append("|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, x in (("API", r), ("bare Kestrel (reference)", bare)):
            if not x:
                continue
            xl = x["latency_ms"]
            non2xx = statuses_text({s: n for s, n in x["status"].items() if not s.startswith("2")})
            other = ", ".join(f"{n:,} {k}" for k, n in x["errors"].items() if n) or "0"
            xc = (x.get("cpu") or {}).get("server_cores")
            out.append(f"| {label} | {x['offered']:,} | {x['sent']:,} | {x['answered']:,} | {x['ok']:,} | {non2xx} | {other} | "
                       f"{fmt_int(x['figure'])} | {fmt_ms(xl['p50'])} | {fmt_ms(xl['p90'])} | {fmt_ms(xl['p95'])} | "
                       f"{fmt_ms(xl['p99'])} | {fmt_ms(xl['p999'])} | {fmt_ms(xl['max'])} | "
                       f"{'—' if xc is None else f'{xc:.2f} cores'} |")
        out.append("")
        out.append("| class | offered | 2xx | other answers | X-Cache | p50 ms | p95 ms | p99 ms | max ms |")
        out.append("|---|---:|---:|---|---|---:|---:|---:|---:|")
        for group in ("groups", "classes"):
            for name, c in r[group].items():
                cl = c["latency_ms"]
                others = {s: n for s, n in c["status"].items() if not str(s).startswith("2")}
                problems = ", ".join(f"{n:,} {p}" for p, n in c.get("problems", {}).items())
                label = f"**{name}** (all)" if group == "groups" else name
                out.append(f"| {label} | {c['offered']:,} | {c['ok']:,} | {statuses_text(others)}{f' ({problems})' if problems else ''} | "
                           f"{', '.join(f'{n:,} {k}' for k, n in c['x_cache'].items()) or '—'} | {fmt_ms(cl['p50'])} | "
                           f"{fmt_ms(cl['p95'])} | {fmt_ms(cl['p99'])} | {fmt_ms(cl['max'])} |")
        out.append("")
        dl, sl, cpu = r["dispatch_lag_ms"], r["send_lag_ms"], r.get("cpu") or {}
        out.append(
            f"The generator's own lateness (its scheduler thread waking after a request's time): p50 {fmt_ms(dl['p50'])} ms, "
            f"p99 {fmt_ms(dl['p99'])} ms, max {fmt_ms(dl['max'])} ms; from the intended time to the request's first byte on "
            f"the wire (that lateness plus waiting behind an unanswered request): p99 {fmt_ms(sl['p99'])} ms. Both are part "
            f"of the latencies above. The generator used {r['generator_cpu_s']:.1f} s of CPU from the schedule's start to its "
            f"end ({r['generator_cpu_s'] / max(r['duration_s'] + r['warmup_s'], 1):.2f} cores; opening the connections took "
            f"{r.get('generator_ramp_cpu_s', 0):.1f} s more)"
            + (f". Over the measured window the API process used {cpu['server_cores']:.2f} cores "
               f"({cpu['server_cpu_ms_per_request'] * 1000:.0f} µs per 2xx answer), PostgreSQL "
               f"{cpu.get('postgres_cores') or 0:.2f} cores, and the machine had {cpu['machine_busy_cores']:.2f} of its "
               f"{cpu['nproc']} cores busy (every process on it)" if cpu.get("server_cpu_ms_per_request") else "")
            + ".\n")
        out.append("<details><summary>Per second (by intended send time; negative seconds are the warm-up)</summary>\n")
        out.append("| s | scheduled | sent | 2xx | non-2xx | errors | p99 ms |")
        out.append("|---:|---:|---:|---:|---|---|---:|")
        for t in r["timeline"]:
            out.append(f"| {t['t']} | {t['scheduled']:,} | {t['sent']:,} | {t['ok']:,} | {statuses_text(t['non_2xx'])} | "
                       f"{', '.join(f'{n:,} {k}' for k, n in t['errors'].items()) or '—'} | {fmt_ms(t['p99_ms'])} |")
        out.append("\n</details>\n")

    if outage:
        orun = raw.get("members-outage-api") or {}
        cached, cold, broken, fresh = (outage["cached_during"], outage["cold_during"], outage["cold_breaker_open"],
                                       outage["fresh_after_restart_s"])
        breaker = o.get("breaker") or {}
        out.append("### PostgreSQL stopped mid-run\n")
        out.append(
            f"The same request mix at {o['rate']:,} req/s over {o['connections']:,} connections (a smaller load than above: "
            "the outage's behaviour is the point, and every request to a member never read takes a member of its own), other "
            f"members never read; {o['before_s']} s into the measured window the bench stops its PostgreSQL "
            f"(`build/services stop postgres --instance bench`, a fast shutdown), starts it again {o['seconds']} s after it "
            "stopped, and from then on asks every 100 ms for one more member nobody read (curl) until it answers 200. The API "
            f"runs with its default circuit breaker (`CircuitBreaker`: {breaker.get('FailureRatio', '?')} of at least "
            f"{breaker.get('MinimumThroughput', '?')} calls within {breaker.get('SamplingDuration', '?')} open it for "
            f"{breaker.get('BreakDuration', '?')}), so fresh data can only return once that break has run out. Times are "
            "seconds from the start of the measured window; the breaker's moments come from the API's log.\n")
        out.append("| measure | value | target | met? |")
        out.append("|---|---|---|---|")
        out.append(f"| PostgreSQL down (stop command → accepting again) | {outage['stop_begin_s']:.2f} → {outage['start_done_s']:.2f}: "
                   f"{outage['down_s']:.2f} s (stopped {outage['stopped_s']:.2f} s) | | |")
        ok_pct = cached["ok_pct"]
        out.append(f"| requests to cached members answered 200 while down | {cached['ok']:,} of {cached['requests']:,} "
                   f"({'—' if ok_pct is None else f'{ok_pct:.2f} %'}; {statuses_text(cached['statuses'])}) | 100 % | "
                   f"{'yes' if ok_pct == 100.0 else '**no**'} |")
        cl = cached["latency_ms"]
        out.append(f"| their latency while down | p50 {fmt_ms(cl['p50'])}, p95 {fmt_ms(cl['p95'])}, p99 {fmt_ms(cl['p99'])}, "
                   f"max {fmt_ms(cl['max'])} ms | p99 < 5 ms | {'yes' if cl['p99'] is not None and cl['p99'] < 5 else '**no**'} |")
        for key, label in (("latency_before_breaker_ms", "before the breaker opened"), ("latency_breaker_open_ms", "once it had opened")):
            x = cached.get(key)
            if x and x["samples"]:
                out.append(f"| … of those, {label} ({x['samples']:,}) | p50 {fmt_ms(x['p50'])}, p95 {fmt_ms(x['p95'])}, "
                           f"p99 {fmt_ms(x['p99'])}, max {fmt_ms(x['max'])} ms | | |")
        out.append(f"| requests to members never read, while down | {cold['requests']:,}: {statuses_text(cold['statuses'])} | | |")
        opened = outage.get("breaker_opened_after_stop_s")
        out.append(f"| circuit breaker opened | {fmt_s(opened)} after the stop command; closed "
                   + (f"at {outage['breaker_closed_s']:.2f} ({outage['breaker_closed_s'] - outage['start_done_s']:.2f} s after the restart)"
                      if outage.get("breaker_closed_s") is not None else "— (not logged)") + " | | |")
        bl = broken["latency_503_ms"]
        out.append(f"| members never read, from the breaker's opening to its closing: answers | {broken['requests']:,}: "
                   f"{statuses_text(broken['statuses'])}"
                   + (f" ({', '.join(f'{n:,} {k}' for k, n in broken['not_ok'].items())})" if broken.get("not_ok") else "")
                   + " | | |")
        out.append(f"| their 503s' latency | p50 {fmt_ms(bl['p50'])}, p95 {fmt_ms(bl['p95'])}, p99 {fmt_ms(bl['p99'])}, "
                   f"max {fmt_ms(bl['max'])} ms ({bl['samples']:,}) | p99 ≤ 50 ms | "
                   f"{'yes' if bl['p99'] is not None and bl['p99'] <= 50 else '**no**'} |")
        probe = outage.get("probe") or {}
        out.append(f"| fresh data after the restart (first 200 for a member never read) | {fmt_s(fresh['probe'])} after PostgreSQL "
                   f"accepted connections again ({fmt_s(fresh['probe_from_start_command'])} after the start command; "
                   f"{probe.get('member_polls', 0):,} polls: {statuses_text(probe.get('statuses') or {})}); in the generator's "
                   "stream: " + (f"{fresh['stream']:.2f} s" if fresh["stream"] is not None else "— (its schedule ended before)")
                   + " | no target given | |")
        if orun:
            out.append(f"| the whole run | offered {orun['offered']:,}, answered {orun['answered']:,}: {statuses_text(orun['status'])}"
                       + (f"; {', '.join(f'{n:,} {k}' for k, n in orun['errors'].items() if n)}" if any(orun['errors'].values()) else "")
                       + " | | |")
        out.append("")
        out.append("<details><summary>Per second (by intended send time)</summary>\n")
        out.append("| s | | cached 200 | cached other | never read 200 | never read 503 | never read other | cached p99 ms | never read p99 ms |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        marks = {}
        for label, t in (("PostgreSQL stopping", outage["stop_begin_s"]), ("PostgreSQL starting", outage["start_begin_s"]),
                         ("breaker opened", outage.get("breaker_opened_s")), ("breaker closed", outage.get("breaker_closed_s")),
                         ("fresh data (probe)", None if fresh["probe"] is None else outage["start_done_s"] + fresh["probe"])):
            if t is not None:
                marks.setdefault(math.floor(t), []).append(label)
        for t in outage["timeline"]:
            out.append(f"| {t['t']} | {', '.join(marks.get(t['t'], []))} | {t['cached_200']:,} | {t['cached_other']:,} | "
                       f"{t['cold_200']:,} | {t['cold_503']:,} | {t['cold_other']:,} | {fmt_ms(t['cached_p99_ms'])} | "
                       f"{fmt_ms(t['cold_p99_ms'])} |")
        out.append("\n</details>\n")

    if bs:
        out.append("### Batch cards\n")
        out.append(
            "`POST /api/members/cards/batch` with 100 members never read before (a different hundred each run), at "
            "concurrency 1, 5 and 20, the order reversed every other run, after one unreported batch; wall time is curl's "
            "`time_total`.\n")
        out.append("| concurrency | runs (s) | median (s) | every batch 100 cards, no failure |")
        out.append("|---:|---|---:|---|")
        for c, v in bs.items():
            out.append(f"| {c} | {', '.join(f'{x:.3f}' for x in v['seconds'])} | {v['median_s']:.3f} | {'yes' if v['complete'] else '**no**'} |")
        out.append("")
    return out


def main_table(scenarios):
    lines = [
        "| scenario | figure (req/s) | reference | reference figure | ratio | p50 ms | p95 ms | p99 ms | errors | target met? |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in scenarios:
        a, r = s["api"], s["reference"]
        lat = a["latency_ms"] if a else {}
        mark = "yes" if s["target_met"] else "**no**"
        lines.append(
            f"| {s['name']} | {fmt_int(a and a['figure'])} | {s['reference_name']} | {fmt_int(r and r['figure'])} | "
            f"{fmt_ratio(s['ratio'])} | {fmt_ms(lat.get('p50'))} | {fmt_ms(lat.get('p95'))} | {fmt_ms(lat.get('p99'))} | "
            f"{error_text(a)} | {mark} ({s['target_text']}) |"
        )
    return "\n".join(lines)


def markdown(results, scenarios, table, series, batches, correctness_ok, chart_ok, creation):
    run, m, c = results["run"], results["machine"], results["correctness"]
    quick = run["quick"]
    out = []
    out.append("# Benchmarks\n")
    out.append("<!-- Generated by build/bench: every run overwrites this file, results.json and latency.png. -->\n")
    if quick:
        out.append(
            "> **Quick run** (`build/bench --quick`): short durations, for checking that the benchmark works. "
            "Run `build/bench` for the figures worth quoting.\n"
        )
    out.append(
        "Each scenario runs beside its physical reference **on the same machine in the same run**, so the ratios hold "
        "even where the absolute figures move with the machine. Load is loopback only and bounded in time.\n"
    )
    out.append("| | |\n|---|---|")
    out.append(f"| date | {run['date']} |")
    out.append(f"| command | `{run['command']}` ({'quick' if quick else 'full'} run, {run['duration_s']} s per measured run, {run['warmup_s']} s warm-up before each API and bare-Kestrel run) |")
    out.append(f"| commit | {run['git']} |")
    out.append(f"| machine | {m['nproc']} cores ({m['cpu']}), {m['memory']} memory |")
    out.append(f"| load average (1/5/15 min) | before {m['load_before']}; after {m['load_after']} |")
    out.append(f"| software | PostgreSQL {m['postgres']}, .NET {m['dotnet']}, {m['wrk']} |")
    out.append(f"| API | Release build, Production, `Maximum Pool Size={run['api_pool']}`, Redis L2 + backplane, logging at Warning |")
    out.append(f"| wall time of the run | {run['elapsed_s']} s (build, services, data, every scenario; stopping the API and the services afterwards not counted) |")
    out.append("")
    try:
        load1, nproc = float(m["load_before"].split()[0]), int(m["nproc"])
    except (ValueError, IndexError):
        load1, nproc = 0.0, 0
    if nproc and load1 > nproc:
        out.append(
            f"> **The machine was busy**: load average {load1:.1f} on {nproc} cores when the run started — other "
            "processes competed with the benchmark for the CPU (see *machine busy* below). Tail latencies suffer most; "
            "the API and its reference met the same kind of load, but not the same instants of it.\n"
        )
    out.append("## Results\n")
    out.append(table)
    out.append("")
    out.append(
        "*Figure* is successful responses per second (200 for reads, 201 for claims), measured by wrk; a pgbench "
        "figure is its committed transactions per second (`tps`, without connection time). Percentiles are the API's "
        "(wrk's latency histogram); the references' own are below. *Errors* are non-success statuses and socket errors "
        "(`timeout` = no answer within wrk's 5 s).\n"
    )
    if chart_ok:
        out.append("![Latency percentiles per scenario and reference](benchmarks/latency.png)\n")
    out.append("### Every measured run\n")
    out.append("| run | tool | connections | figure (req/s) | requests | p50 ms | p95 ms | p99 ms | max ms | errors | "
               "server CPU (cores) | server CPU per request | machine busy (cores) |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for name, r in series:
        if r is None:
            continue
        lat = r["latency_ms"]
        cn = r.get("clients") or (f"{r['connections']:,}" if r.get("tool") == "openloop" else None) \
            or (re.search(r"\((\d+) conn", name) or [None, ""])[1]
        out.append(
            f"| {name} | {r['tool']} | {cn} | {fmt_int(r['figure'])} | {fmt_int(r['requests'])} | {fmt_ms(lat['p50'])} | "
            f"{fmt_ms(lat['p95'])} | {fmt_ms(lat['p99'])} | {fmt_ms(lat['max'])} | {error_text(r)} | {cpu_cells(r)} |"
        )
    out.append("")
    out.append(
        "*Server CPU* is the API's (or the bare app's) process, user + system time over the run; PostgreSQL's backends "
        "are not counted, so pgbench rows show only *machine busy*: every process on the machine (wrk or pgbench, "
        "PostgreSQL, Redis, and whatever else runs there), in cores of the machine's "
        f"{m['nproc']}.\n"
    )

    out.extend(members_section(results.get("members"), results["raw"], scenarios))
    out.append("## Correctness pass\n")
    out.append(
        "After the load, one SQL query over every code of the bench database compares each code's `usage_count` with "
        "its open sessions (`ended_at IS NULL`) and with `max_usage_count`; then a code of "
        f"{c['full']['max_usage_count']:,} seats is claimed by {env('BENCH_HOT_CONNS')} clients for "
        f"{env('BENCH_FULL_SECONDS')} s: exactly that many 201s, the rest 409.\n"
    )
    out.append(f"**{'PASSED' if correctness_ok else 'FAILED'}**\n")
    out.append("| check | value |\n|---|---|")
    out.append(f"| codes checked | {c['codes']:,} |")
    out.append(f"| codes whose usage_count ≠ open sessions | {c['mismatched_codes']} |")
    out.append(f"| codes over capacity (usage_count > max_usage_count) | {c['oversold_codes']} |")
    out.append(f"| total usage_count / open sessions / all sessions | {c['total_usage']:,} / {c['open_sessions']:,} / {c['all_sessions']:,} |")
    out.append(f"| hot code: usage_count vs 201s seen by wrk (warm-up + run) | {c['hot']['usage_count']:,} vs {c['hot_201_seen_by_wrk']:,} (difference {c['hot']['usage_count'] - c['hot_201_seen_by_wrk']:,}) |")
    out.append(f"| spread codes: usage_count vs 201s seen by wrk (warm-up + run) | {c['spread']['usage_count']:,} vs {c['spread_201_seen_by_wrk']:,} (difference {c['spread']['usage_count'] - c['spread_201_seen_by_wrk']:,}) |")
    full_api = results["raw"]["full-api"]
    full_statuses = ", ".join(f"{n:,}×{s}" for s, n in sorted((full_api or {}).get("status", {}).items()))
    out.append(f"| full code: usage_count / seats; statuses seen by wrk | {c['full']['usage_count']:,} / {c['full']['max_usage_count']:,}; {full_statuses} |")
    out.append("")
    out.append(
        "A difference between `usage_count` and the 201s wrk counted is not a lost seat: the database is the record "
        "(every granted seat is an open session, checked above). wrk stops reading at the end of its duration and "
        "counts nothing that arrives after that (and nothing slower than its 5 s timeout), while claims that had already "
        "joined a claim transaction are committed and answered to a closed connection; those sessions are real and "
        "would be ended by idle-session cleanup.\n"
    )

    out.extend(api_log_section(results.get("api_log")))
    out.append("## What bounds the claim figures\n")
    out.append(
        "From the API's own `/metrics`, scraped before and after each measured claim run: claim batches (the claims of "
        "one code answered together, `capacity_claim_batch_size`), claim transactions (batches of different codes share "
        "one when they are ready at the same time, `capacity_claim_transaction_codes`), the mean time a claim spends in "
        "the API's pipeline (`capacity_request_duration_seconds`, from the mediator's first behavior to the answer; wrk's "
        "latency adds Kestrel and waiting for a CPU) and the usage pre-check, read from this instance's memory cache.\n"
    )
    out.append("| scenario | claim transactions | claims | code batches | claims per batch (mean) | half of the batches ≤ | "
               "99 % ≤ | codes per transaction (mean) | claims per transaction (mean) | mean time in the pipeline per claim | "
               "wrk's mean latency | usage pre-check cache hits |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    raw = results["raw"]
    for sid, label, api in (("hot", "hot-code claims", raw["hot-api"]), ("spread", "spread claims", raw["spread-api"])):
        b = batches[sid]
        mean = "—" if b["mean_batch"] is None else f"{b['mean_batch']:.1f}"
        codes = "—" if b.get("codes_per_transaction") is None else f"{b['codes_per_transaction']:.1f}"
        per_tx = "—" if b.get("claims_per_transaction") is None else f"{b['claims_per_transaction']:.1f}"
        lk = b["usage_precheck_cache"]
        looked = lk.get("hit", 0) + lk.get("miss", 0)
        hits = f"{lk.get('hit', 0) / looked * 100:.0f} % of {looked:,.0f}" if looked else "—"
        pipe = "—" if b["claim_pipeline_mean_ms"] is None else f"{fmt_ms(b['claim_pipeline_mean_ms'])} ms"
        wrk_mean = "—" if not api else f"{fmt_ms(api['latency_ms']['mean'])} ms"
        out.append(f"| {label} | {fmt_int(b['transactions'])} | {fmt_int(b['claims'])} | {fmt_int(b.get('batches'))} | {mean} | "
                   f"{b['p50_bucket_le'] or '—'} | {b['p99_bucket_le'] or '—'} | {codes} | {per_tx} | {pipe} | {wrk_mean} | {hits} |")
    out.append("")
    out.append(
        "What the API's PostgreSQL connections were doing during each measured claim run (`pg_stat_activity`, once a "
        "second; mean connections per state and wait event; *waiting for the API* = `idle in transaction`, or `active` "
        "waiting in `ClientRead`; *working* = `active` executing, waiting for a CPU (`none`), a lock or the WAL):\n"
    )
    out.append("| scenario | API connections to PostgreSQL |")
    out.append("|---|---|")
    for sid, label in (("hot", "hot-code claims"), ("spread", "spread claims")):
        out.append(f"| {label} | {activity_text(batches[sid].get('postgres_activity'))} |")
    out.append("")
    out.extend(observations(results, scenarios, batches))
    out.append("")

    out.append("## How it is measured\n")
    out.append(
        f"""- `build/bench` builds the API and the bare Kestrel reference (`build/bench.d/BareKestrel`) in Release, starts
  PostgreSQL and Redis of its own (`build/services start --instance bench`: 127.0.0.1:54349 and :63819, data in
  `.data/bench-*`, never the test data), recreates the databases `capacity_bench` (the API's) and `capacity_ref`
  (pgbench's), starts the API on 127.0.0.1:5085 and waits for `/health/ready`.
- Data: `BENCH-GET` (read only), `BENCH-HOT` (1,000,000 seats) and `BENCH-FULL` ({c['full']['max_usage_count']:,} seats)
  through the admin API; `SPREAD-0001` … `SPREAD-5000` (1,000,000 seats each){creation_text(creation)}.
- **cached GET**: wrk `-t2 -c {env('BENCH_GET_CONNS')}` on `GET /api/access-codes/BENCH-GET`, then the same on the bare
  Kestrel app (127.0.0.1:5090), which answers the exact bytes the API answered (captured first) with nothing else
  in its pipeline.
- **hot-code claims**: wrk `-c {env('BENCH_HOT_CONNS')}` POSTing `{{"code":"BENCH-HOT"}}` to `/api/auth/code-login`; reference:
  pgbench `UPDATE bench_rows SET usage_count = usage_count + 1 WHERE id = :id` on one row.
- **spread claims**: wrk `-c {env('BENCH_SPREAD_CONNS')}`, each request a code drawn at random of the 5,000; reference: the same
  UPDATE on a row drawn at random of 5,000 (`\\set id random(1, 5000)`).
- pgbench runs against the same server with the same settings, `-n -M prepared -j 2 -T {run['duration_s']}`, with `-c` equal to
  the API's maximum pool size ({run['api_pool']}) and, as the second reference, the best of `-c 8` and `-c 64`.
  Its percentiles come from its per-transaction log (`-l`).
- wrk: `-t2 --timeout 5s --latency -d {run['duration_s']}s`, Lua scripts in `build/bench.d/lua` (one JSON line per run, status
  counts gathered from every thread). Each API and bare-Kestrel run follows a {run['warmup_s']} s warm-up run that is not
  reported (JIT, connection pools).
- **members** (issue 14, seed 002; when the run has them): the cached member lookup as the cached GET above, against a
  second route of the bare Kestrel app that answers the API's bytes for that member; the seed's load shape with
  `build/bench.d/OpenLoop`, the project's open-loop generator (a fixed per-connection schedule, latency from each
  request's intended send time, connections opened before the measured window and bound to several loopback source
  addresses); the outage run with `build/services stop postgres --instance bench` mid-run and a curl probe every 100 ms
  for fresh data; the batch cards timed by curl. `build/bench.d/members.py` splits the members into disjoint sets (one
  looked up, the warmed ones, the ones never read before, the batches') and reads the outage run's request log.
- The load generator, the API, PostgreSQL and Redis share the machine's {m['nproc']} cores, as do other processes
  (see the load average): absolute figures move from run to run; the ratios are the point.
- Raw figures: [`benchmarks/results.json`](benchmarks/results.json).
"""
    )
    return "\n".join(out) + "\n"


def observations(results, scenarios, batches):
    """A few sentences read off this run's figures (not a substitute for looking at them)."""
    raw = results["raw"]
    pool = results["run"]["api_pool"]
    out = []
    hot, b = raw["hot-api"], batches["hot"]
    ref = raw.get(f"pgbench-hot-c{pool}")
    if hot and ref and b["transactions"]:
        secs = hot["duration_s"] or 1
        out.append(
            f"- **Hot code.** {hot['figure']:,.0f} claims/s came from {b['batches'] / secs:,.0f} batches/s of the code "
            f"(mean {b['mean_batch']:.0f} claims each; {single_share(b)} of the batches carried a single claim): "
            "claims of one code queue in the API behind the code's one batch in flight and the next batch takes all "
            "that are waiting. pgbench's single-row UPDATE commits "
            f"{ref['figure']:,.0f} transactions/s at -c {pool}: every UPDATE waits for the row lock, which its "
            "predecessor holds until its commit's WAL flush, so one row gets one flush per seat; the API gets one flush "
            "per batch. The hot figure is then bounded by the CPU the API, wrk and PostgreSQL share (HTTP, JSON, the "
            "k-row INSERT of sessions), not by the row."
            + activity_sentence(b.get("postgres_activity"))
            + claim_cpu_sentence(hot)
        )
    spread, bs = raw["spread-api"], batches["spread"]
    sref = raw.get(f"pgbench-spread-c{pool}")
    if spread and sref and bs["transactions"]:
        codes = bs.get("codes_per_transaction") or 1
        out.append(
            f"- **Spread codes.** Claims rarely meet on a code (mean {bs['mean_batch']:.2f} claims per batch), but batches "
            f"of different codes that are ready while the grouped transactions in flight run share the next one: "
            f"{fmt_int(bs['transactions'])} transactions for {fmt_int(bs['claims'])} claims, a mean of {codes:.1f} codes "
            "each (one statement: lock the codes' rows with SKIP LOCKED, one UPDATE, one INSERT of the sessions, one "
            f"commit). pgbench sends one prepared UPDATE per transaction ({sref['figure']:,.0f}/s at -c {pool}), so it "
            "pays a commit per row; the API pays one per group, and HTTP, JSON and the pipeline per claim."
            + activity_sentence(bs.get("postgres_activity"))
            + claim_cpu_sentence(spread)
        )
    get_api, get_bare = raw["get-api"], raw["get-bare"]
    if get_api and get_bare:
        out.append(
            f"- **Cached GET.** The bare app writes a fixed byte array; the API runs routing, Carter, the mediator "
            f"pipeline (timing, validation, caching behaviors), a FusionCache L1 hit and JSON serialization per request: "
            f"{get_api['figure']:,.0f} vs {get_bare['figure']:,.0f} req/s. At 64 connections on {results['machine']['nproc']} "
            "cores, wrk needs about one core of its own, so both share the other with the server."
            + cpu_sentence(get_api, get_bare)
        )
    pairs = [(raw.get(f"get-nokey-{i}"), raw.get(f"get-key-{i}")) for i in range(1, 100) if raw.get(f"get-key-{i}")]
    if pairs:
        listed = "; ".join(
            f"{n['figure']:,.0f} / {k['figure']:,.0f} ({k['figure'] / n['figure']:.2f}×)" for n, k in pairs if n and k)
        cpu = [(n["cpu"], k["cpu"]) for n, k in pairs if n and k and n.get("cpu") and k.get("cpu")]
        cpu_text = ""
        if cpu:
            per = [(c_k.get("server_cpu_ms_per_request"), c_n.get("server_cpu_ms_per_request")) for c_n, c_k in cpu]
            per = [(a, b) for a, b in per if a and b]
            if per:
                cpu_text = (f" Server CPU per request, with a key against without, median of the pairs: "
                            f"{sorted(a / b for a, b in per)[len(per) // 2]:.2f}×.")
        out.append(
            "- **Cached GET with a client key.** The same read sending `X-Api-Key`: the ApiKey scheme hashes the key "
            "(SHA-256), finds its cached check by prefix (a FusionCache memory hit), compares hashes in constant time "
            "and builds the caller; no database read. Alternating short runs, without / with a key: "
            f"{listed}." + cpu_text
        )
    return out


def activity_sentence(a):
    if not a:
        return ""
    wait, work = a["waiting_for_api"], a["in_postgres"]
    if wait >= 1 and wait >= 2 * work:
        side = "so most of a claim transaction's time goes on the API's side of its round trips (its share of the CPU), not into PostgreSQL's locks or WAL"
    elif work >= 1 and work >= 2 * wait:
        side = "so PostgreSQL is the busier side"
    elif wait + work < 2:
        side = ("so PostgreSQL was rarely the one being waited for: the claims spend their time in the API "
                "(HTTP, queueing behind the code's transaction, waiting for a CPU)")
    else:
        side = "neither side dominates"
    return (f" Sampled during the run, the API's PostgreSQL connections were on average {wait:.1f} waiting for the API "
            f"inside a transaction and {work:.1f} working in PostgreSQL, {side}.")


def cpu_sentence(api, ref):
    a, b = (api or {}).get("cpu") or {}, (ref or {}).get("cpu") or {}
    if not a.get("server_cpu_ms_per_request") or not b.get("server_cpu_ms_per_request"):
        return ""
    return (f" Per request the API process used {a['server_cpu_ms_per_request'] * 1000:.0f} µs of CPU and the bare app "
            f"{b['server_cpu_ms_per_request'] * 1000:.0f} µs ({a['server_cpu_ms_per_request'] / b['server_cpu_ms_per_request']:.1f}×), "
            f"with {a['server_cores']:.2f} and {b['server_cores']:.2f} cores busy.")


def claim_cpu_sentence(api):
    c = (api or {}).get("cpu") or {}
    if not c.get("server_cpu_ms_per_request"):
        return ""
    text = (f" The API process used {c['server_cores']:.2f} cores, {c['server_cpu_ms_per_request']:.2f} ms of CPU per "
            f"granted claim")
    if c.get("postgres_cpu_ms_per_request"):
        text += (f", PostgreSQL's processes {c['postgres_cores']:.2f} cores, "
                 f"{c['postgres_cpu_ms_per_request']:.2f} ms per claim")
    text += f", with {c['machine_busy_cores']:.2f} of the machine's {c['nproc']} cores busy in all"
    if c["server_cores"] < 0.8 and c["machine_busy_cores"] >= 0.95 * c["nproc"]:
        text += (": the machine was saturated while the API itself used less than a core, so between round trips its "
                 "continuations (and PostgreSQL's and Redis's processes) wait for a CPU; the number of sequential round "
                 "trips per claim sets the pace more than the CPU a claim costs")
    return text + "."


def single_share(b):
    ones = b["cumulative_buckets"].get("1", 0)
    return f"{ones / b['batches'] * 100:.0f} %" if b.get("batches") else "—"


def cpu_cells(r):
    c = r.get("cpu") or {}
    cores = "—" if c.get("server_cores") is None else f"{c['server_cores']:.2f}"
    per = "—" if c.get("server_cpu_ms_per_request") is None else f"{c['server_cpu_ms_per_request']:.3f} ms"
    busy = "—" if c.get("machine_busy_cores") is None else f"{c['machine_busy_cores']:.2f}"
    return f"{cores} | {per} | {busy}"


def api_log_section(log):
    out = ["## What the API logged\n"]
    if not log:
        return out + ["The API's log was not found.\n"]
    if log["entries"] == 0:
        return out + ["No warning or error from the moment the API was ready to the end of the run.\n"]
    out.append(
        f"{log['entries']:,} warning or error entries from the moment the API was ready to the end of the run "
        "(console log at Warning), placed against the wrk runs against the API (`-warmup` = the unreported warm-up "
        "run; `full-api` = the full-code check): *at the end of* a run = in its last second or the 5 s after it, when "
        "wrk closes its connections with requests still in flight (the requests are aborted).\n"
    )
    out.append("| level | category | exception (or message) | entries | when |")
    out.append("|---|---|---|---:|---|")
    for g in log["groups"][:10]:
        when = ", ".join(f"{n:,} {w}" for w, n in sorted(g["when"].items(), key=lambda kv: -kv[1]))
        exc = g["exception"].replace("|", "\\|") or "—"
        out.append(f"| {g['level']} | {g['category']} | {exc} | {g['count']:,} | {when} |")
    if len(log["groups"]) > 10:
        out.append(f"| … | {len(log['groups']) - 10} more kinds in results.json | | | |")
    out.append("")
    return out


def creation_text(creation):
    if not creation:
        return ""
    return (f"; the {creation['codes']:,} spread codes go in with {creation['method']} ({creation['seconds']:.2f} s), "
            "the same rows the admin API writes, because creating them through the API takes a tenth of a quick run")


def draw_chart(png, series, run, separators=()):
    """Grouped bars of p50/p95/p99 per run (log scale) with gnuplot; False when gnuplot is missing or fails."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("report: gnuplot not found, no chart", file=sys.stderr)
        return False
    rows, lows = [], []
    for name, r in series:
        lat = r["latency_ms"]
        vals = [max(lat.get(k) or 0.0, 0.001) for k in ("p50", "p95", "p99")]
        lows.append(vals[0])
        label = name.replace('"', "'")
        rows.append(f'"{label}" ' + " ".join(f"{v:.4f}" for v in vals))
    bottom = 10 ** math.floor(math.log10(min(lows) / 2)) if lows else 0.1
    n = len(rows)
    separator_lines = "".join(
        f"set arrow from {x}, graph 0 to {x}, graph 1 nohead lw 1 lc rgb '#999999' back\n" for x in separators)
    title = "Latency percentiles per scenario and reference" + (" (quick run)" if run["quick"] else "")
    script = f"""
set terminal pngcairo size 1400,680 enhanced font 'DejaVu Sans,11'
set output '{png}'
set title "{title}\\n{{/=10 dashed lines: the p99 targets, 5 ms (cached reads at 64 connections) and 100 ms (claims, 400 clients on one code; the members load)}}" font 'DejaVu Sans,14'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [{bottom}:*]
set xrange [-0.6:{n - 0.4}]
set ylabel 'latency (ms, log scale)'
set format y '%g'
set grid ytics mytics lc rgb '#e4e4e4'
set key at screen 0.5, screen 0.865 center center horizontal font 'DejaVu Sans,10'
set tmargin 6
set xtics rotate by 20 right scale 0 font 'DejaVu Sans,10'
set bmargin 7
set lmargin 22
set rmargin 4
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lw 1.5 lc rgb '#555555' front
set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lw 1.5 lc rgb '#555555' front
{separator_lines}$DATA << EOD
{chr(10).join(rows)}
EOD
plot $DATA using 2:xtic(1) title 'p50' lc rgb '#4c78a8', \\
     '' using 3 title 'p95' lc rgb '#f58518', \\
     '' using 4 title 'p99' lc rgb '#e45756'
"""
    with tempfile.NamedTemporaryFile("w", suffix=".gp", delete=False, encoding="utf-8") as f:
        f.write(script)
        gp = f.name
    try:
        subprocess.run([gnuplot, gp], check=True, timeout=60)
        return True
    except (subprocess.SubprocessError, OSError) as e:
        print(f"report: gnuplot failed: {e}", file=sys.stderr)
        return False
    finally:
        os.unlink(gp)


# ----------------------------------------------------------------------------- main


def main(argv):
    if len(argv) >= 2 and argv[1] == "pgbench" and len(argv) == 5:
        print(json.dumps(pgbench_summary(argv[2], argv[3], int(argv[4]))))
        return 0
    if len(argv) >= 2 and argv[1] == "metrics" and len(argv) == 4:
        print(json.dumps(metrics_delta(argv[2], argv[3])))
        return 0
    if len(argv) == 3 and argv[1] == "report":
        return build_report(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
