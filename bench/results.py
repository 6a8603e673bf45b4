"""Reading bench/results/latest.json: the runs of a server and workload, the best, one
concurrency, and how numbers are written in the tables.
"""


def all_runs(results: dict) -> list:
    out = []
    for s in results["servers"].values():
        out += [r for r in s["runs"] if "unsupported" not in r]
    dg = results.get("diagnostics") or {}
    out += dg.get("pinned") or []
    mil = results.get("million") or {}
    out += mil.get("runs", [])
    return out


def runs_of(results: dict, server: str, workload: str) -> list:
    s = results["servers"].get(server)
    if not s:
        return []
    return [r for r in s["runs"] if r.get("workload") == workload and "unsupported" not in r]


def best(results: dict, server: str, workload: str):
    rs = [r for r in runs_of(results, server, workload) if r["ok"]]
    return max(rs, key=lambda r: r["throughput"]) if rs else None


def at(results: dict, server: str, workload: str, conc: int):
    for r in runs_of(results, server, workload):
        if r["concurrency"] == conc:
            return r
    return None


def peak_mem(results: dict, server: str, workload: str):
    v = [r["server_peak_rss_kib"] for r in runs_of(results, server, workload)
         if r.get("server_peak_rss_kib")]
    return max(v) if v else None


def num(v, digits=0) -> str:
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b) -> str:
    if not a or not b:
        return "n/a"
    r = a / b
    return f"{r:,.1f}×" if r < 100 else f"{r:,.0f}×"
