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
import signal
import socket
import subprocess
import sys
import time
import re
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOADGEN = BENCH / "loadgen" / "target" / "release" / "loadgen"
COGNATE = Path(os.environ.get("COGNATE_BIN", ROOT / "target" / "release" / "cognate"))
WORK = BENCH / "work"
RESULTS = BENCH / "results"
DOC = ROOT / "docs" / "benchmarks.md"
SVG = ROOT / "docs" / "benchmarks.svg"

# The same keys the load generator signs with (bench/loadgen/src/main.rs).
ACCESS_KEY = "AKIABENCHMARK0000001"
SECRET_KEY = "bench-secret-access-key-0000000000000001"

SERVERS = ["cognate", "fakecloud", "moto", "cognito-local"]
PEERS = SERVERS[1:]
LABELS = {"cognate": "Cognate", "fakecloud": "fakecloud", "moto": "moto",
          "cognito-local": "cognito-local"}
# fakecloud (Rust, everything in memory) from crates.io, built once by run.sh into this cache
# (a long build, kept out of CI); without it the run goes on without fakecloud.
FAKECLOUD = BENCH / ".fakecloud" / "bin" / "fakecloud"
WORKLOADS = [
    # (key, label, servers); the order is the order of the runs (AdminCreateUser last: it
    # grows the pools).
    ("admin_get_user", "AdminGetUser", SERVERS),
    ("get_user", "GetUser", SERVERS),
    ("list_users_filter", 'ListUsers, Filter email = "..."', SERVERS),
    ("refresh_token_auth", "InitiateAuth REFRESH_TOKEN_AUTH", SERVERS),
    ("user_password_auth", "InitiateAuth USER_PASSWORD_AUTH", SERVERS),
    ("user_srp_auth", "USER_SRP_AUTH + PASSWORD_VERIFIER", SERVERS),
    ("oauth_refresh", "/oauth2/token refresh_token", SERVERS),
    ("oauth_client_credentials", "/oauth2/token client_credentials", SERVERS),
    ("sign_up", "SignUp", SERVERS),
    ("confirm_sign_up", "ConfirmSignUp", SERVERS),
    ("admin_create_user", "AdminCreateUser", SERVERS),
]
WORKLOAD_LABEL = {k: label for k, label, _ in WORKLOADS}
PASSWORD_BOUND = {"user_password_auth", "admin_create_user", "sign_up"}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon"):
                out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def loadavg() -> list:
    return [round(x, 2) for x in os.getloadavg()]


def loadgen(*args: str, timeout: float = 900) -> dict:
    prefix = []
    if args and args[0] == "--taskset":  # pin the load generator to some CPUs
        prefix, args = ["taskset", "-c", args[1]], args[2:]
    r = subprocess.run(
        [*prefix, str(LOADGEN), *args], capture_output=True, text=True, timeout=timeout,
        check=False,
    )
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"loadgen {' '.join(args[:1])} failed: {r.stderr.strip()[-2000:]}")
    return json.loads(lines[-1])


