"""Start N replicas of the dashboard and nginx in front of them, on this machine.

Each replica is its own `streamlit run` process with its own cache (one process is about
one core: Python's GIL), on a loopback port; all share one `server.cookieSecret`, given as
ATLAS_COOKIE_SECRET or generated once into a file outside git (`.cache/deploy/cookie_secret`,
mode 600). Replicas must answer /_stcore/health before nginx starts (open-source nginx only
checks passively). Ctrl-C (or SIGTERM) stops nginx, then every replica.

    python -m deploy.replicas --replicas 2 --port 8080       # http://127.0.0.1:8080
    python -m deploy.replicas --replicas 2 --database-url postgresql+psycopg://atlas@db/atlas

The data: the bundled files (or --data-dir), or the team database (--database-url, else
ATLAS_DATABASE_URL from the environment), whose URL every replica gets in its environment:
replicas then hold no copy of the files, each keys its caches on the database's dataset
version, and a teammate's change shows on the next rerun of every replica.

The nginx configuration is deploy/nginx.conf.template (sticky sessions, WebSocket upgrade).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from atlas.db import URL_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
SECRET_FILE = ROOT / ".cache" / "deploy" / "cookie_secret"
# What a deployment runs with, whatever .streamlit/config.toml says for development:
# no file watching (it costs CPU on every run and nothing changes the code under a server)
SERVER_FLAGS = ("--server.fileWatcherType", "none", "--server.runOnSave", "false")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cookie_secret(path: Path = SECRET_FILE) -> str:
    """The secret every replica shares: ATLAS_COOKIE_SECRET, else the one in `path`
    (written once, readable by its owner only)."""
    if os.environ.get("ATLAS_COOKIE_SECRET"):
        return os.environ["ATLAS_COOKIE_SECRET"]
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
    return value


def render_nginx(listen: str, ports: list[int], runtime: Path) -> str:
    """nginx.conf for replicas on 127.0.0.1:`ports`, listening on `listen` ("127.0.0.1:8080"),
    with its pid, logs and temp files under `runtime`."""
    if not ports:
        raise ValueError("at least one replica")
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=2 fail_timeout=10s;" for port in ports
    )
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {"SERVERS": servers, "LISTEN": listen, "RUNTIME": str(runtime)}.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    """Until `url`/_stcore/health answers 200 (or the process ended, or `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy")
        time.sleep(0.3)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Cluster:
    """What `serving` started: the URL to open, the replicas' URLs and processes."""

    url: str
    replica_urls: list[str]
    processes: list[subprocess.Popen] = field(default_factory=list)  # replicas
    nginx: subprocess.Popen | None = None
    runtime: Path | None = None

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def streamlit_command(script: str, port: int, *flags: str) -> list[str]:
    """The command line of one headless `streamlit run` on loopback `port` (a replica, the
    browser tests' server)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        *flags,
    ]


@contextmanager
def replica(
    port: int, env: dict[str, str], log: Path, script: str = "serve.py"
) -> Iterator[subprocess.Popen]:
    """One replica: `serve.py` (the app with its /oembed route, as `make run` starts it)."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            streamlit_command(script, port, *SERVER_FLAGS),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        stop(proc)


@contextmanager
def serving(
    replicas: int = 2,
    port: int | None = None,
    proxy: bool = True,
    data_dir: Path | None = None,
    runtime: Path | None = None,
    database_url: str | None = None,
) -> Iterator[Cluster]:
    """Start `replicas` processes (and nginx on `port` when `proxy`); stop all afterwards.
    Without the proxy the cluster's URL is the first replica's. `database_url`: the team
    database every replica reads (ATLAS_DATABASE_URL in its environment; without it the
    replicas inherit this process's environment, that variable included)."""
    if proxy and shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise RuntimeError("nginx is not installed: `make nginx` (Debian package nginx-light)")
    with ExitStack() as stack:
        if runtime is None:
            runtime = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-")))
        runtime.chmod(0o755)  # nginx's workers (user nobody under root) write temp files here
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret(),
        }
        if data_dir:
            env["ATLAS_DATA_DIR"] = str(data_dir)
        if database_url:
            env[URL_VARIABLE] = database_url
        ports = [free_port() for _ in range(replicas)]
        procs = [stack.enter_context(replica(p, env, runtime / f"replica-{p}.log")) for p in ports]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for url, proc in zip(urls, procs, strict=True):
            try:
                wait_healthy(url, proc)
            except RuntimeError as exc:
                log = (runtime / f"replica-{url.rsplit(':', 1)[1]}.log").read_text(errors="replace")
                raise RuntimeError(f"{exc}:\n{log[-3000:]}") from None
        cluster = Cluster(urls[0], urls, procs, runtime=runtime)
        if proxy:
            port = port or free_port()
            conf = runtime / "nginx.conf"
            conf.write_text(render_nginx(f"127.0.0.1:{port}", ports, runtime), encoding="utf-8")
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            proc = subprocess.Popen(
                [nginx, "-p", str(runtime), "-c", str(conf), "-e", str(runtime / "error.log")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, proc, signal.SIGQUIT)  # graceful: finish open requests
            cluster.url, cluster.nginx = f"http://127.0.0.1:{port}", proc
            try:
                wait_healthy(cluster.url, proc, timeout=20)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}:\n{(runtime / 'error.log').read_text()}") from None
        yield cluster


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--data-dir", type=Path, help="the data folder (default: bundled)")
    data.add_argument(
        "--database-url",
        default=os.environ.get(URL_VARIABLE) or None,
        help=f"the team database, a SQLAlchemy URL (default: {URL_VARIABLE}); "
        "`python -m atlas.db upgrade` and `import` first",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly, like Ctrl-C
    with serving(
        args.replicas, args.port, data_dir=args.data_dir, database_url=args.database_url
    ) as cluster:
        data = "the team database" if args.database_url else args.data_dir or "the bundled data"
        urls = ", ".join(cluster.replica_urls)
        print(f"{args.replicas} replicas ({urls}) on {data}, behind nginx:")
        print(f"  {cluster.url}   (Ctrl-C stops all; logs in {cluster.runtime})", flush=True)
        try:
            while all(p.poll() is None for p in [*cluster.processes, cluster.nginx]):
                time.sleep(1)
            print("a process ended: stopping all", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
