#!/usr/bin/env python3
"""Independent reference for the chip's move (dev check, run by tests/real_series.rs).

Reads a JSON list of cases on stdin and prints a JSON list of results. Written separately from
the Rust code: the csv module reads the files, zoneinfo maps instants to sessions, Decimal does
the exact change, statistics.linear_regression does the OLS. Plain Python (no numpy needed).

A case: {"inst": {"file", "column"}, "bench": {"file", "column"} | null, "tz", "close": "HH:MM",
         "published": RFC 3339 UTC, "now": RFC 3339 UTC, "window": [a, b], "est": int,
         "min": int, "old": int | null}
"""
import bisect
import csv
import datetime as dt
import json
import statistics
import sys
from decimal import ROUND_HALF_UP, Decimal, getcontext
from zoneinfo import ZoneInfo

getcontext().prec = 28
CACHE = {}


def read(file, column):
    key = (file, column)
    if key not in CACHE:
        out = []
        with open(file, newline="") as f:
            for row in csv.DictReader(f):
                v = (row.get(column) or "").strip()
                if v in ("", "null", "NA", "NaN"):
                    continue
                out.append((dt.date.fromisoformat(row["Date"]), Decimal(v)))
        out.sort()
        CACHE[key] = out
    return CACHE[key]


def text(d):
    return format(d.normalize(), "f")


def raw(d):
    return int(d * 100_000_000)


def ret(a, b):
    return float(raw(b)) / float(raw(a)) - 1.0


def pct2(d):
    """Two decimals, ties away from zero, no negative zero."""
    q = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(abs(q) if q == 0 else q)


def utc(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def run(case):
    tz = ZoneInfo(case["tz"])
    hh, mm = map(int, case["close"].split(":"))
    close_time = dt.time(hh, mm)

    def closes_at(d):
        return dt.datetime.combine(d, close_time, tzinfo=tz)

    published, now = utc(case["published"]), utc(case["now"])
    def closed_by(series, t):
        """Number of leading bars whose session closed at or before t."""
        local = t.astimezone(tz).date()
        n = bisect.bisect_right(series, (local, Decimal("Infinity")))
        while n > 0 and closes_at(series[n - 1][0]) > t:
            n -= 1
        return n

    series = read(**case["inst"])
    bars = series[: closed_by(series, now)]
    if not bars:
        return {"reason": "no_prices"}
    p = closed_by(bars, published) - 1
    if p < 0:
        return {"reason": "no_prices_before"}
    if p == len(bars) - 1:
        return {"reason": "no_prices_after", "last": str(bars[-1][0])}
    old = case["old"]
    to = p + old if old and p + old < len(bars) else len(bars) - 1
    f, t = bars[p][1], bars[to][1]
    change = pct2((t - f) / f * 100)
    out = {
        "from_date": str(bars[p][0]),
        "from_price": text(f),
        "to_date": str(bars[to][0]),
        "to_price": text(t),
        "change_percent": change,
    }
    if case["bench"] is None:
        out["abnormal_reason"] = "no_benchmark"
        return out
    bench = read(**case["bench"])
    bdates = [d for d, _ in bench]
    bprice = dict(bench)
    a, b = case["window"]
    day0 = p + 1
    start, end = day0 + a, day0 + b
    if end >= len(bars):
        out["abnormal_reason"] = "window_incomplete"
        return out
    if bdates[-1] < bars[end][0]:
        out["abnormal_reason"] = "benchmark_stale"
        return out
    xs, ys = [], []
    for i in range(max(start - case["est"], 1), start):
        d0, d1 = bars[i - 1][0], bars[i][0]
        if d0 in bprice and d1 in bprice:
            xs.append(ret(bprice[d0], bprice[d1]))
            ys.append(ret(bars[i - 1][1], bars[i][1]))
    if len(xs) < case["min"]:
        out["abnormal_reason"] = "too_few"
        out["n"] = len(xs)
        return out
    beta, alpha = statistics.linear_regression(xs, ys)

    def bench_at_or_before(d):
        return bench[bisect.bisect_right(bdates, d) - 1][1]

    car = 0.0
    for i in range(start, end + 1):
        x = ret(bench_at_or_before(bars[i - 1][0]), bench_at_or_before(bars[i][0]))
        y = ret(bars[i - 1][1], bars[i][1])
        car += y - alpha - beta * x
    out.update(
        beta=beta,
        alpha=alpha,
        n=len(xs),
        car=car,
        day0=str(bars[day0][0]),
        abnormal_percent=pct2(Decimal(repr(car * 100))),
    )
    return out


if __name__ == "__main__":
    json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
