"""Run N replicas of the dashboard behind nginx, all reading and writing one store.

    python deploy/run_replicas.py --replicas 3 --port 8080            # or: make replicas N=3 PORT=8080
    python deploy/run_replicas.py --replicas 2 --host 0.0.0.0 --port 443 --http-port 80 \
        --tls-cert /etc/ssl/dti/fullchain.pem --tls-key /etc/ssl/dti/privkey.pem --store /srv/dti-store

Each replica is `streamlit run serve.py` (the dashboard and its sign-in routes) on a free loopback port; nginx (Debian's package)
listens on --port and keeps each browser on one replica (deploy/nginx.conf.template says how).
nginx runs with its own prefix folder (--runtime-dir, default a new temporary folder): its
config, pid, logs and temporary files live there, so no root and no /etc/nginx are needed.
The replicas' logs are there too, and `replicas.json` (ports, pids) once everything answers.

Passwords and session cookies cross the network, so plain HTTP is served on a loopback
address only: to listen on a network address, give a certificate and its key (--tls-cert,
--tls-key; PEM files, the certificate with its chain). nginx then speaks https on --port
(default 443), sends a plain-HTTP request on that port to https, and with --http-port also
listens there for plain HTTP only to redirect it. The config is checked (`nginx -t`) before
anything starts.

Ctrl-C or SIGTERM stops nginx and every replica; a replica that dies is reported and nginx
sends its browsers to the others. The store ($DTI_STORE or --store) must be one directory
that every replica sees (see README, "Several replicas").
"""
from __future__ import annotations

import argparse
import ctypes
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's modules sit beside deploy/
    sys.path.insert(0, str(ROOT))

from deploy.postgres_cluster import Cluster  # noqa: E402 (after the path above)
from queries.store.postgres import server_name  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
STOP_SECONDS = 10
# Characters nginx would read as syntax or as a variable inside a quoted path.
UNSAFE_IN_PATH = re.compile(r'["\\$;{}\s]')


@dataclass(frozen=True)
class Tls:
    """A certificate (PEM, with its chain) and its private key, as absolute paths."""

    certificate: Path
    key: Path


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop everything we started."""


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen
    log: Path
    reported: bool = False

    @property
    def label(self) -> str:
        """How messages name it: 'nginx', 'bản chạy r1'."""
        return self.name if self.name == "nginx" else f"bản chạy {self.name}"


def free_ports(count: int) -> list[int]:
    """Ports the kernel gives out now; held together so no two are the same."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_taken(host: str, port: int) -> bool:
    """Whether nginx would fail to listen there (it sets SO_REUSEADDR too)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def find_nginx(explicit: str | None) -> str | None:
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    # Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address(host: str, port: int) -> str:
    """host:port as nginx's `listen` and a URL write it ([::1]:8080 for IPv6)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def tls_lines(tls: Tls) -> str:
    return "\n".join((
        f'        ssl_certificate     "{tls.certificate}";',
        f'        ssl_certificate_key "{tls.key}";',
        "        ssl_protocols TLSv1.2 TLSv1.3;",
        "        ssl_session_cache shared:dti_tls:10m;",
        "        ssl_session_timeout 1d;",
        "        # A plain-HTTP request on this port (nginx's code 497): the same address over https.",
        "        error_page 497 =301 https://$host:$server_port$request_uri;",
    ))


def redirect_server(listen: str, https_port: int) -> str:
    port = "" if https_port == 443 else f":{https_port}"
    return "\n".join((
        "    # Plain HTTP, only to send browsers to https.",
        "    server {",
        f"        listen {listen};",
        f"        return 301 https://$host{port}$request_uri;",
        "    }",
    ))


def render_config(listen: str, runtime_dir: Path, replica_ports: list[int], tls: Tls | None = None,
                  redirect_listen: str | None = None) -> str:
    """nginx.conf from the template. `listen` is host:port; with `tls` that port speaks https,
    and `redirect_listen` (host:port) is a plain-HTTP server that redirects to it."""
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in replica_ports)
    https_port = int(listen.rsplit(":", 1)[1])
    values = {
        "listen": f"{listen} ssl" if tls else listen,
        "runtime_dir": str(runtime_dir),
        "upstream_servers": servers,
        "tls": tls_lines(tls) if tls else "",
        "cookie_secure": "; Secure" if tls else "",
        "http_redirect": redirect_server(redirect_listen, https_port) if tls and redirect_listen else "",
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE.read_text(encoding="utf-8"))


def healthy(url: str) -> bool:
    # Our own nginx on this machine: its certificate may be for a name, not for 127.0.0.1.
    context = ssl._create_unverified_context() if url.startswith("https:") else None  # noqa: S323
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1, context=context) as response:
            return response.status == 200
    except OSError:
        return False


