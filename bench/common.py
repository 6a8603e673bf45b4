"""What every part of the benchmark shares: paths, the servers and workloads, the load
generator's keys, and small helpers (logging, ports, /proc, running the load generator).
"""

import json
import os
import socket
import subprocess
import time
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


def fmt_ms(v) -> str:
    if v is None:
        return "-"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def kib(v) -> str:
    return "-" if v is None else f"{v / 1024:.1f} MB"


def sh(*cmd: str, cwd=None) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd,
                              timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
