#!/usr/bin/env python3
"""The members scenario's files and its outage figures (standard library only; used by build/bench).

  members.py plan MEMBERS_FILE OUT_DIR --hot N --load-lines N --outage-lines N --batch-runs N [--seed S]
      MEMBERS_FILE: "member_id id_number" per line (seed 002's members). Splits them, at random, into disjoint sets
      (one member for the cached lookup, one to probe for fresh data after the outage, N members read before the load
      runs, 100 per batch run, and the rest never read before any run) and writes to OUT_DIR:
        members-warm.txt       every warmed member by id, by id number and its card (3 requests each)
        members-load.txt       the load's requests, members-outage.txt the outage run's: "CLASS METHOD PATH" lines,
                               90 % to warmed members (class cached.*), 10 % each to a member never read before (cold.*),
                               40 % by id, 30 % by id number, 30 % card data (POST .../card)
        members-load-bare.txt  as many GETs by id of warmed members, for the bare Kestrel reference of the load
        members-batch-C-R.json the batch bodies (100 members never read before, concurrency C, run R), and
                               members-batch-warmup.json (an unreported first batch, concurrency 5)
        members-plan.json      the ids the script needs and the counts
  members.py outage LOG EVENTS API_LOG API_LOG_SKIP
      LOG: the generator's request log of the outage run; EVENTS: the script's JSON of what it did when (PostgreSQL's
      stop and start, the fresh-data probe); API_LOG: the API's console log (where the circuit breaker says when it
      opened and closed). Prints the outage figures as JSON.
"""

import datetime
import json
import math
import os
import random
import re
import sys

KINDS = (("by-id", 0.4), ("by-id-number", 0.3), ("card", 0.3))
COLD_SHARE = 0.10
BATCH_SIZE = 100
BATCH_CONCURRENCY = (1, 5, 20)


def request(cls, kind, member_id, id_number):
    if kind == "by-id":
        return f"{cls}.{kind} GET /api/members/{member_id}\n"
    if kind == "by-id-number":
        return f"{cls}.{kind} GET /api/members/by-id-number/{id_number}\n"
    return f"{cls}.{kind} POST /api/members/{member_id}/card\n"


def pick_kind(rng):
    x, acc = rng.random(), 0.0
    for kind, share in KINDS:
        acc += share
        if x < acc:
            return kind
    return KINDS[-1][0]