def _die_with_parent() -> None:
    """Runs in the child before exec: if this script is killed outright (SIGKILL), the child
    gets SIGTERM instead of living on as an orphan holding its port."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:
        # Own session: a Ctrl-C in the terminal reaches only this script, which then stops
        # the children in order instead of all of them racing to quit.
        return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent)  # noqa: PLW1509 (this script has one thread)


def stop_all(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()  # nginx: fast shutdown; streamlit: closes its sessions
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python deploy/run_replicas.py",
                                     description="Chạy nhiều bản bảng điều khiển sau nginx, dùng chung một kho dữ liệu.")
    parser.add_argument("--replicas", "-n", type=int, default=2, help="số bản chạy Streamlit (mặc định 2)")
    parser.add_argument("--port", type=int, help="cổng nginx nhận người dùng (mặc định 8080; 443 khi có chứng chỉ TLS)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="địa chỉ nginx lắng nghe (mặc định 127.0.0.1; 0.0.0.0 để mở cho mạng, cần chứng chỉ TLS)")
    parser.add_argument("--tls-cert", help="tệp chứng chỉ TLS (PEM, kèm chuỗi chứng chỉ): nginx phục vụ https")
    parser.add_argument("--tls-key", help="tệp khóa riêng của chứng chỉ TLS (PEM)")
    parser.add_argument("--http-port", type=int,
                        help="cổng HTTP thường chỉ để chuyển người dùng sang https (ví dụ 80; cần chứng chỉ TLS)")
    parser.add_argument("--store", help="thư mục kho dữ liệu dùng chung (mặc định DTI_STORE hoặc ./store)")
    parser.add_argument("--runtime-dir", help="thư mục cho cấu hình, pid và nhật ký của nginx và các bản chạy "
                                              "(mặc định: một thư mục tạm mới)")
    parser.add_argument("--nginx", help="đường dẫn tới nginx (mặc định: tìm trong PATH, rồi /usr/sbin/nginx)")
    parser.add_argument("--timeout", type=float, default=90, help="số giây chờ mọi bản chạy sẵn sàng (mặc định 90)")
    parser.add_argument("--database-url", default=os.environ.get("DTI_DATABASE_URL") or None,
                        help="dữ liệu dùng chung trong PostgreSQL (mặc định DTI_DATABASE_URL; không có: kho tệp)")
    parser.add_argument("--postgres", action="store_true",
                        help="không có --database-url: tự chạy một cụm PostgreSQL (gói postgresql của Debian) "
                             "trong thư mục chạy, dừng cùng các bản chạy")
    parser.add_argument("--separate-folders", action="store_true",
                        help="mỗi bản chạy một thư mục riêng (chỉ với PostgreSQL): chỉ cơ sở dữ liệu là dùng chung")
    args = parser.parse_args(argv)
    if args.separate_folders and not (args.database_url or args.postgres):
        parser.error("--separate-folders cần PostgreSQL (--database-url hoặc --postgres): kho tệp phải là một thư mục chung")
    if args.replicas < 1:
        parser.error("--replicas phải từ 1 trở lên")
    if args.port is None:
        args.port = 443 if args.tls_cert else 8080
    return args


def tls_problem(args: argparse.Namespace) -> str | None:
    """Why the TLS options cannot be used (in Vietnamese), or None; sets args.tls."""
    args.tls = None
    if bool(args.tls_cert) != bool(args.tls_key):
        return "--tls-cert và --tls-key phải đi cùng nhau: chứng chỉ và khóa riêng của nó."
    if not args.tls_cert:
        if args.http_port is not None:
            return "--http-port chỉ dùng kèm chứng chỉ TLS (cổng đó chỉ chuyển người dùng sang https)."
        if not is_loopback(args.host):
            return (f"không mở HTTP không mã hóa trên {args.host}: mật khẩu và phiên đăng nhập sẽ đi qua mạng không "
                    "được bảo vệ. Hãy cho chứng chỉ TLS bằng --tls-cert và --tls-key (README, mục “Several replicas”), "
                    "hoặc giữ --host 127.0.0.1.")
        return None
    paths = []
    for option, given in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        path = Path(given).resolve()
        if UNSAFE_IN_PATH.search(str(path)):
            return f"đường dẫn {option} “{path}” có dấu cách hoặc ký tự \" \\ $ ; {{ }}: hãy đặt tệp ở thư mục khác."
        if not path.is_file() or not os.access(path, os.R_OK):
            return f"không đọc được tệp {option} “{path}”."
        paths.append(path)
    args.tls = Tls(*paths)
    return None


def check_config(nginx: str, runtime: Path, config: Path) -> str | None:
    """`nginx -t` on the config: None when nginx accepts it, else what nginx said."""
    done = subprocess.run([nginx, "-t", "-q", "-p", str(runtime), "-c", str(config), "-e", str(runtime / "error.log")],
                          capture_output=True, text=True, timeout=30)
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def start_replicas(ports: list[int], runtime: Path, env: dict[str, str],
                   folders: list[Path] | None = None) -> list[Child]:
    """One `streamlit run serve.py` per port; with `folders`, each with a local folder of its own."""
    replicas = []
    for number, port in enumerate(ports, start=1):
        name = f"r{number}"
        own = {"DTI_STORE": str(folders[number - 1])} if folders else {}
        command = [sys.executable, "-m", "streamlit", "run", "serve.py",
                   "--server.address", "127.0.0.1", "--server.port", str(port),
                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none"]
        log = runtime / f"replica-{name}.log"
        # DTI_REPLICA names the process for whoever reads its environment or logs.
        replicas.append(Child(name, port, start(command, log, {**env, **own, "DTI_REPLICA": name}), log))
    return replicas


def write_config(runtime: Path, listen: str, replica_ports: list[int], tls: Tls | None,
                 redirect_listen: str | None) -> Path:
    config = runtime / "nginx.conf"
    config.write_text(render_config(listen, runtime, replica_ports, tls, redirect_listen), encoding="utf-8")
    return config


def start_nginx(nginx: str, runtime: Path, config: Path, env: dict[str, str]) -> Child:
    # -e: the error log before the config is read (Debian's default is /var/log/nginx, root only).
    command = [nginx, "-p", str(runtime), "-c", str(config), "-e", str(runtime / "error.log"), "-g", "daemon off;"]
    return Child("nginx", 0, start(command, runtime / "nginx.out", env), runtime / "error.log")


def wait_ready(url: str, replicas: list[Child], proxy: Child, timeout: float) -> str | None:
    """None once every replica and nginx answer; otherwise what went wrong, in Vietnamese."""
    waiting = list(replicas)
    deadline = time.monotonic() + timeout
    while waiting or not healthy(url):
        for child in (*replicas, proxy):
            if child.process.poll() is not None:
                return (f"{child.label} dừng khi đang khởi động (mã thoát {child.process.returncode}). "
                        f"Nhật ký {child.log}:\n{tail(child.log)}")
        waiting = [r for r in waiting if not healthy(f"http://127.0.0.1:{r.port}")]
        if time.monotonic() > deadline:
            return f"sau {timeout:.0f} giây vẫn chưa sẵn sàng: {', '.join(c.label for c in waiting) or 'nginx'}."
        time.sleep(0.2)
    return None


def supervise(replicas: list[Child], proxy: Child) -> int:
    """Until a signal: report replicas that die (nginx routes around them); give up only when
    nginx or every replica is gone."""
    while True:
        time.sleep(0.5)
        if proxy.process.poll() is not None:
            print(f"Lỗi: nginx đã dừng (mã thoát {proxy.process.returncode}):\n{tail(proxy.log)}", file=sys.stderr)
            return 1
        for replica in replicas:
            if replica.process.poll() is not None and not replica.reported:
                replica.reported = True
                print(f"Cảnh báo: {replica.label} (cổng {replica.port}) đã dừng, mã thoát {replica.process.returncode}; "
                      f"nginx chuyển người dùng sang các bản còn lại. Nhật ký: {replica.log}", file=sys.stderr, flush=True)
        if all(r.reported for r in replicas):
            print("Lỗi: mọi bản chạy đều đã dừng.", file=sys.stderr)
            return 1


def write_state(runtime: Path, state: dict) -> None:
    """replicas.json: ports and pids, for tests and tools; appears only once all is ready."""
    tmp = runtime / "replicas.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(runtime / "replicas.json")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    nginx = find_nginx(args.nginx)
    if nginx is None:
        print("Lỗi: chưa cài nginx. Cài bằng `apt-get install -y nginx` (lệnh `make replicas` tự cài).",
              file=sys.stderr)
        return 2
    problem = tls_problem(args)
    if problem:
        print(f"Lỗi: {problem}", file=sys.stderr)
        return 2
    if port_taken(args.host, args.port):
        print(f"Lỗi: cổng {args.port} đang có chương trình khác dùng; chọn cổng khác bằng --port.", file=sys.stderr)
        return 2
    if args.http_port is not None and (args.http_port == args.port or port_taken(args.host, args.http_port)):
        print(f"Lỗi: cổng {args.http_port} đang có chương trình khác dùng; chọn cổng khác bằng --http-port.",
              file=sys.stderr)
        return 2

    if args.runtime_dir:
        runtime = Path(args.runtime_dir).resolve()
        runtime.mkdir(parents=True, exist_ok=True)
    else:
        runtime = Path(tempfile.mkdtemp(prefix="dti-replicas-"))
    (runtime / "tmp").mkdir(exist_ok=True)
    (runtime / "replicas.json").unlink(missing_ok=True)
    store = Path(args.store or os.environ.get("DTI_STORE") or ROOT / "store").resolve()
    store.mkdir(parents=True, exist_ok=True)
    # nginx in front is the one proxy whose X-Forwarded-For the sign-in throttle may believe:
    # without it every visitor would look like 127.0.0.1, and no address would be throttled.
    env = {**os.environ, "DTI_STORE": str(store), "DTI_TRUSTED_PROXIES": "127.0.0.1,::1"}
    # Streamlit signs its own session cookies with this secret (server.cookieSecret): the same
    # one on every replica keeps them valid when nginx moves a browser. st.login's cookie is
    # signed with [auth].cookie_secret of .streamlit/secrets.toml instead, which every replica
    # reads from the same file. Never printed.
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    cluster = None

    def on_signal(signum, _frame):
        # Once only: a second Ctrl-C must not interrupt the clean-up half way.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stop(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    children: list[Child] = []
    try:
        replica_ports = free_ports(args.replicas)
        redirect = address(args.host, args.http_port) if args.http_port is not None else None
        config = write_config(runtime, address(args.host, args.port), replica_ports, args.tls, redirect)
        problem = check_config(nginx, runtime, config)
        if problem:
            print(f"Lỗi: nginx không nhận cấu hình {config}:\n{problem}", file=sys.stderr)
            return 2
        url_of_database = args.database_url
        if args.postgres and not url_of_database:
            cluster = Cluster(runtime / "postgres")
            cluster.init()
            cluster.start()
            url_of_database = cluster.create_database("dti")
        folders = None
        if url_of_database:
            # The URL (its password too) goes to the replicas' environment only, never printed.
            env["DTI_DATABASE_URL"] = url_of_database
            problem = database_problem(url_of_database)
            if problem:
                print(f"Lỗi: {problem}", file=sys.stderr)
                return 2
            if args.separate_folders:
                folders = [runtime / f"store-r{n}" for n in range(1, args.replicas + 1)]
                for folder in folders:
                    folder.mkdir(parents=True, exist_ok=True)
        replicas = start_replicas(replica_ports, runtime, env, folders)
        children += replicas
        proxy = start_nginx(nginx, runtime, config, env)
        children.append(proxy)
        scheme = "https" if args.tls else "http"
        url = f"{scheme}://{address('127.0.0.1' if args.host in ('0.0.0.0', '::', '') else args.host, args.port)}"
        problem = wait_ready(url, replicas, proxy, args.timeout)
        if problem:
            print(f"Lỗi: {problem}", file=sys.stderr)
            return 1
        ready_seconds = time.monotonic() - started
        write_state(runtime, {
            "url": url, "store": str(store), "runtime_dir": str(runtime), "ready_seconds": round(ready_seconds, 2),
            "database": server_name(url_of_database) if url_of_database else None,
            "folders": [str(f) for f in folders] if folders else [str(store)] * len(replicas),
            "nginx": {"pid": proxy.process.pid, "access_log": str(runtime / "access.log")},
            "replicas": [{"name": r.name, "port": r.port, "pid": r.process.pid, "log": str(r.log)}
                         for r in replicas],
        })
        ports = ", ".join(f"{r.name} → 127.0.0.1:{r.port}" for r in replicas)
        if url_of_database:
            shared = f"cơ sở dữ liệu: PostgreSQL {server_name(url_of_database)}" + (
                ", mỗi bản chạy một thư mục riêng" if folders else f", thư mục {store}")
        else:
            shared = f"kho dữ liệu: {store}"
        print(f"Sẵn sàng sau {ready_seconds:.1f} giây: {url}\n"
              f"  {len(replicas)} bản chạy: {ports}\n"
              f"  {shared}\n"
              f"  nhật ký: {runtime}\n"
              "Nhấn Ctrl-C để dừng.", flush=True)
        return supervise(replicas, proxy)
    except Stop:
        print("Đang dừng nginx và các bản chạy…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(children)
        if cluster is not None:
            cluster.stop("fast")


def database_problem(url: str) -> str | None:
    """Why the replicas could not use this database (in Vietnamese), or None; also creates or
    migrates its schema once, before several replicas start at the same moment."""
    from queries.store.postgres import DatabaseUnavailable, close_pools, pool

    try:
        pool(url)
    except DatabaseUnavailable as problem:
        return problem.message
    finally:
        close_pools()
    return None


if __name__ == "__main__":
    sys.exit(main())
