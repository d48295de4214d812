#!/usr/bin/env python3
"""Writes synthetic analytics events for benchmarks: one JSON body per line,
each `{"batch": [...]}` of up to 10,000 events, deterministic (a seeded
generator, no clock), in time order a day at a time. People are active on a share of days; each active day
they send a few events drawn from a small set of names, in a funnel-like
order (opened, searched, added_to_cart, paid).

    scripts/analytics-events.py --people 1000000 --events 50000000 \
        --days 365 --start 2026-01-01 --out /tmp/events.ndjson

Standard library only. Not part of the tests.
"""
import argparse
import datetime
import json
import random
import sys

NAMES = ["opened", "searched", "added_to_cart", "paid", "exported", "invited"]
WEIGHTS = [40, 25, 15, 8, 7, 5]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--start", default="2026-01-01")
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    if not (1 <= a.batch <= 10_000):
        sys.exit("--batch is 1 to 10000")
    rng = random.Random(a.seed)
    start = datetime.datetime.fromisoformat(a.start).replace(tzinfo=datetime.timezone.utc)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    batch = []
    written = 0
    # In time order, a day at a time, as an app sends them.
    per_day = a.events // a.days
    i = 0
    for day in range(a.days):
        count = per_day if day < a.days - 1 else a.events - per_day * (a.days - 1)
        offsets = sorted(rng.randrange(86_400_000) for _ in range(count))
        for ms in offsets:
            # Most people now and then, a few heavy users often.
            if rng.random() < 0.7:
                person = rng.randrange(a.people)
            else:
                person = int(rng.paretovariate(1.2)) % a.people
            at = start + datetime.timedelta(days=day, milliseconds=ms)
            batch.append({
                "event": rng.choices(NAMES, WEIGHTS)[0],
                "distinct_id": f"user-{person}",
                "timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "uuid": f"e-{a.seed}-{i}",
                "properties": {"plan": "pro" if person % 7 == 0 else "free"},
            })
            i += 1
            if len(batch) == a.batch:
                out.write(json.dumps({"batch": batch}, separators=(",", ":")) + "\n")
                written += len(batch)
                batch = []
    if batch:
        out.write(json.dumps({"batch": batch}, separators=(",", ":")) + "\n")
        written += len(batch)
    if out is not sys.stdout:
        out.close()
    print(f"{written} events in batches of {a.batch}", file=sys.stderr)


if __name__ == "__main__":
    main()
