"""HTTP servers side by side, over the network with wrk: the read path as a visitor meets it.

Run with `make bench` (or `.venv/bin/python -m bench.servers`); needs `wrk`, and `nginx` for
the static-copy reference (both skipped with a note when absent). It loads the demo data
into a scratch SQLite database, then for each server (uvicorn with httptools and uvloop;
granian) serves the app in one process, no access log, and measures with
`wrk -t1 -c32 -d5s` and `Accept-Encoding: gzip`:
- `/livez` (the server and framework alone) and `/`, the customer page, `summary.json` and
  `feed.atom` (each against `/livez` in the same run: target 0.9);
- nginx serving the static copy's `index.html` precompressed (`gzip_static`), one worker:
  target for `/`, 0.2 of it.
Each line prints the figure, the reference measured in the same run, the ratio and the
target. `BENCH_SECONDS` changes the duration of each wrk run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
PY = sys.executable
BIN = Path(PY).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.1)


def wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c32", f"-d{SECONDS}s", "-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def server_command(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            str(BIN / "uvicorn"),
            "--factory",
            "app.asgi:create_app",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    return [
        str(BIN / "granian"),
        "--interface",
        "asgi",
        "--factory",
        "app.asgi:create_app",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def row(what: str, figure: float, reference_name: str, reference: float, target: float) -> str:
    ratio = figure / reference
    verdict = "met" if ratio >= target else f"MISSED by {target - ratio:.2f}"
    return (
        f"{what:<34} {figure:>9,.0f} req/s   {reference_name:<22} {reference:>9,.0f} req/s"
        f"   ratio {ratio:4.2f}   target {target:.2f}  {verdict}"
    )


def main() -> None:
    if not shutil.which("wrk"):
        print("wrk is not installed: nothing measured (apt-get install wrk)")
        return
    work = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    work.chmod(0o755)  # nginx's workers run as another user
    try:
        measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work: Path) -> None:
    env = {
        **os.environ,
        "TIDINGS_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
        "TIDINGS_RUN_WORKER": "0",
        "TIDINGS_EMAIL_BACKEND": "console",
    }
    subprocess.run([PY, "-m", "app.cli", "migrate"], env=env, check=True, capture_output=True)
    demo = subprocess.run(
        [PY, "-m", "app.cli", "demo"], env=env, check=True, capture_output=True, text=True
    ).stdout
    customer = re.search(r"(/c/[A-Za-z0-9_-]+)", demo).group(1)  # type: ignore[union-attr]
    copy = work / "copy"
    subprocess.run(
        [PY, "-m", "app.cli", "export", str(copy)], env=env, check=True, capture_output=True
    )

    print(f"wrk -t1 -c32 -d{SECONDS}s, Accept-Encoding: gzip, one process each, demo data")
    figures: dict[str, dict[str, float]] = {}
    for server in ("uvicorn", "granian"):
        port = free_port()
        process = subprocess.Popen(server_command(server, port), env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(f"{base}/livez")
            paths = {
                "/livez": "/livez",
                "/": "/",
                "customer page": f"{customer}/",
                "summary.json": "/api/v2/summary.json",
                "feed.atom": "/feed.atom",
            }
            for path in paths.values():  # rendered and cached before measuring
                urllib.request.urlopen(base + path, timeout=10).read()
            # Each page right after its own /livez run: the machine may be shared, and a
            # reference taken minutes apart would measure the neighbours, not the page.
            figures[server] = {}
            print(f"\n{server}")
            for name, path in paths.items():
                if name == "/livez":
                    continue
                livez = wrk(base + "/livez")
                figure = wrk(base + path)
                figures[server][name] = figure
                figures[server].setdefault("/livez", livez)
                print(row(f"{server} {name}", figure, "/livez", livez, 0.9))
        finally:
            process.terminate()
            process.wait(timeout=30)

    best = max(figures, key=lambda s: figures[s]["/"])
    print(
        f"\nfaster on /: {best} ({figures[best]['/']:,.0f} vs "
        f"{min(f['/'] for f in figures.values()):,.0f} req/s)"
    )

    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        print("nginx is not installed: no static-copy reference (apt-get install nginx-light)")
        return
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(
        f"""worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp;
    fastcgi_temp_path {work}/tmp; uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
    include /etc/nginx/mime.types;
    server {{
        listen 127.0.0.1:{port};
        root {copy};
        gzip_static on;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""
    )
    (work / "tmp").mkdir(exist_ok=True)
    process = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
    try:
        wait_up(f"http://127.0.0.1:{port}/index.html")
        static = wrk(f"http://127.0.0.1:{port}/index.html")
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"\nnginx, static copy index.html (gzip_static), 1 worker: {static:,.0f} req/s")
    for server in figures:
        print(row(f"{server} /", figures[server]["/"], "nginx index.html", static, 0.2))


if __name__ == "__main__":
    main()