class Server:
    def __init__(self, name: str, workdir: Path, data_dir: Path | None = None,
                 env_extra: dict | None = None, prefix: list | None = None, port: int = 0):
        self.name = name
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.proc = None
        workdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        cwd = workdir
        if name == "cognate":
            self.data_dir = data_dir or workdir / "data"
            cmd = [
                str(COGNATE), "serve",
                "--listen", f"127.0.0.1:{self.port}",
                "--data-dir", str(self.data_dir),
                "--access-key-id", ACCESS_KEY,
                "--secret-access-key", SECRET_KEY,
            ]
        elif name == "moto":
            cmd = [str(BENCH / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1",
                   "-p", str(self.port)]
        elif name == "fakecloud":
            cmd = [str(FAKECLOUD), "--addr", f"127.0.0.1:{self.port}"]
        elif name == "cognito-local":
            # Plain user names (cognito-local's default makes pools use email as user name).
            (workdir / ".cognito").mkdir(exist_ok=True)
            (workdir / ".cognito" / "config.json").write_text(
                json.dumps({"UserPoolDefaults": {"UsernameAttributes": []}})
            )
            # `npx cognito-local` runs this same script; starting node directly keeps one
            # server process to measure (no npm process in front of it).
            cmd = ["node", str(BENCH / "node_modules" / "cognito-local" / "lib" / "bin" / "start.js")]
            env.update({"PORT": str(self.port), "HOST": "127.0.0.1"})
        else:
            raise ValueError(name)
        env.update(env_extra or {})
        self.cmd, self.env, self.cwd = (prefix or []) + cmd, env, cwd

    def start(self) -> float:
        """Starts the server; returns ms from just before the spawn to the first answered
        signed ListUserPools (the load generator polls every 0.5 ms)."""
        poller = subprocess.Popen(
            [str(LOADGEN), "ready", "--endpoint", self.endpoint, "--timeout-ms", "120000"],
            stdout=subprocess.PIPE, text=True,
        )
        assert json.loads(poller.stdout.readline()).get("polling")
        logf = open(self.workdir / "server.log", "ab")
        t0 = time.monotonic_ns()
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.cwd, env=self.env, stdout=logf, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        line = poller.stdout.readline()
        poller.wait()
        r = json.loads(line) if line else {"error": "no answer"}
        if "ready_mono_ns" not in r:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {r}; see {self.workdir / 'server.log'}")
        return (int(r["ready_mono_ns"]) - t0) / 1e6

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Floor:
    """`loadgen floor`: a bare HTTP server whose every answer is two RS256 signatures (see
    bench/loadgen/src/floor.rs). What HTTP, the loopback and the load generator leave of the
    refresh ceiling on this machine: no server doing any work of its own can pass it."""

    name = "floor"

    def __init__(self, state: Path, workdir: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(LOADGEN), "floor", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.PIPE, text=True,
        )
        try:
            line = self.proc.stdout.readline()
            if not line or not json.loads(line).get("listening"):
                raise RuntimeError(f"loadgen floor did not start: {line!r}")
            st = json.loads(state.read_text())
            st["endpoint"] = f"http://127.0.0.1:{self.port}"
            self.state = workdir / "floor-state.json"
            self.state.write_text(json.dumps(st))
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


def floor_run(state: Path, workdir: Path, workload: str, conc: int, args) -> dict:
    """One run of `workload` against the refresh floor; a floor that fails is reported in the
    results, and the runs of the servers go on."""
    try:
        floor = Floor(state, workdir)
    except (RuntimeError, ValueError, OSError) as e:
        log(f"  floor: {e}")
        return {"error": str(e)}
    try:
        return run_workload(floor.state, floor, workload, conc, args)
    finally:
        floor.stop()


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (not idle, iowait or steal)."""
    v = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(v) - v[3] - v[4] - v[7]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(args) -> None:
    """Waits (at most --max-wait seconds) until the machine is idle apart from the benchmark:
    less than --max-other-cpu percent of one core busy over one second (the server under test
    is idle between runs)."""
    start = time.monotonic()
    deadline = start + min(args.max_wait, args.wait_budget)
    said = False
    while True:
        b0 = machine_busy_s()
        time.sleep(1)
        busy = 100 * (machine_busy_s() - b0)
        if busy < args.max_other_cpu or time.monotonic() > deadline:
            args.wait_budget -= time.monotonic() - start
            if said:
                log(f"    machine {'quiet' if busy < args.max_other_cpu else 'still busy'} "
                    f"({busy:.0f}% of a core), going on")
            return
        if not said:
            log(f"    other processes use {busy:.0f}% of a core; waiting for quiet "
                f"(at most {args.max_wait:.0f} s)")
            said = True


def confirm_items(state: Path, server: Server, args) -> Path:
    """Signs up --confirm-users users and gives each the code its server holds: Cognate's
    development outbox (newest 1,000 messages), cognito-local's database file; moto confirms
    whatever code it is given; fakecloud's codes cannot be read (LookupError: not measured)."""
    items_path = server.workdir / "confirm-items.json"
    made = loadgen("unconfirmed", "--state", str(state), "--count", str(args.confirm_users),
                   "--out", str(items_path))
    items = json.loads(items_path.read_text())
    if server.name == "cognate":
        # The delivery worker moves the last messages into the outbox just after SignUp.
        deadline = time.monotonic() + 30
        while True:
            url = f"{server.endpoint}/_cognate/outbox.json?limit=1000"
            with urllib.request.urlopen(url) as r:
                codes = {m["to"]: re.search(r"\d{6}", m["body"]).group() for m in json.load(r)}
            if all(i["email"] in codes for i in items) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for item in items:
            item["code"] = codes[item["email"]]
    elif server.name == "cognito-local":
        # cognito-local rewrites its database file as it goes: read until it parses whole and
        # holds every user just signed up.
        deadline = time.monotonic() + 30
        while True:
            users = {}
            for db in (server.workdir / ".cognito" / "db").glob("local_*.json"):
                try:
                    # Under concurrent writes its file can end in leftovers of a longer
                    # earlier write: read the first JSON value.
                    value, _ = json.JSONDecoder().raw_decode(db.read_text())
                    users.update(value.get("Users", {}))
                except json.JSONDecodeError:
                    pass
            if all(i["username"] in users for i in items) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        missing = [i["username"] for i in items if i["username"] not in users]
        if missing:
            raise LookupError(f"{len(missing)} of {len(items)} signed-up users are not in "
                              f"cognito-local's database file (it loses writes under load)")
        for item in items:
            item["code"] = users[item["username"]]["ConfirmationCode"]
    elif server.name == "moto":
        for item in items:
            item["code"] = "000000"
    else:
        # fakecloud keeps its codes to itself (no outbox, no database file to read).
        raise LookupError(f"{server.name} does not expose its confirmation codes")
    items_path.write_text(json.dumps(items))
    log(f"    signed up {made['users']} users to confirm in {made['seconds']:.1f} s")
    return items_path


def run_workload(state: Path, server: Server, workload: str, conc: int, args, users=None,
                 pin: str | None = None) -> dict:
    """One measured run; repeated (twice at most) when other processes took more than
    --max-other-cpu percent of a core during it."""
    for attempt in range(3):
        wait_quiet(args)
        items = confirm_items(state, server, args) if workload == "confirm_sign_up" else None
        r = run_once(state, server, workload, conc, args, users, pin, items)
        r["attempt"] = attempt + 1
        if (r.get("other_cpu_pct") or 0) <= args.max_other_cpu or args.wait_budget <= 0:
            if (r.get("other_cpu_pct") or 0) > args.max_other_cpu:
                r["noisy"] = True
            return r
        log(f"    other processes took {r['other_cpu_pct']:.0f}% of a core during the run"
            + ("; again" if attempt < 2 else "; kept, marked noisy"))
    r["noisy"] = True
    return r


def run_once(state: Path, server: Server, workload: str, conc: int, args, users=None,
             pin: str | None = None, items: Path | None = None) -> dict:
    extra = ["--users", str(users)] if users else []
    extra += ["--items", str(items)] if items else []
    seconds = args.password_seconds if workload in PASSWORD_BOUND else args.seconds
    # One load generator thread per core, as wrk runs by default: a single thread left the
    # machine a sixth idle on the cheapest reads (neither process saturated, each waiting on
    # the other), measuring the generator more than the server. Pinned: one thread.
    threads = 1 if pin else os.cpu_count()
    r = loadgen(
        *(["--taskset", pin] if pin else []),
        "run", "--state", str(state), "--workload", workload, "--concurrency", str(conc),
        "--seconds", str(seconds), "--warmup", str(args.warmup),
        "--server-pid", str(server.pid), "--threads", str(threads), *extra,
    )
    r["loadgen_threads"] = threads
    cpu = r.get("server_cpu_s") or 0
    r["server_cpu_pct"] = 100 * cpu / r["seconds"] if r["seconds"] else None
    r["client_cpu_pct"] = 100 * r["client_cpu_s"] / r["seconds"] if r["seconds"] else None
    r["per_server_cpu_s"] = r["ok"] / cpu if cpu else None
    r["client_ceiling"] = r["ok"] / r["client_cpu_s"] if r["client_cpu_s"] else None
    r["server_cpu_us"] = 1e6 * cpu / r["ok"] if r["ok"] and cpu else None
    for k in ("other_cpu", "steal"):
        v = r.get(f"{k}_s")
        r[f"{k}_pct"] = 100 * v / r["seconds"] if v is not None and r["seconds"] else None
    sw = r.get("server_ctx_switches")
    r["switches_per_req"] = sw / r["ok"] if r["ok"] and sw is not None else None
    log(
        f"  {server.name:13} {workload:24} c={conc:<3} {r['throughput']:9.1f}/s "
        f"p50 {fmt_ms(r['p50_ms'])} p99 {fmt_ms(r['p99_ms'])} ms  errors {r['errors']}"
        f"  server CPU {r['server_cpu_pct'] or 0:.0f}%  loadgen CPU {r['client_cpu_pct']:.0f}%"
        f"  peak {kib(r['server_peak_rss_kib'])}  other CPU {r['other_cpu_pct'] or 0:.0f}%"
    )
    if r["errors"]:
        log(f"    first error: {r['first_error']}")
    return r


def fmt_ms(v) -> str:
    if v is None:
        return "-"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def kib(v) -> str:
    return "-" if v is None else f"{v / 1024:.1f} MB"


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


def argon2_ceiling(args) -> dict:
    log("argon2id ceiling: verifying with Cognate's parameters on every core ...")
    # Measured twice, the crate's `verify_password` (a fresh 19 MiB per hash) and with each
    # thread keeping its memory (as Cognate's hashing threads do); the faster is the ceiling,
    # so the yardstick is the best this machine can do, not a handicapped one.
    runs = []
    for reuse in (False, True):
        wait_quiet(args)
        b0 = machine_busy_s()
        r = loadgen("argon2", "--seconds", str(args.argon2_seconds),
                    "--reuse-memory", "true" if reuse else "false")
        # Both cores are busy hashing: anything above 100% per core is someone else.
        r["other_cpu_pct"] = max(0.0, 100 * (machine_busy_s() - b0) / r["seconds"]
                                 - 100 * r["threads"])
        how = "memory reused" if reuse else "memory allocated per hash"
        log(f"  {how}: {r['per_sec']:.1f} hashes/s in all ({r['per_sec_per_core']:.1f} per "
            f"core, {r['ms_per_hash']:.1f} ms each), {r['params']}")
        runs.append(r)
    best = max(runs, key=lambda r: r["per_sec"])
    best["alternatives"] = [{"reuse_memory": r.get("reuse_memory", False),
                             "per_sec": r["per_sec"]} for r in runs]
    return best


def srp_ceiling(args, signatures: int = 0) -> dict:
    """The server's arithmetic of one SRP sign-in (three 3072-bit exponentiations with 256-bit
    exponents, constant-time, the same crate as Cognate) on every core; with `signatures=2`,
    also the two RS256 signatures of the tokens it answers with."""
    wait_quiet(args)
    r = loadgen("modexp", "--seconds", str(args.argon2_seconds),
                "--signatures", str(signatures))
    what = "exponentiations" + (f" + {signatures} signatures" if signatures else "")
    log(f"  SRP ceiling ({what}): {r['per_sec']:.0f} sign-ins/s of arithmetic in all "
        f"({r['ms_per_sign_in']:.2f} ms each)")
    return r


def sign_in_ceiling(args) -> dict:
    """The unavoidable work of one password sign-in: an argon2id verification and the two
    RS256 signatures of its tokens (ID and access), on every core, each thread keeping its
    argon2 memory as Cognate's hashing threads do."""
    wait_quiet(args)
    r = loadgen("argon2", "--seconds", str(args.argon2_seconds),
                "--reuse-memory", "true", "--signatures", "2")
    log(f"  sign-in ceiling: {r['per_sec']:.1f} hash + two signatures/s in all "
        f"({r['ms_per_hash']:.2f} ms each)")
    return r


def sign_up_ceiling(args) -> dict:
    """The unavoidable work of one SignUp: an argon2id hash and the SRP verifier `g^x` of the
    same password (a 3072-bit constant-time exponentiation), on every core, each thread keeping
    its argon2 memory as Cognate's hashing threads do."""
    wait_quiet(args)
    r = loadgen("argon2", "--seconds", str(args.argon2_seconds),
                "--reuse-memory", "true", "--verifier", "true")
    log(f"  SignUp ceiling: {r['per_sec']:.1f} hash + verifier pairs/s in all "
        f"({r['ms_per_hash']:.2f} ms each)")
    return r


def rs256_ceiling(args) -> dict:
    """The unavoidable work of one refresh: two RS256 signatures (the ID and the access token),
    with Cognate's crate and key size (aws-lc-rs, RSA 2048), on every core. `per_sec` is
    refreshes per second (half the signatures)."""
    wait_quiet(args)
    r = loadgen("rs256", "--seconds", str(args.argon2_seconds))
    r["signatures_per_sec"] = r["per_sec"]
    r["per_sec"] = r["refreshes_per_sec"]
    log(f"  refresh ceiling: {r['signatures_per_sec']:.0f} RS256 signatures/s in all "
        f"({r['us_per_signature']:.0f} µs each), {r['per_sec']:.0f} refreshes/s")
    return r


def bracketed_srp(before: dict, after: dict) -> dict:
    c = dict(before)
    c["per_sec"] = (before["per_sec"] + after["per_sec"]) / 2
    c["before"], c["after"] = before, after
    return c


def bracketed_ceiling(before: dict, after: dict) -> dict:
    """The ceiling measured just before and just after the sign-in runs: this VM's speed
    drifts by several percent from one minute to the next, so the sign-ins are judged against
    the mean of the two measurements that bracket them."""
    c = dict(before)
    c["per_sec"] = (before["per_sec"] + after["per_sec"]) / 2
    c["per_sec_per_core"] = c["per_sec"] / c["cores"]
    c["ms_per_hash"] = 1000 * c["threads"] / c["per_sec"]
    c["before"], c["after"] = before, after
    log(f"  argon2id ceiling: {c['per_sec']:.1f} hashes/s (before {before['per_sec']:.1f}, "
        f"after {after['per_sec']:.1f})")
    return c


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


def sh(*cmd: str, cwd=None) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd,
                              timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


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
        "cognate": sh(str(COGNATE), "--version"),
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


def render(results: dict) -> str:
    m = results["machine"]
    cores = m["cores"]
    conc = results["params"]["concurrency"]
    L = []
    L.append(f"Generated by `bench/run.sh` on {results['date']} "
             f"(run took {results['duration_s'] / 60:.1f} min).")
    L.append("")
    L.append("### Machine and conditions")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    L.append(f"| CPU | {m['cpu']}, {cores} cores, {m['memory_gib']} GiB, Linux {m['kernel']} |")
    la = results["load"]
    L.append(f"| load average (1/5/15 min) | at start {'/'.join(map(str, la['start']))}, "
             f"at end {'/'.join(map(str, la['end']))} |")
    others = [r["other_cpu_pct"] for r in all_runs(results) if r.get("other_cpu_pct") is not None]
    steals = [r["steal_pct"] for r in all_runs(results) if r.get("steal_pct") is not None]
    if others:
        noisy = sum(1 for r in all_runs(results) if r.get("noisy"))
        retried = sum(1 for r in all_runs(results) if (r.get("attempt") or 1) > 1)
        L.append(f"| runs repeated because other processes took more than "
                 f"{results['params'].get('max_other_cpu', '?')}% of a core | {retried}; "
                 f"still above it after two repeats (marked noisy): {noisy} |")
        L.append(f"| CPU used by other processes during the measured windows | mean "
                 f"{sum(others) / len(others):.0f}%, highest {max(others):.0f}% of one core "
                 f"(steal: highest {max(steals or [0]):.0f}%); the load average above includes "
                 f"the benchmark's own server and load generator |")
    L.append(f"| Cognate | {m['cognate']} (commit {m['commit']}), release build, embedded SQLite "
             f"(libsqlite3-sys {m['libsqlite3_sys']}), default settings (8 database connections) |")
    L.append(f"| moto | {m['moto']} (`moto_server`, Python {m['python']}) |")
    L.append(f"| cognito-local | {m['cognito_local']} (Node.js {m['node']}) |")
    L.append(f"| load generator | `bench/loadgen` ({m['rustc']}): hand-signed SigV4, one "
             f"keep-alive HTTP/1.1 connection per worker, one thread per core, mimalloc |")
    p = results["params"]
    L.append(f"| parameters | concurrency {', '.join(map(str, conc))}; {p['warmup']} s warm-up then "
             f"{p['seconds']} s measured per run ({p.get('password_seconds', p['seconds'])} s for "
             f"the password-bound workloads ¹); {p['users']} users per pool; random user per "
             f"request; one sign-in per worker for the token workloads |")
    a = results.get("argon2")
    if a:
        L.append(f"| password hashing | {a['params']} (argon2 crate {m['argon2_crate']} defaults) |")
    L.append("")

    # Headline table.
    L.append("### Throughput and latency")
    L.append("")
    L.append("Best throughput of each server over the concurrency levels, with the p50 / p99 "
             "latency of that run, and the peak memory (VmHWM) of the server process over the "
             "runs of the workload. Per core: requests per second ÷ "
             f"{cores} cores. Ratio: Cognate's best throughput ÷ the peer's.")
    L.append("")
    peers = [s for s in PEERS if s in results["servers"]]
    L.append("| workload | Cognate req/s (per core) · p50 / p99 ms · peak MB | "
             + " | ".join(LABELS[s] for s in peers) + " | "
             + " | ".join(f"Cognate ÷ {LABELS[s]}" for s in peers) + " |")
    L.append("|---|" + "---|" * (1 + 2 * len(peers)))
    for key, label, servers in WORKLOADS:
        cells = []
        for s in ["cognate"] + peers:
            b = best(results, s, key)
            if s not in servers or b is None:
                cells.append("n/a")
                continue
            cell = (f"**{num(b['throughput'])}** ({num(b['throughput'] / cores)}) "
                    f"· {fmt_ms(b['p50_ms'])} / {fmt_ms(b['p99_ms'])} "
                    f"· {kib(peak_mem(results, s, key)).replace(' MB', '')} "
                    f"<br><sub>c={b['concurrency']}</sub>")
            cells.append(cell)
        c = best(results, "cognate", key)
        ratios = [ratio(c and c["throughput"], (best(results, s, key) or {}).get("throughput"))
                  for s in peers]
        mark = " ¹" if key in PASSWORD_BOUND else ""
        L.append(f"| {label}{mark} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    L.append("")
    L.append("¹ **Not the same work.** Cognate stores argon2id hashes (m=19 MiB, t=2) and "
             "verifies one per sign-in and computes one per AdminCreateUser (the temporary "
             "password); the peers keep passwords in plain text and compare "
             "strings. These rows measure a deliberate cost on Cognate's side; the argon2id "
             "ceiling below is the fair yardstick.")
    L.append("")
    L.append("![Throughput and p99 latency](benchmarks.svg)")
    L.append("")

    if a:
        L.append("### Password sign-in against the argon2id ceiling")
        L.append("")
        if "before" in a:
            L.append(f"The ceiling was measured in the same run, just before and just after "
                     f"Cognate's sign-in runs (this VM's speed drifts by several percent from "
                     f"one minute to the next), by `loadgen argon2`: {a['threads']} threads "
                     f"verifying the benchmark password against a hash with Cognate's "
                     f"parameters for {a['seconds']:.0f} s: {a['before']['per_sec']:.1f} "
                     f"hashes/s before, {a['after']['per_sec']:.1f} after; the ceiling is their "
                     f"mean, **{a['per_sec']:.1f} hashes/s** in all, "
                     f"{a['per_sec_per_core']:.1f} per core ({a['ms_per_hash']:.1f} ms per hash).")
        else:
            L.append(f"The ceiling was measured in the same run, just before Cognate's sign-in "
                     f"runs, by `loadgen argon2`: {a['threads']} threads verifying the benchmark "
                     f"password against a hash with Cognate's parameters for "
                     f"{a['seconds']:.0f} s: **{a['per_sec']:.1f} hashes/s** in all, "
                     f"{a['per_sec_per_core']:.1f} per core ({a['ms_per_hash']:.1f} ms per hash).")
        alts = (a.get("before") or a).get("alternatives") or []
        if len(alts) > 1:
            desc = "; ".join(
                f"{'each thread reusing its memory' if x['reuse_memory'] else 'the crate’s verify_password, allocating per hash'}: {x['per_sec']:.1f}/s"
                for x in alts)
            L.append("")
            L.append(f"Each measurement hashes both ways and takes the faster (before the runs: "
                     f"{desc}).")
        si = results.get("sign_in_ceiling")
        if si:
            L.append("")
            L.append(f"A sign-in also answers with two RS256-signed tokens (ID and access), whose "
                     f"cost the argon2id ceiling leaves out. `loadgen argon2 --signatures 2` "
                     f"does both on every core (memory reused), just before and just after the "
                     f"sign-in runs: {si['before']['per_sec']:.1f} and "
                     f"{si['after']['per_sec']:.1f}/s; that ceiling is their mean, "
                     f"**{si['per_sec']:.1f}/s** (last column).")
        L.append("")
        L.append("| concurrency | Cognate sign-ins/s | fraction of the ceiling | p50 / p99 ms | "
                 "server CPU | load generator CPU | of hash + two signatures |")
        L.append("|---|---|---|---|---|---|---|")
        for c in conc:
            r = at(results, "cognate", "user_password_auth", c)
            if not r:
                continue
            vs_si = f"{100 * r['throughput'] / si['per_sec']:.1f}%" if si else "n/a"
            L.append(f"| {c} | {r['throughput']:.1f} | {100 * r['throughput'] / a['per_sec']:.1f}% "
                     f"| {fmt_ms(r['p50_ms'])} / {fmt_ms(r['p99_ms'])} "
                     f"| {r['server_cpu_pct']:.0f}% | {r['client_cpu_pct']:.1f}% | {vs_si} |")
        L.append("")
    su = results.get("sign_up_ceiling")
    if su:
        L.append("### SignUp against its ceiling")
        L.append("")
        L.append(f"A SignUp stores the password twice over: its argon2id hash and its SRP "
                 f"verifier `g^x` (a constant-time 3072-bit exponentiation; the verifier is what "
                 f"lets the user sign in with USER_SRP_AUTH). `loadgen argon2 --reuse-memory true "
                 f"--verifier true` does both on every core, just before and just after "
                 f"Cognate's SignUp runs: {su['before']['per_sec']:.1f} and "
                 f"{su['after']['per_sec']:.1f}/s; the ceiling is their mean, "
                 f"**{su['per_sec']:.1f}/s**.")
        L.append("")
        L.append("| concurrency | Cognate sign-ups/s | fraction of the ceiling | p50 / p99 ms | "
                 "server CPU | load generator CPU |")
        L.append("|---|---|---|---|---|---|")
        for c in conc:
            r = at(results, "cognate", "sign_up", c)
            if not r:
                continue
            L.append(f"| {c} | {r['throughput']:.1f} | {100 * r['throughput'] / su['per_sec']:.1f}% "
                     f"| {fmt_ms(r['p50_ms'])} / {fmt_ms(r['p99_ms'])} "
                     f"| {r['server_cpu_pct']:.0f}% | {r['client_cpu_pct']:.1f}% |")
        L.append("")
    sc = results.get("srp_ceiling")
    if sc:
        L.append("### SRP sign-in against its exponentiation ceiling")
        L.append("")
        L.append(f"A USER_SRP_AUTH sign-in costs Cognate three 3072-bit exponentiations with "
                 f"256-bit exponents (`g^b`, `v^u`, `(A·v^u)^b`), constant-time, on crypto-bigint. "
                 f"`loadgen modexp` does the same arithmetic on every core, just before and just "
                 f"after Cognate's SRP runs: {sc['before']['per_sec']:.0f} and "
                 f"{sc['after']['per_sec']:.0f} sign-ins/s; the ceiling is their mean, "
                 f"**{sc['per_sec']:.0f}/s**. Each measured sign-in is both requests "
                 f"(InitiateAuth, then RespondToAuthChallenge), and the load generator computes "
                 f"the client's side (one variable-time exponentiation per sign-in) on the same "
                 f"two cores, so the last column, sign-ins per second of server CPU against one "
                 f"core's share of the ceiling, is the fair measure of the server's overhead.")
        L.append("")
        L += ceiling_table(results, conc, "user_srp_auth", sc, "sign-ins/s", "{:.0f}")
        sf = results.get("srp_full_ceiling")
        if sf:
            L.append(f"Each sign-in also answers with two RS256-signed tokens (ID and access). "
                     f"With them, the arithmetic no SRP sign-in can do without (`loadgen modexp "
                     f"--signatures 2`, before and after: {sf['before']['per_sec']:.0f} and "
                     f"{sf['after']['per_sec']:.0f}/s) allows **{sf['per_sec']:.0f}/s**: "
                     f"{100 * sf['per_sec'] / sc['per_sec']:.1f}% of the exponentiation "
                     f"ceiling, the most any server could reach against it on this machine "
                     f"even with the load generator elsewhere.")
            L.append("")
            L += ceiling_table(results, conc, "user_srp_auth", sf, "sign-ins/s", "{:.0f}")
    rc = results.get("rs256_ceiling")
    if rc:
        L.append("### Refresh against its signature ceiling")
        L.append("")
        L.append(f"A REFRESH_TOKEN_AUTH answer carries two new RS256-signed tokens (ID and "
                 f"access): two RSA-2048 private-key operations. `loadgen rs256` signs with the "
                 f"same crate and key size (aws-lc-rs) on every core, before the first of "
                 f"Cognate's refresh runs and after each: "
                 + ", ".join(f"{c['signatures_per_sec']:,.0f}"
                             for c in rc.get("all", [rc["before"], rc["after"]]))
                 + " signatures/s. Each run is judged against half the mean of the two "
                 f"measurements around it (the table's ceiling column); over all of them the "
                 f"ceiling is **{rc['per_sec']:,.0f} refreshes/s**. Between the same two "
                 f"measurements, the same load drives `loadgen floor`, a bare hyper server "
                 f"whose every answer is two signatures and nothing else (no parsing, look-ups "
                 f"or claims), before Cognate's run at every other concurrency and after it at "
                 f"the rest: what HTTP, the loopback and the load generator, on the same two "
                 f"cores, leave of the ceiling to any server.")
        L.append("")
        L += ceiling_table(results, conc, "refresh_token_auth", rc, "refreshes/s", "{:,.0f}")

    L.append("### Start-up and memory")
    L.append("")
    L.append("Start: from just before the process is spawned to the first answered signed "
             "`ListUserPools` (polled every 0.5 ms by the load generator), on an empty data "
             "directory. Idle: VmRSS 2 s after that. Setup includes 400 argon2id hashes on "
             "Cognate's side. Peak: the highest VmHWM over setup and all runs.")
    L.append("")
    L.append("| server | first request after start | idle memory | after setup (200 users) "
             "| 2 s after the sign-in runs | peak memory | memory at the end |")
    L.append("|---|---|---|---|---|---|---|")
    for s in SERVERS:
        d = results["servers"].get(s)
        if not d:
            continue
        peaks = [r.get("server_peak_rss_kib") or 0 for r in d["runs"]]
        peaks.append(d.get("setup_peak_rss_kib") or 0)
        L.append(f"| {LABELS[s]} | {d['ready_ms']:.0f} ms | {kib(d.get('idle_rss_kib'))} "
                 f"| {kib(d.get('after_setup_rss_kib'))} | {kib(d.get('after_auth_rss_kib'))} "
                 f"| {kib(max(peaks))} | {kib(d.get('final_rss_kib'))} |")
    L.append("")

    dg = results.get("diagnostics")
    if dg:
        L.extend(render_diagnostics(results, dg))

    ob = results.get("outbox")
    if ob:
        L.append("### Message delivery")
        L.append("")
        L.append(f"{ob['messages']:,} password-reset codes queued by ForgotPassword (64 connections) "
                 f"and delivered by Cognate's worker over SMTP to a local sink: all "
                 f"{ob['received']:,} received **{ob['delivered_seconds']:.2f} s** after the first "
                 f"request (queued in {ob['queued_seconds']:.2f} s). Target: under 5 s.")
        L.append("")

    mil = results.get("million")
    if mil:
        L.append(f"### Cognate with {mil['users']:,} users")
        L.append("")
        L.append(f"Measured {mil['date']} (load average before "
                 f"{'/'.join(map(str, mil['load_before']))}, after "
                 f"{'/'.join(map(str, mil['load_after']))}). {args_note(mil)}")
        L.append("")
        restart = ""
        if mil.get("restart_ready_ms") is not None:
            restart = (f" Started again on the same database: first request "
                       f"**{mil['restart_ready_ms']:.0f} ms** after start, idle memory "
                       f"{kib(mil.get('restart_idle_rss_kib'))}.")
        L.append(f"Database {mil['db_bytes'] / 2**20:,.0f} MiB. First start after the bulk load: "
                 f"first request **{mil['ready_ms']:.0f} ms** after start; idle memory "
                 f"**{kib(mil['idle_rss_kib'])}**; memory at the end "
                 f"{kib(mil.get('final_rss_kib'))}"
                 + (f" (its own, RssAnon: {kib(mil['final_anon_kib'])})"
                    if mil.get("final_anon_kib") else "") + f".{restart}")
        L.append("")
        L.append("Peak memory: the process's own (RssAnon: heap, stacks; sampled every 50 ms), "
                 "then its whole RSS (VmHWM), which also counts the database pages look-ups "
                 "read through SQLite's memory map: the operating system's page cache, shared "
                 "and reclaimable, which reads with `pread` fill just the same without it "
                 "showing in the process.")
        L.append("")
        L.append("| workload | concurrency | req/s | p50 ms | p99 ms | max ms "
                 "| peak memory: own / whole RSS |")
        L.append("|---|---|---|---|---|---|---|")
        for r in mil["runs"]:
            L.append(f"| {WORKLOAD_LABEL[r['workload']]} | {r['concurrency']} "
                     f"| {num(r['throughput'])} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} "
                     f"| {fmt_ms(r['max_ms'])} | {kib(r.get('server_peak_anon_kib'))} / "
                     f"{kib(r['server_peak_rss_kib'])} |")
        L.append("")

    L.append("### Targets")
    L.append("")
    L.append("| target | measured | |")
    L.append("|---|---|---|")
    for row in targets(results):
        L.append("| " + " | ".join(row) + " |")
    L.append("")

    L.append("### Every run")
    L.append("")
    L.append("Server CPU and load-generator CPU are shares of one core over the measured "
             "window (200% = both cores). *CPU µs/req*: server CPU time per request. "
             "*Switches/req*: context switches of all the server's threads per request. "
             "*Client ceiling*: requests per second of load-generator CPU, the rate one "
             "load-generator core could drive at that cost. *Other CPU*: CPU used by neither "
             "(other processes on the machine), the noise in that run.")
    L.append("")
    L.append("| workload | server | c | req/s | p50 ms | p99 ms | errors | server CPU "
             "| CPU µs/req | switches/req | loadgen CPU | client ceiling | peak memory "
             "| other CPU |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, label, servers in WORKLOADS:
        for s in SERVERS:
            if s not in servers or s not in results["servers"]:
                continue
            rs = runs_of(results, s, key)
            if not rs:
                L.append(f"| {label} | {LABELS[s]} | | n/a (not supported) |||||||||||")
            for r in rs:
                noisy = " (noisy)" if r.get("noisy") else ""
                L.append(
                    f"| {label} | {LABELS[s]} | {r['concurrency']}{noisy} | {num(r['throughput'], 1 if r['throughput'] < 100 else 0)} "
                    f"| {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} | {r['errors']} "
                    f"| {num(r['server_cpu_pct'])}% | {num(r.get('server_cpu_us'))} "
                    f"| {num(r.get('switches_per_req'), 1)} "
                    f"| {num(r['client_cpu_pct'])}% | {num(r['client_ceiling'])} "
                    f"| {kib(r['server_peak_rss_kib'])} | {num(r.get('other_cpu_pct'))}% |")
    L.append("")
    return "\n".join(L)


def render_diagnostics(results: dict, dg: dict) -> list:
    L = ["### Cognate on one core (measured in this run)", ""]
    pinned = dg.get("pinned") or []
    if pinned:
        c = pinned[0]["concurrency"]
        L.append(f"The same Cognate build again, pinned to CPU 0 (`taskset -c 0`) with the load "
                 f"generator pinned to CPU 1, at concurrency {c}, beside the unpinned runs "
                 f"above (Cognate free to use both cores, which it shares with the load "
                 f"generator). The same requests with the same number of context switches; "
                 f"where the CPU time per request is much lower on one core, the difference is "
                 f"the cost of waking threads across cores (in this VM a cross-core wake-up "
                 f"is an inter-processor interrupt).")
        L.append("")
        L.append("| workload | 2 cores: req/s | CPU µs/req | switches/req "
                 "| 1 core: req/s | CPU µs/req | switches/req | other CPU |")
        L.append("|---|---|---|---|---|---|---|---|")
        for p in pinned:
            u = at(results, "cognate", p["workload"], c) or {}
            L.append(f"| {WORKLOAD_LABEL[p['workload']]} | {num(u.get('throughput'))} "
                     f"| {num(u.get('server_cpu_us'))} | {num(u.get('switches_per_req'), 1)} "
                     f"| {num(p['throughput'])} | {num(p.get('server_cpu_us'))} "
                     f"| {num(p.get('switches_per_req'), 1)} | {num(p.get('other_cpu_pct'))}% |")
        L.append("")
    return L


def ceiling_table(results: dict, conc: list, workload: str, ceiling: dict, unit: str,
                  rate: str) -> list:
    """Cognate's runs of `workload` against `ceiling` (per second, all cores): the fraction
    of it, and each server CPU-second against one core's share of it."""
    own = any((at(results, "cognate", workload, c) or {}).get("ceiling") for c in conc)
    floor = any((at(results, "cognate", workload, c) or {}).get("floor") for c in conc)
    L = ["| concurrency | Cognate " + unit + (" | ceiling around the run" if own else "")
         + " | fraction of the ceiling | p50 / p99 ms | "
         "server CPU | load generator CPU | per server CPU-second vs. a core |"
         + (" bare signing server: fraction of the ceiling | Cognate / bare server |"
            if floor else ""),
         "|---|---|---|---|---|---|---|" + ("---|" if own else "") + ("---|---|" if floor else "")]
    for c in conc:
        r = at(results, "cognate", workload, c)
        if not r:
            continue
        # A run measured between two ceilings of its own is judged against them.
        per_sec = (r.get("ceiling") or ceiling)["per_sec"]
        per_core = per_sec / results["machine"]["cores"]
        L.append(f"| {c} | {rate.format(r['throughput'])} "
                 + (f"| {rate.format(per_sec)} " if own else "")
                 + f"| {100 * r['throughput'] / per_sec:.1f}% "
                 f"| {fmt_ms(r['p50_ms'])} / {fmt_ms(r['p99_ms'])} "
                 f"| {r['server_cpu_pct']:.0f}% | {r['client_cpu_pct']:.1f}% "
                 f"| {100 * (r['per_server_cpu_s'] or 0) / per_core:.1f}% |"
                 + (f" {100 * r['floor']['throughput'] / per_sec:.1f}% "
                    f"| {100 * r['throughput'] / r['floor']['throughput']:.1f}% |"
                    if (r.get("floor") or {}).get("throughput") else (" | |" if floor else "")))
    L.append("")
    return L


def args_note(mil: dict) -> str:
    l = mil.get("load", {})
    return (f"Users written straight into the SQLite file by `bench/million.py` "
            f"({l.get('total_seconds', '?')} s), all sharing one real argon2id hash.")


def targets(results: dict) -> list:
    cores = results["machine"]["cores"]
    rows = []

    def check(ok) -> str:
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    r = best(results, "cognate", "refresh_token_auth")
    peers = [best(results, s, "refresh_token_auth") for s in PEERS]
    fastest = max((p["throughput"] for p in peers if p), default=None)
    if r:
        pc = r["throughput"] / cores
        rows.append(["REFRESH_TOKEN_AUTH ≥ 1,000/s per core",
                     f"{pc:,.0f}/s per core ({r['throughput']:,.0f}/s on {cores} cores; "
                     f"{num(r['per_server_cpu_s'])} per server CPU-second)", check(pc >= 1000)])
        if fastest:
            rows.append(["REFRESH_TOKEN_AUTH ≥ 5× the fastest peer",
                         f"{r['throughput'] / fastest:,.2f}× ({fastest:,.0f}/s)",
                         check(r["throughput"] >= 5 * fastest)])
        rc = r.get("ceiling") or results.get("rs256_ceiling")
        if rc:
            f = r["throughput"] / rc["per_sec"]
            per_cpu = (r["per_server_cpu_s"] or 0) / (rc["per_sec"] / cores)
            around = " measured around the run" if r.get("ceiling") else ""
            rows.append(["REFRESH_TOKEN_AUTH ≥ 90% of the two-RS256-signature ceiling",
                         f"{100 * f:.1f}% ({r['throughput']:,.0f}/s of {rc['per_sec']:,.0f}/s"
                         f"{around}, c={r['concurrency']}); per server CPU-second "
                         f"{100 * per_cpu:.1f}% of a core's ceiling"
                         + (f"; a bare server that only signs: "
                            f"{100 * r['floor']['throughput'] / rc['per_sec']:.1f}%"
                            if (r.get("floor") or {}).get("throughput") else ""),
                         check(f >= 0.9)])
    a = results.get("argon2")
    r = best(results, "cognate", "user_password_auth")
    if a and r:
        f = r["throughput"] / a["per_sec"]
        rows.append(["USER_PASSWORD_AUTH ≥ 90% of the argon2id ceiling",
                     f"{100 * f:.1f}% ({r['throughput']:.1f}/s of {a['per_sec']:.1f} hashes/s, "
                     f"c={r['concurrency']})", check(f >= 0.9)])
        si = results.get("sign_in_ceiling")
        if si:
            g = r["throughput"] / si["per_sec"]
            rows.append(["USER_PASSWORD_AUTH ≥ 90% of its ceiling (argon2id + two RS256 signatures)",
                         f"{100 * g:.1f}% ({r['throughput']:.1f}/s of {si['per_sec']:.1f}/s, "
                         f"c={r['concurrency']})", check(g >= 0.9)])
    sc = results.get("srp_ceiling")
    r = best(results, "cognate", "user_srp_auth")
    if sc and r:
        f = r["throughput"] / sc["per_sec"]
        per_cpu = (r["per_server_cpu_s"] or 0) / (sc["per_sec"] / cores)
        rows.append(["USER_SRP_AUTH ≥ 85% of the exponentiation ceiling",
                     f"{100 * f:.1f}% ({r['throughput']:.0f}/s of {sc['per_sec']:.0f}/s, "
                     f"c={r['concurrency']}, the load generator's own SRP math sharing the "
                     f"cores); per server CPU-second {100 * per_cpu:.1f}% of a core's ceiling",
                     check(f >= 0.85)])
        sf = results.get("srp_full_ceiling")
        if sf:
            g = r["throughput"] / sf["per_sec"]
            per_cpu = (r["per_server_cpu_s"] or 0) / (sf["per_sec"] / cores)
            rows.append(["USER_SRP_AUTH against its exponentiations + two RS256 signatures "
                         "(no target; the exponentiation-only ceiling allows at most "
                         f"{100 * sf['per_sec'] / sc['per_sec']:.1f}%)",
                         f"{100 * g:.1f}% ({r['throughput']:.0f}/s of {sf['per_sec']:.0f}/s); "
                         f"per server CPU-second {100 * per_cpu:.1f}% of a core's ceiling",
                         "n/a"])
    r = best(results, "cognate", "sign_up")
    su = results.get("sign_up_ceiling")
    if su and r:
        # A sign-up stores an argon2id hash and an SRP verifier: both are its ceiling.
        f = r["throughput"] / su["per_sec"]
        vs_argon2 = (f"; {100 * r['throughput'] / a['per_sec']:.1f}% of the argon2id-only "
                     f"ceiling ({a['per_sec']:.1f}/s)" if a else "")
        rows.append(["SignUp ≥ 90% of its ceiling (argon2id hash + SRP verifier)",
                     f"{100 * f:.1f}% ({r['throughput']:.1f}/s of {su['per_sec']:.1f}/s, "
                     f"c={r['concurrency']}){vs_argon2}", check(f >= 0.9)])
    elif a and r:
        f = r["throughput"] / a["per_sec"]
        rows.append(["SignUp ≥ 90% of the argon2id ceiling",
                     f"{100 * f:.1f}% ({r['throughput']:.1f}/s of {a['per_sec']:.1f} hashes/s, "
                     f"c={r['concurrency']})", check(f >= 0.9)])
    o = results.get("outbox")
    if o and o.get("delivered_seconds") is not None:
        rows.append([f"Delivery: {o['messages']:,} queued messages to an SMTP sink < 5 s",
                     f"{o['received']:,} received in {o['delivered_seconds']:.2f} s",
                     check(o["received"] == o["messages"] and o["delivered_seconds"] < 5)])
    pinned = {p["workload"]: p for p in (results.get("diagnostics") or {}).get("pinned") or []}
    for key in ("admin_get_user", "get_user"):
        r = best(results, "cognate", key)
        if r:
            pc = r["throughput"] / cores
            p = pinned.get(key)
            extra = (f"; pinned to one core: {p['throughput']:,.0f}/s at {p['server_cpu_pct']:.0f}% "
                     f"CPU, {num(p['per_server_cpu_s'])} per CPU-second" if p else "")
            rows.append([f"{WORKLOAD_LABEL[key]} ≥ 10,000/s per core",
                         f"{pc:,.0f}/s per core ({r['throughput']:,.0f}/s ÷ {cores} cores; "
                         f"{num(r['per_server_cpu_s'])} per server CPU-second{extra})",
                         check(pc >= 10000)])
    # The read paths against the fastest in-memory peer and against cognito-local.
    for key in ("get_user", "admin_get_user", "list_users_filter"):
        r = best(results, "cognate", key)
        for peer, factor in (("fakecloud", 1.2), ("cognito-local", 10)):
            p = best(results, peer, key)
            if r and p:
                f = r["throughput"] / p["throughput"]
                rows.append([f"{WORKLOAD_LABEL[key]} ≥ {factor:g}× {LABELS[peer]}",
                             f"{f:,.2f}× ({r['throughput']:,.0f}/s against "
                             f"{p['throughput']:,.0f}/s)", check(f >= factor)])
    mil = results.get("million")
    # The same at 1,000,000 users, when fakecloud held them too (bench_million_fakecloud).
    fmil = results.get("million_fakecloud")
    for key in ("get_user", "admin_get_user", "list_users_filter"):
        ours = [x for x in (mil or {}).get("runs", []) if x["workload"] == key]
        theirs = [x for x in (fmil or {}).get("runs", []) if x["workload"] == key]
        if ours and theirs:
            r = max(ours, key=lambda x: x["throughput"])
            p = max(theirs, key=lambda x: x["throughput"])
            f = r["throughput"] / p["throughput"] if p["throughput"] else float("inf")
            rows.append([f"{WORKLOAD_LABEL[key]} ≥ 1.2× fakecloud at {mil['users']:,} users",
                         f"{f:,.2f}× ({r['throughput']:,.0f}/s against "
                         f"{p['throughput']:,.0f}/s)", check(f >= 1.2)])
    for key in ("admin_get_user", "get_user"):
        rs = [x for x in (mil or {}).get("runs", []) if x["workload"] == key]
        if rs:
            # Judged below saturation (c <= 8): at c=64 the server is saturated and latency is
            # queueing (Little's law: 64 in flight / throughput), whatever the server.
            judged = [x for x in rs if x["concurrency"] <= 8] or rs
            worst = max(judged, key=lambda x: x["p99_ms"] or float("inf"))
            lst = ", ".join(f"c={x['concurrency']}: {fmt_ms(x['p99_ms'])}" for x in rs)
            sat = [x for x in rs if x not in judged]
            note = ""
            if sat:
                x = sat[-1]
                note = (f" (judged at c ≤ 8; c={x['concurrency']} saturates the server: "
                        f"{x['concurrency']} / {x['throughput']:,.0f} req/s = "
                        f"{1000 * x['concurrency'] / x['throughput']:.1f} ms of queueing on average)"
                        if x["throughput"] else "")
            rows.append([f"{WORKLOAD_LABEL[key]} p99 < 5 ms at {mil['users']:,} users",
                         f"p99 ms {lst}{note}", check((worst["p99_ms"] or float("inf")) < 5)])
    c = results["servers"].get("cognate")
    if c:
        rows.append(["Idle memory < 15 MB", kib(c.get("idle_rss_kib")),
                     check(c["idle_rss_kib"] < 15 * 1024)])
    if mil:
        # The process's own memory (RssAnon) where measured: its whole RSS also counts the
        # database file's pages it maps (page cache, reclaimable), ~the file's size at 1M users.
        own = all(x.get("server_peak_anon_kib") for x in mil["runs"])
        key = "server_peak_anon_kib" if own else "server_peak_rss_kib"
        peak = max([mil.get("idle_rss_kib") or 0] + [x.get(key) or 0 for x in mil["runs"]])
        whole = max(x.get("server_peak_rss_kib") or 0 for x in mil["runs"])
        rows.append([f"< 100 MB with {mil['users']:,} users",
                     f"idle {kib(mil.get('idle_rss_kib'))}, peak under load {kib(peak)}"
                     + (f" of its own (RssAnon; {kib(whole)} with the mapped database pages)"
                        if own else ""),
                     check(peak < 100 * 1024)])
    if c:
        starts = [("empty data directory", c["ready_ms"])]
        if mil:
            starts.append((f"first start after loading {mil['users']:,} users",
                           mil["ready_ms"]))
            if mil.get("restart_ready_ms") is not None:
                starts.append((f"restart with {mil['users']:,} users", mil["restart_ready_ms"]))
        ok = [v < 100 for _, v in starts]
        verdict = "met" if all(ok) else ("**missed**" if not any(ok) else
                                         "met, except " + ", ".join(
                                             n for (n, _), o in zip(starts, ok) if not o))
        rows.append(["First request within 100 ms of start",
                     "; ".join(f"{v:.0f} ms ({n})" for n, v in starts), verdict])
    return rows


def svg(results: dict) -> str:
    """Two panels of grouped bars on log scales: best throughput, and p99 latency at the
    middle concurrency level."""
    import math
    colors = {"cognate": "#1f6feb", "fakecloud": "#2da44e", "moto": "#d29922",
              "cognito-local": "#8250df"}
    keys = [k for k, _, _ in WORKLOADS]
    shown = [s for s in SERVERS if s in results["servers"]]
    short = {
        "admin_get_user": "AdminGetUser", "get_user": "GetUser",
        "list_users_filter": "ListUsers filter", "refresh_token_auth": "REFRESH_TOKEN",
        "user_password_auth": "USER_PASSWORD*", "oauth_refresh": "oauth2 refresh",
        "oauth_client_credentials": "oauth2 client_cred.", "sign_up": "SignUp*", "user_srp_auth": "USER_SRP_AUTH",
        "confirm_sign_up": "ConfirmSignUp",
        "admin_create_user": "AdminCreateUser*",
    }
    conc = results["params"]["concurrency"]
    mid = conc[len(conc) // 2]
    panels = [
        ("Best throughput, requests/s (log scale)",
         lambda s, k: (best(results, s, k) or {}).get("throughput")),
        (f"p99 latency at concurrency {mid}, ms (log scale, lower is better)",
         lambda s, k: (at(results, s, k, mid) or {}).get("p99_ms")),
    ]
    W, PH, top, left = 980, 300, 80, 70
    H = top + len(panels) * (PH + 90) + 40
    gw = (W - left - 20) / len(keys)
    bw = gw / (len(shown) + 1)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
         f'Cognate vs {" vs ".join(LABELS[s] for s in PEERS if s in results["servers"])}, '
         f'{results["machine"]["cores"]} cores, '
         f'{results["date"][:10]}</text>',
         f'<text x="{W / 2}" y="44" text-anchor="middle" fill="#555">* Cognate hashes passwords '
         f'with argon2id; the peers compare plain text. n/a: not supported.</text>']
    lx = left
    for s in shown:
        o.append(f'<rect x="{lx}" y="52" width="12" height="12" fill="{colors[s]}"/>'
                 f'<text x="{lx + 16}" y="62">{LABELS[s]}</text>')
        lx += 130
    for pi, (title, value) in enumerate(panels):
        y0 = top + pi * (PH + 90) + 20
        vals = [value(s, k) for k in keys for s in shown if value(s, k)]
        if not vals:
            continue
        lo = 10 ** math.floor(math.log10(min(vals)))
        hi = 10 ** math.ceil(math.log10(max(vals) * 1.6))  # room for the value labels
        if hi <= lo:
            hi = lo * 10

        def y(v):
            return y0 + PH - PH * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

        o.append(f'<text x="{left}" y="{y0 - 10}" font-weight="bold">{title}</text>')
        d = lo
        while d <= hi * 1.0001:
            yy = y(d)
            o.append(f'<line x1="{left}" x2="{W - 20}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
            lab = f"{d:,.0f}" if d >= 1 else f"{d:g}"
            o.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#555">{lab}</text>')
            d *= 10
        for ki, k in enumerate(keys):
            gx = left + ki * gw + bw / 2
            for si, s in enumerate(shown):
                v = value(s, k)
                x = gx + si * bw
                if v:
                    yy = y(v)
                    o.append(f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bw - 2:.1f}" '
                             f'height="{y0 + PH - yy:.1f}" fill="{colors[s]}">'
                             f'<title>{LABELS[s]} {short[k]}: {v:,.2f}</title></rect>')
                    lab = f"{v:,.0f}" if v >= 10 else f"{v:.1f}"
                    o.append(f'<text x="{x + bw / 2 - 1:.1f}" y="{yy - 3:.1f}" '
                             f'text-anchor="middle" font-size="9">{lab}</text>')
                else:
                    o.append(f'<text x="{x + bw / 2 - 1:.1f}" y="{y0 + PH - 4}" '
                             f'text-anchor="middle" font-size="9" fill="#999">n/a</text>')
            o.append(f'<text x="{gx + (len(shown) - 1) / 2 * bw:.1f}" y="{y0 + PH + 16}" text-anchor="middle" font-size="10.5">'
                     f'{short[k]}</text>')
        o.append(f'<line x1="{left}" x2="{W - 20}" y1="{y0 + PH}" y2="{y0 + PH}" stroke="#333"/>')
    o.append("</svg>")
    return "\n".join(o)


BEGIN = "<!-- bench:begin (generated by bench/run.sh; edits inside are overwritten) -->"
END = "<!-- bench:end -->"


def write_docs(results: dict) -> None:
    body = render(results)
    if DOC.exists():
        text = DOC.read_text()
    else:
        text = f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = f"{head}{BEGIN}\n{body}\n{END}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{BEGIN}\n{body}\n{END}\n"
    DOC.write_text(text)
    SVG.write_text(svg(results))
    log(f"wrote {DOC.relative_to(ROOT)} and {SVG.relative_to(ROOT)}")


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
    global COGNATE
    (WORK / "bin").mkdir(exist_ok=True)
    shutil.copy2(COGNATE, WORK / "bin" / "cognate")
    COGNATE = WORK / "bin" / "cognate"
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
