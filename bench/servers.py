"""Starting the servers under test (and the refresh floor) and measuring one run against
one of them with the load generator.
"""

import json
import os
import signal
import subprocess
import time
import re
import urllib.request
from pathlib import Path
import common
from common import (
    ACCESS_KEY, BENCH, FAKECLOUD, LOADGEN, PASSWORD_BOUND, SECRET_KEY, fmt_ms, free_port, kib,
    loadgen, log,
)


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
                str(common.COGNATE), "serve",
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