def plan(args):
    members_file, out = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    hot_n = int(opts["--hot"])
    load_n = int(opts["--load-lines"])
    outage_n = int(opts["--outage-lines"])
    batch_runs = int(opts["--batch-runs"])
    rng = random.Random(int(opts.get("--seed", "2")))

    with open(members_file, encoding="utf-8") as f:
        members = [tuple(line.split()) for line in f if line.strip()]
    rng.shuffle(members)
    lookup, probe = members[0], members[1]
    hot = members[2:2 + hot_n]
    rest = members[2 + hot_n:]
    batches = {}
    batches[("warmup", 0)], rest = rest[:BATCH_SIZE], rest[BATCH_SIZE:]
    for run in range(1, batch_runs + 1):
        for c in BATCH_CONCURRENCY:
            batches[(c, run)], rest = rest[:BATCH_SIZE], rest[BATCH_SIZE:]
    cold = iter(rest)
    cold_used = 0

    def write_requests(path, n):
        nonlocal cold_used
        with open(path, "w", encoding="utf-8") as f:
            for _ in range(n):
                if rng.random() < COLD_SHARE:
                    m = next(cold, None)
                    if m is None:
                        raise SystemExit(f"members.py: not enough members never read before for {path} "
                                         f"({len(members):,} members, {hot_n:,} warmed)")
                    cold_used += 1
                    f.write(request("cold", pick_kind(rng), *m))
                else:
                    f.write(request("cached", pick_kind(rng), *rng.choice(hot)))

    with open(os.path.join(out, "members-warm.txt"), "w", encoding="utf-8") as f:
        for m in hot:
            for kind, _ in KINDS:
                f.write(request("warm", kind, *m))
    write_requests(os.path.join(out, "members-load.txt"), load_n)
    # The same schedule against bare Kestrel: GETs by id of the warmed members (it answers one member's bytes to all).
    with open(os.path.join(out, "members-load-bare.txt"), "w", encoding="utf-8") as f:
        for _ in range(load_n):
            f.write(request("bare", "by-id", *rng.choice(hot)))
    load_cold = cold_used
    write_requests(os.path.join(out, "members-outage.txt"), outage_n)
    for (c, run), ids in batches.items():
        name = "members-batch-warmup.json" if c == "warmup" else f"members-batch-{c}-{run}.json"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump({"memberIds": [m[0] for m in ids], "concurrency": 5 if c == "warmup" else c}, f)
    result = {
        "members": len(members),
        "lookup_member": lookup[0],
        "probe_member": probe[0],
        "warmed_members": len(hot),
        "load_lines": load_n,
        "load_cold_members": load_cold,
        "outage_lines": outage_n,
        "outage_cold_members": cold_used - load_cold,
        "batch_runs": batch_runs,
        "batch_concurrency": list(BATCH_CONCURRENCY),
        "batch_size": BATCH_SIZE,
        "mix": {k: s for k, s in KINDS},
        "cold_share": COLD_SHARE,
    }
    with open(os.path.join(out, "members-plan.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


# ----------------------------------------------------------------------------- outage


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[max(1, math.ceil(p / 100.0 * len(values))) - 1]


def lat(values):
    return {"p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99), "max": max(values) if values else None,
            "samples": len(values)}


def breaker_events(api_log, skip, near_epoch):
    """Epochs of the breaker's 'opened' and 'closed' log entries (console timestamps are UTC HH:mm:ss.fff)."""
    out = []
    if not os.path.exists(api_log):
        return out
    day = datetime.datetime.fromtimestamp(near_epoch, datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    pending = None
    with open(api_log, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            m = re.match(r"^(\d\d):(\d\d):(\d\d\.\d+) \w+: .*DatabaseCircuitBreaker", line)
            if m:
                tod = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
                # The day whose time of day lies nearest the run (a run across midnight UTC).
                candidates = [day.timestamp() + d * 86400 + tod for d in (-1, 0, 1)]
                pending = min(candidates, key=lambda e: abs(e - near_epoch))
                continue
            if pending is not None:
                text = line.strip()
                for word in ("opened", "half-open", "closed"):
                    if f"circuit {word}" in text:
                        out.append((word, pending))
                pending = None
    return out


def outage(args):
    log_file, events_file, api_log, skip = args[0], args[1], args[2], int(args[3])
    with open(events_file, encoding="utf-8") as f:
        ev = json.load(f)
    m0 = ev["measure_start_epoch"]
    rel = lambda e: None if e is None else e - m0  # noqa: E731
    stop_begin, stop_done = rel(ev["stop_begin"]), rel(ev["stop_done"])
    start_begin, start_done = rel(ev["start_begin"]), rel(ev["start_done"])
    breaker = [(w, rel(e)) for w, e in breaker_events(api_log, skip, ev["stop_begin"]) if e >= ev["stop_begin"] - 1]
    opened = next((t for w, t in breaker if w == "opened"), None)
    closed = next((t for w, t in breaker if w == "closed" and opened is not None and t > opened), None)

    rows = []  # (intended_s, group, outcome, latency_ms)
    with open(log_file, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.split()
            if len(p) < 4:
                continue
            rows.append((float(p[0]) / 1000.0, p[1].split(".", 1)[0], p[2], None if p[3] == "-" else float(p[3]), p[5] if len(p) > 5 else "-"))

    def window(rows_, lo, hi, group):
        return [r for r in rows_ if r[1] == group and lo <= r[0] < hi]

    def statuses(rs):
        out = {}
        for r in rs:
            out[r[2]] = out.get(r[2], 0) + 1
        return dict(sorted(out.items()))

    # PostgreSQL down: from the stop command to the moment the restarted server accepted connections again.
    cached = window(rows, stop_begin, start_done, "cached")
    cached_ok = [r for r in cached if r[2] == "200"]
    cold = window(rows, stop_begin, start_done, "cold")
    # Cached members while down, before the breaker opened and after (every failed uncached read costs an exception
    # and its log entries until then).
    cached_before_open = window(rows, stop_begin, opened, "cached") if opened is not None else cached
    cached_after_open = window(rows, opened, start_done, "cached") if opened is not None else []
    # Uncached members once the breaker had opened, until it closed (or the end of the run).
    end = closed if closed is not None else math.inf
    cold_open = window(rows, opened, end, "cold") if opened is not None else []
    cold_503 = [r for r in cold_open if r[2] == "503"]
    problems = {}
    for r in cold_open:
        if r[2] != "200":
            problems[f"{r[2]} {r[4]}"] = problems.get(f"{r[2]} {r[4]}", 0) + 1
    # Fresh data in the generator's stream: the first 200 for a member never read before, answered after the restart.
    fresh_stream = None
    for r in rows:
        if r[1] == "cold" and r[2] == "200" and r[3] is not None and r[0] + r[3] / 1000.0 >= start_done:
            answered = r[0] + r[3] / 1000.0
            fresh_stream = answered if fresh_stream is None else min(fresh_stream, answered)
    fresh_probe = rel(ev.get("fresh_epoch"))

    # Per second: cached and cold answers.
    seconds = {}
    for r in rows:
        s = seconds.setdefault(math.floor(r[0]), {"cached_200": 0, "cached_other": 0, "cold_200": 0, "cold_503": 0,
                                                   "cold_other": 0, "cached_lat": [], "cold_lat": []})
        if r[1] == "cached":
            s["cached_200" if r[2] == "200" else "cached_other"] += 1
            if r[3] is not None:
                s["cached_lat"].append(r[3])
        elif r[1] == "cold":
            s["cold_200" if r[2] == "200" else "cold_503" if r[2] == "503" else "cold_other"] += 1
            if r[3] is not None:
                s["cold_lat"].append(r[3])
    timeline = []
    for t in sorted(seconds):
        s = seconds[t]
        timeline.append({"t": t, "cached_200": s["cached_200"], "cached_other": s["cached_other"],
                         "cold_200": s["cold_200"], "cold_503": s["cold_503"], "cold_other": s["cold_other"],
                         "cached_p99_ms": pct(s["cached_lat"], 99), "cold_p99_ms": pct(s["cold_lat"], 99)})

    r = lambda x: None if x is None else round(x, 3)  # noqa: E731
    print(json.dumps({
        "stop_begin_s": r(stop_begin), "stop_done_s": r(stop_done), "start_begin_s": r(start_begin), "start_done_s": r(start_done),
        "down_s": r(start_done - stop_begin), "stopped_s": r(start_begin - stop_done),
        "breaker": [{"event": w, "t_s": r(t)} for w, t in breaker],
        "breaker_opened_s": r(opened), "breaker_closed_s": r(closed),
        "breaker_opened_after_stop_s": r(opened - stop_begin) if opened is not None else None,
        "cached_during": {"requests": len(cached), "ok": len(cached_ok),
                          "ok_pct": (100.0 * len(cached_ok) / len(cached)) if cached else None,
                          "statuses": statuses(cached), "latency_ms": lat([x[3] for x in cached if x[3] is not None]),
                          "latency_ok_ms": lat([x[3] for x in cached_ok]),
                          "latency_before_breaker_ms": lat([x[3] for x in cached_before_open if x[3] is not None]),
                          "latency_breaker_open_ms": lat([x[3] for x in cached_after_open if x[3] is not None])},
        "cold_during": {"requests": len(cold), "statuses": statuses(cold)},
        "cold_breaker_open": {"requests": len(cold_open), "statuses": statuses(cold_open), "not_ok": problems,
                              "latency_503_ms": lat([x[3] for x in cold_503 if x[3] is not None])},
        "fresh_after_restart_s": {
            "probe": r(fresh_probe - start_done) if fresh_probe is not None else None,
            "probe_from_start_command": r(fresh_probe - start_begin) if fresh_probe is not None else None,
            "stream": r(fresh_stream - start_done) if fresh_stream is not None else None,
        },
        "probe": ev.get("probe"),
        "timeline": timeline,
    }))


def main(argv):
    if len(argv) >= 3 and argv[1] == "plan":
        plan(argv[2:])
        return 0
    if len(argv) == 6 and argv[1] == "outage":
        outage(argv[2:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
