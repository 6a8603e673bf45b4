#!/usr/bin/env python3
"""Runs the Cognate benchmark suite (see bench/README.md); started by bench/run.sh.

Starts each server in turn (Cognate, moto, cognito-local), prepares the same pool, client
and users in each with the load generator, drives the same workloads at fixed concurrency
levels from that separate process, and writes bench/results/latest.json, the generated part
of docs/benchmarks.md and docs/benchmarks.svg.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from report import write_docs
import common
from common import (
    BENCH, FAKECLOUD, RESULTS, ROOT, SERVERS, WORK, WORKLOADS, free_port, kib, loadavg, loadgen,
    log, proc_status, sh,
)
from servers import Server, floor_run, run_workload
from ceilings import (
    argon2_ceiling, bracketed_ceiling, bracketed_srp, rs256_ceiling, sign_in_ceiling,
    sign_up_ceiling, srp_ceiling,
)


def bench_server(name: str, args, results: dict) -> None:
    workdir = WORK / name
    shutil.rmtree(workdir, ignore_errors=True)
    server = Server(name, workdir)
    out = results["servers"][name] = {"runs": []}
    log(f"{name}: starting ({' '.join(server.cmd[:2])} ...)")
    out["load_before"] = loadavg()
    try:
        out["ready_ms"] = server.start()
        time.sleep(2)
        out["idle_rss_kib"] = proc_status(server.pid).get("VmRSS")
        log(f"{name}: first request answered {out['ready_ms']:.1f} ms after start; "
            f"idle RSS {kib(out['idle_rss_kib'])}")
        state = workdir / "state.json"
        setup = loadgen(
            "setup", "--endpoint", server.endpoint, "--kind", name, "--users", str(args.users),
            "--tokens", str(max(args.concurrency)), "--out", str(state), "--oauth",
        )
        out["setup"] = setup
        st = proc_status(server.pid)
        out["setup_peak_rss_kib"], out["after_setup_rss_kib"] = st.get("VmHWM"), st.get("VmRSS")
        log(f"{name}: prepared pool, client and {setup['users']} users in {setup['seconds']:.1f} s")
        for workload, _, servers in WORKLOADS:
            if name not in servers or (args.workloads and workload not in args.workloads):
                continue
            # ConfirmSignUp needs prepared users: its first run shows whether it works.
            probe = {"status": 200} if workload == "confirm_sign_up" else loadgen(
                "probe", "--state", str(state), "--workload", workload)
            if probe.get("status") != 200:
                log(f"  {workload}: not supported ({str(probe)[:300]})")
                out["runs"].append({"workload": workload, "unsupported": str(probe)[:300]})
                continue
            if workload == "user_password_auth" and name == "cognate":
                ceiling_before = argon2_ceiling(args)
                sign_in_before = sign_in_ceiling(args)
            if workload == "user_srp_auth" and name == "cognate":
                srp_before = srp_ceiling(args)
                srp_full_before = srp_ceiling(args, signatures=2)
            if workload == "sign_up" and name == "cognate":
                sign_up_before = sign_up_ceiling(args)
            refresh_ceilings = []
            if workload == "refresh_token_auth" and name == "cognate":
                refresh_ceilings.append(rs256_ceiling(args))
            for i, conc in enumerate(args.concurrency):
                # The bare signing server at the same concurrency, in the same bracket of
                # ceilings: before Cognate's run at every other concurrency, after it at the
                # rest, so that neither always meets the VM in the later, often slower, moment.
                floor = None
                if refresh_ceilings and i % 2 == 1:
                    floor = floor_run(state, workdir, workload, conc, args)
                try:
                    r = run_workload(state, server, workload, conc, args)
                except LookupError as e:
                    log(f"  {workload}: cannot be measured ({e})")
                    out["runs"].append({"workload": workload, "unsupported": str(e)})
                    break
                if refresh_ceilings:
                    r["floor"] = floor or floor_run(state, workdir, workload, conc, args)
                    r["floor"]["order"] = "before" if floor else "after"
                    # Each refresh run between two measurements of its ceiling: this VM's
                    # speed drifted by up to a fifth within the minute the runs take.
                    refresh_ceilings.append(rs256_ceiling(args))
                    r["ceiling"] = bracketed_srp(refresh_ceilings[-2], refresh_ceilings[-1])
                out["runs"].append(r)
            if workload == "user_password_auth" and name == "cognate":
                results["argon2"] = bracketed_ceiling(ceiling_before, argon2_ceiling(args))
                results["sign_in_ceiling"] = bracketed_srp(sign_in_before, sign_in_ceiling(args))
            if workload == "user_srp_auth" and name == "cognate":
                results["srp_ceiling"] = bracketed_srp(srp_before, srp_ceiling(args))
                results["srp_full_ceiling"] = bracketed_srp(
                    srp_full_before, srp_ceiling(args, signatures=2))
            if workload == "sign_up" and name == "cognate":
                results["sign_up_ceiling"] = bracketed_srp(sign_up_before, sign_up_ceiling(args))
            if refresh_ceilings:
                results["rs256_ceiling"] = bracketed_srp(refresh_ceilings[0],
                                                         refresh_ceilings[-1])
                results["rs256_ceiling"]["all"] = refresh_ceilings
            if workload == "user_password_auth":
                time.sleep(2)
                out["after_auth_rss_kib"] = proc_status(server.pid).get("VmRSS")
        out["final_rss_kib"] = proc_status(server.pid).get("VmRSS")
    finally:
        server.stop()
    out["load_after"] = loadavg()


def bench_diagnostics(args, results: dict) -> None:
    """Cognate once more, pinned to one core with the load generator on the other, so no
    request hops between cores: the difference in CPU per request is the cost of cross-core
    wake-ups."""
    out = results["diagnostics"] = {"load_before": loadavg()}
    workdir = WORK / "diag-pinned"
    shutil.rmtree(workdir, ignore_errors=True)
    server = Server("cognate", workdir, prefix=["taskset", "-c", "0"])
    state = workdir / "state.json"
    conc = args.concurrency[len(args.concurrency) // 2]
    log(f"diagnostics: Cognate on CPU 0 only, load generator on CPU 1, c={conc}")
    try:
        server.start()
        loadgen("setup", "--endpoint", server.endpoint, "--kind", "cognate", "--users",
                str(args.users), "--tokens", str(conc), "--oauth", "--out", str(state))
        out["pinned"] = [
            run_workload(state, server, w, conc, args, pin="1")
            for w in ("admin_get_user", "get_user", "list_users_filter",
                      "refresh_token_auth", "oauth_client_credentials")
        ]
    finally:
        server.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    out["load_after"] = loadavg()


def bench_outbox(args, results: dict) -> None:
    """Cognate's delivery worker: 1,000 reset codes queued by ForgotPassword (five per user,
    the hourly cap), handed over SMTP to a sink the load generator runs; seconds from the first
    request to the last message received."""
    workdir = WORK / "outbox"
    shutil.rmtree(workdir, ignore_errors=True)
    sink = free_port()
    server = Server("cognate", workdir)
    server.cmd += ["--smtp-url", f"smtp://127.0.0.1:{sink}"]
    state = workdir / "state.json"
    users = max(args.users, 200)
    log(f"outbox: 1,000 messages through SMTP to a local sink (port {sink})")
    try:
        server.start()
        loadgen("setup", "--endpoint", server.endpoint, "--kind", "cognate", "--users",
                str(users), "--tokens", "1", "--out", str(state))
        r = loadgen("outbox", "--state", str(state), "--sink-port", str(sink), "--count", "1000")
        results["outbox"] = r
        log(f"  {r['received']} of {r['messages']} messages received in {r['delivered_seconds']:.2f} s "
            f"(queued in {r['queued_seconds']:.2f} s)")
    finally:
        server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def bench_million(args, results: dict) -> None:
    """Cognate with N users in the embedded store: start-up, idle memory, and the latency of
    AdminGetUser, GetUser and a filtered ListUsers."""
    n = args.million_users
    workdir = WORK / "million"
    shutil.rmtree(workdir, ignore_errors=True)
    out = results["million"] = {"users": n, "runs": [], "load_before": loadavg(),
                                "date": datetime.datetime.now().isoformat(timespec="seconds")}
    server = Server("cognate", workdir)
    state = workdir / "state.json"
    try:
        server.start()
        setup = loadgen("setup", "--endpoint", server.endpoint, "--kind", "cognate",
                        "--users", str(args.users), "--tokens", "64", "--out", str(state))
        log(f"million: pool {setup['pool_id']} with {setup['users']} users through the API")
    finally:
        server.stop()
    db = server.data_dir / "cognate.db"
    log(f"million: writing {n} users into {db} ...")
    r = subprocess.run([sys.executable, str(BENCH / "million.py"), str(db), setup["pool_id"],
                        str(n)], capture_output=True, text=True, check=True)
    out["load"] = json.loads(r.stdout.strip().splitlines()[-1])
    out["db_bytes"] = sum(p.stat().st_size for p in server.data_dir.glob("cognate.db*"))
    log(f"million: {out['load']}; database {out['db_bytes'] / 2**20:.0f} MiB")
    # Same port: the default issuer (`http://localhost:<port>`) is in the tokens of the setup.
    server = Server("cognate", workdir, data_dir=server.data_dir, port=server.port)
    state_data = json.loads(state.read_text())
    state_data["endpoint"] = server.endpoint
    state_data["users"] = n
    state.write_text(json.dumps(state_data))
    try:
        out["ready_ms"] = server.start()
        time.sleep(2)
        out["idle_rss_kib"] = proc_status(server.pid).get("VmRSS")
        log(f"million: first request {out['ready_ms']:.1f} ms after start; "
            f"idle RSS {kib(out['idle_rss_kib'])}")
        for workload in ["admin_get_user", "get_user", "list_users_filter"]:
            for conc in args.concurrency:
                out["runs"].append(run_workload(state, server, workload, conc, args))
        st = proc_status(server.pid)
        out["final_rss_kib"], out["final_anon_kib"] = st.get("VmRSS"), st.get("RssAnon")
    finally:
        server.stop()
    # A second start on the same database: the first one after the bulk load may gather
    # planner statistics; this one shows a normal restart.
    server = Server("cognate", workdir, data_dir=server.data_dir, port=server.port)
    try:
        out["restart_ready_ms"] = server.start()
        time.sleep(2)
        out["restart_idle_rss_kib"] = proc_status(server.pid).get("VmRSS")
        log(f"million: restart: first request {out['restart_ready_ms']:.1f} ms after start; "
            f"idle RSS {kib(out['restart_idle_rss_kib'])}")
    finally:
        server.stop()
    out["load_after"] = loadavg()
    shutil.rmtree(workdir, ignore_errors=True)


def bench_million_fakecloud(args, results: dict) -> None:
    """fakecloud holding the same N users, loaded through its API (it keeps everything in
    memory: no file to write into), for the read comparison at that size."""
    if not FAKECLOUD.exists() or "fakecloud" not in args.servers.split(","):
        return
    n = args.million_users
    workdir = WORK / "million-fakecloud"
    shutil.rmtree(workdir, ignore_errors=True)
    out = results["million_fakecloud"] = {"users": n, "runs": []}
    server = Server("fakecloud", workdir)
    state = workdir / "state.json"
    try:
        server.start()
        log(f"million: loading {n} users into fakecloud through its API ...")
        setup = loadgen("setup", "--endpoint", server.endpoint, "--kind", "fakecloud",
                        "--users", str(n), "--tokens", "64", "--out", str(state), timeout=3600)
        out["setup_seconds"] = setup["seconds"]
        out["loaded_rss_kib"] = proc_status(server.pid).get("VmRSS")
        log(f"million: fakecloud loaded in {setup['seconds']:.0f} s; "
            f"RSS {kib(out['loaded_rss_kib'])}")
        for workload in ["admin_get_user", "get_user", "list_users_filter"]:
            for conc in args.concurrency:
                out["runs"].append(run_workload(state, server, workload, conc, args))
    finally:
        server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def machine_info() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = int(line.split()[1])
    lock = (ROOT / "Cargo.lock").read_text()

    def locked(crate: str) -> str:
        i = lock.find(f'name = "{crate}"\nversion = "')
        return lock[i:].split('"')[3] if i >= 0 else "?"

    dirty = sh("git", "diff", "--stat", "HEAD", "--", "crates", cwd=ROOT)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 2**20, 1),
        "kernel": platform.release(),
        "cognate": sh(str(common.COGNATE), "--version"),
        "commit": sh("git", "rev-parse", "--short", "HEAD", cwd=ROOT)
                  + (" + uncommitted changes in crates/" if dirty else ""),
        "argon2_crate": locked("argon2"),
        "libsqlite3_sys": locked("libsqlite3-sys"),
        "moto": sh(str(BENCH / ".venv" / "bin" / "python"), "-c",
                   "import moto; print(moto.__version__)"),
        "fakecloud": sh(str(FAKECLOUD), "--version") if FAKECLOUD.exists() else "not installed",
        "cognito_local": json.loads(
            (BENCH / "node_modules" / "cognito-local" / "package.json").read_text())["version"],
        "node": sh("node", "--version"),
        "python": platform.python_version(),
        "rustc": sh("rustc", "--version"),
    }


# ------------------------------------------------------------------------------------------
# report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--concurrency", default="1,8,64")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--password-seconds", type=float, default=10,
                    help="measured seconds of the argon2-bound workloads (few requests each)")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--workloads", type=lambda v: v.split(","), default=None,
                    help="only these workloads (comma-separated keys; for trial runs)")
    ap.add_argument("--confirm-users", type=int, default=1000,
                    help="users signed up before each ConfirmSignUp run (at most 1,000)")
    ap.add_argument("--argon2-seconds", type=float, default=10)
    ap.add_argument("--no-diagnostics", dest="diagnostics", action="store_false",
                    help="skip the extra Cognate run (pinned to one core) that shows where CPU goes")
    ap.add_argument("--max-other-cpu", type=float, default=10,
                    help="percent of one core other processes may use during a run; a run "
                         "above it is repeated (twice at most) after waiting for quiet")
    ap.add_argument("--max-wait", type=float, default=300,
                    help="seconds to wait for quiet before one run")
    ap.add_argument("--wait-budget", type=float, default=1200,
                    help="seconds to wait for quiet in the whole run; when spent, runs go "
                         "on without waiting or repeating (and noisy ones are marked)")
    ap.add_argument("--million", action="store_true",
                    help="also measure Cognate with --million-users users (a few minutes)")
    ap.add_argument("--million-only", action="store_true",
                    help="only the million-user part; keep the other results")
    ap.add_argument("--million-users", type=int, default=1_000_000)
    ap.add_argument("--report-only", action="store_true",
                    help="re-render docs from bench/results/latest.json")
    ap.add_argument("--out", default=str(RESULTS / "latest.json"))
    args = ap.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    out = Path(args.out)

    if args.report_only:
        write_docs(json.loads(out.read_text()))
        return

    previous = json.loads(out.read_text()) if out.exists() else {}
    started = time.monotonic()
    WORK.mkdir(exist_ok=True)
    # Run a private copy: a rebuild of target/release by someone else during the run must not
    # change the server between two parts of it.
    (WORK / "bin").mkdir(exist_ok=True)
    shutil.copy2(common.COGNATE, WORK / "bin" / "cognate")
    common.COGNATE = WORK / "bin" / "cognate"
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "params": {"concurrency": args.concurrency, "seconds": args.seconds,
                   "password_seconds": args.password_seconds,
                   "warmup": args.warmup, "users": args.users,
                   "max_other_cpu": args.max_other_cpu},
        "load": {"start": loadavg()},
        "servers": {},
    }
    log(f"load average {results['load']['start']}; {results['machine']['cognate']}")
    if args.million_only:
        results = previous
        bench_million(args, results)
        bench_million_fakecloud(args, results)
    else:
        for s in args.servers.split(","):
            if s == "fakecloud" and not FAKECLOUD.exists():
                log(f"fakecloud: not installed at {FAKECLOUD} (bench/run.sh --fakecloud "
                    f"builds it); going on without it")
                continue
            bench_server(s, args, results)
        if args.diagnostics and "cognate" in results["servers"]:
            bench_diagnostics(args, results)
        if "cognate" in results["servers"]:
            bench_outbox(args, results)
        if args.million:
            bench_million(args, results)
            bench_million_fakecloud(args, results)
        elif previous.get("million"):
            results["million"] = previous["million"]  # kept from the last --million run
            if previous.get("million_fakecloud"):
                results["million_fakecloud"] = previous["million_fakecloud"]
        results["load"]["end"] = loadavg()
        results["duration_s"] = time.monotonic() - started
    RESULTS.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if out.resolve() == (RESULTS / "latest.json").resolve():
        write_docs(results)
    else:
        log("docs not written (results went elsewhere than bench/results/latest.json); "
            f"render them with --report-only --out {out}")


if __name__ == "__main__":
    main()
