"""deploy/: the nginx configuration for replicas (rendered, checked by `nginx -t`, and its
routing tried against two stub upstreams on loopback) and the shared cookie secret. The full
app behind nginx is tests/browser/test_replicas.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from deploy import replicas
from deploy.replicas import cookie_secret, free_port, render_nginx, wait_healthy

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(
    NGINX is None and not os.environ.get("CI"),
    reason="nginx not installed: `make nginx` (run by `make test`) installs Debian's nginx-light",
)


def test_rendered_config_names_every_replica_and_leaves_no_placeholder(tmp_path):
    text = render_nginx("127.0.0.1:8080", [9001, 9002, 9003], tmp_path)
    assert "@@" not in text
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", text) == ["9001", "9002", "9003"]
    assert "listen 127.0.0.1:8080;" in text
    assert f"pid {tmp_path}/nginx.pid;" in text


@pytest.mark.parametrize(
    "directive",
    [
        "hash $atlas_route consistent;",  # sticky: a tab, its uploads and downloads
        "proxy_set_header Upgrade $http_upgrade;",  # the WebSocket
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_set_header Host $http_host;",  # Streamlit checks Origin against Host
        "proxy_read_timeout 1d;",  # an idle tab stays connected
        "proxy_next_upstream error timeout http_502 http_503;",  # passive health checks
    ],
)
def test_rendered_config_has(directive, tmp_path):
    assert directive in render_nginx("127.0.0.1:8080", [9001], tmp_path)


def test_no_replica_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="at least one replica"):
        render_nginx("127.0.0.1:8080", [], tmp_path)


def test_cookie_secret_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_COOKIE_SECRET", "from-env")
    assert cookie_secret(tmp_path / "secret") == "from-env"
    assert not (tmp_path / "secret").exists()


def test_cookie_secret_is_generated_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_COOKIE_SECRET", raising=False)
    path = tmp_path / "deploy" / "cookie_secret"
    first = cookie_secret(path)
    assert len(first) == 64 and path.stat().st_mode & 0o777 == 0o600
    assert cookie_secret(path) == first


def test_secret_file_is_outside_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(replicas.SECRET_FILE)], cwd=replicas.ROOT, check=False
    )
    assert ignored.returncode == 0


class _Stub(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    """nginx (the rendered config) in front of two stub upstreams that answer their port."""
    if NGINX is None:
        pytest.fail("nginx is not installed: `make nginx` installs it")
    stubs = [ThreadingHTTPServer(("127.0.0.1", 0), _Stub) for _ in range(2)]
    for stub in stubs:
        threading.Thread(target=stub.serve_forever, daemon=True).start()
    ports = [s.server_address[1] for s in stubs]
    tmp_path.chmod(0o755)
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx(f"127.0.0.1:{port}", ports, tmp_path), encoding="utf-8")
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")]
    )
    wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=20)  # stubs answer 200 to all
    yield f"http://127.0.0.1:{port}", stubs
    proc.send_signal(signal.SIGQUIT)
    proc.wait(timeout=10)
    for stub in stubs:
        stub.shutdown()
        stub.server_close()


def get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    headers = {"Cookie": f"atlas_route={cookie}"} if cookie else {}
    with urlopen(Request(url, headers=headers), timeout=10) as r:  # noqa: S310 - loopback
        return r.read().decode(), r.headers.get("Set-Cookie")


@needs_nginx
def test_first_response_sets_a_random_route_cookie_and_later_ones_do_not(proxy):
    url, _ = proxy
    _, first = get(url + "/")
    _, second = get(url + "/")
    assert first and first.startswith("atlas_route=") and "HttpOnly" in first
    assert first != second  # random per browser, not per address
    cookie = first.split(";")[0].split("=", 1)[1]
    assert get(url + "/", cookie)[1] is None


@needs_nginx
def test_a_cookie_keeps_every_request_on_one_upstream_and_cookies_spread(proxy):
    url, stubs = proxy
    routes = {}
    for i in range(40):
        answers = {get(f"{url}/media/{j}.zip", f"viewer-{i}")[0] for j in range(3)}
        assert len(answers) == 1  # the WebSocket, /media/ and uploads of a tab: one replica
        routes[i] = answers.pop()
    assert set(routes.values()) == {str(s.server_address[1]) for s in stubs}


@needs_nginx
def test_without_cookie_the_address_is_the_key(proxy):
    url, _ = proxy
    assert len({get(f"{url}/x")[0] for _ in range(10)}) == 1


@needs_nginx
def test_a_stopped_upstream_is_skipped(proxy):
    url, stubs = proxy
    cookies = [f"viewer-{i}" for i in range(20)]
    before = {c: get(url + "/", c)[0] for c in cookies}
    gone = stubs[0]
    gone.shutdown()
    gone.server_close()
    after = {c: get(url + "/", c)[0] for c in cookies}
    assert set(after.values()) == {str(stubs[1].server_address[1])}
    kept = [c for c in cookies if before[c] != str(gone.server_address[1])]
    assert kept and all(after[c] == before[c] for c in kept)  # the others did not move


def test_readme_commands_for_many_viewers_parse():
    """Docs are code: every `python -m deploy.replicas|bench.load…` line of the README's
    "Serving many viewers" section is accepted by the command it names."""
    import shlex

    from bench import load

    text = (replicas.ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Serving many viewers", 1)[1].split("\n## ", 1)[0]
    parsers = {"deploy.replicas": replicas.build_parser(), "bench.load": load.build_parser()}
    seen = set()
    for line in section.splitlines():
        words = shlex.split(line.split("#", 1)[0]) if "python -m " in line else []
        if len(words) > 2 and words[2] in parsers:
            parsers[words[2]].parse_args(words[3:])
            seen.add(words[2])
    assert seen == set(parsers)


def test_team_database_readme_starts_replicas_on_the_database(monkeypatch):
    """The "Team database: replicas" command names the database, and parses."""
    import shlex

    text = (replicas.ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Team database: replicas", 1)[1].split("\n#", 1)[0]
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql+psycopg://atlas@db/atlas")
    lines = [line for line in section.splitlines() if "python -m deploy.replicas" in line]
    assert lines
    for line in lines:
        words = shlex.split(line.split("#", 1)[0], posix=True)
        args = replicas.build_parser().parse_args(
            [
                w.replace("$ATLAS_DATABASE_URL", "postgresql+psycopg://atlas@db/atlas")
                for w in words[3:]
            ]
        )
        assert args.database_url == "postgresql+psycopg://atlas@db/atlas"


def test_database_url_defaults_to_the_environment_and_excludes_a_data_folder(monkeypatch):
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql+psycopg://team@/atlas")
    assert replicas.build_parser().parse_args([]).database_url == "postgresql+psycopg://team@/atlas"
    monkeypatch.delenv("ATLAS_DATABASE_URL")
    assert replicas.build_parser().parse_args([]).database_url is None
    with pytest.raises(SystemExit):
        replicas.build_parser().parse_args(["--data-dir", "x", "--database-url", "y"])


def test_every_replica_gets_the_database_url_and_one_cookie_secret(monkeypatch, tmp_path):
    """serving() hands each replica ATLAS_DATABASE_URL and the shared cookie secret (the
    replicas themselves are stood in for: the browser test starts real ones)."""
    from contextlib import contextmanager

    from atlas.db import URL_VARIABLE

    envs = []

    class Running:
        pid = 0

        def poll(self):
            return None

    @contextmanager
    def fake_replica(port, env, log, script="serve.py"):
        envs.append(env)
        yield Running()

    monkeypatch.setattr(replicas, "replica", fake_replica)
    monkeypatch.setattr(replicas, "wait_healthy", lambda *a, **k: None)
    monkeypatch.setenv("ATLAS_COOKIE_SECRET", "shared")
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    url = "postgresql+psycopg://atlas@/atlas?host=/tmp/sock"
    with replicas.serving(3, proxy=False, runtime=tmp_path, database_url=url) as cluster:
        assert len(cluster.replica_urls) == 3
    assert [e[URL_VARIABLE] for e in envs] == [url] * 3
    assert {e["STREAMLIT_SERVER_COOKIE_SECRET"] for e in envs} == {"shared"}
    envs.clear()
    with replicas.serving(1, proxy=False, runtime=tmp_path):
        pass
    assert URL_VARIABLE not in envs[0]  # the files, unless this process has the variable
