"""Run N replicas of the dashboard behind nginx, all reading and writing one store.

    python deploy/run_replicas.py --replicas 3 --port 8080            # or: make replicas N=3 PORT=8080
    python deploy/run_replicas.py --replicas 2 --port 8080 --host 0.0.0.0 --store /srv/dti-store

Each replica is `streamlit run dashboard.py` on a free loopback port; nginx (Debian's package)
listens on --port and keeps each browser on one replica (deploy/nginx.conf.template says how).
nginx runs with its own prefix folder (--runtime-dir, default a new temporary folder): its
config, pid, logs and temporary files live there, so no root and no /etc/nginx are needed.
The replicas' logs are there too, and `replicas.json` (ports, pids) once everything answers.

Ctrl-C or SIGTERM stops nginx and every replica; a replica that dies is reported and nginx
sends its browsers to the others. The store ($DTI_STORE or --store) must be one directory
that every replica sees (see README, "Several replicas").
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
STOP_SECONDS = 10


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


def render_config(listen: str, runtime_dir: Path, replica_ports: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in replica_ports)
    values = {"listen": listen, "runtime_dir": str(runtime_dir), "upstream_servers": servers}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE.read_text(encoding="utf-8"))


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
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
    parser.add_argument("--port", type=int, default=8080, help="cổng nginx nhận người dùng (mặc định 8080)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="địa chỉ nginx lắng nghe (mặc định 127.0.0.1; 0.0.0.0 để mở cho mạng nội bộ)")
    parser.add_argument("--store", help="thư mục kho dữ liệu dùng chung (mặc định DTI_STORE hoặc ./store)")
    parser.add_argument("--runtime-dir", help="thư mục cho cấu hình, pid và nhật ký của nginx và các bản chạy "
                                              "(mặc định: một thư mục tạm mới)")
    parser.add_argument("--nginx", help="đường dẫn tới nginx (mặc định: tìm trong PATH, rồi /usr/sbin/nginx)")
    parser.add_argument("--timeout", type=float, default=90, help="số giây chờ mọi bản chạy sẵn sàng (mặc định 90)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas phải từ 1 trở lên")
    return args


def start_replicas(count: int, runtime: Path, env: dict[str, str]) -> list[Child]:
    replicas = []
    for number, port in enumerate(free_ports(count), start=1):
        name = f"r{number}"
        command = [sys.executable, "-m", "streamlit", "run", "dashboard.py",
                   "--server.address", "127.0.0.1", "--server.port", str(port),
                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none"]
        log = runtime / f"replica-{name}.log"
        # DTI_REPLICA names the process for whoever reads its environment or logs.
        replicas.append(Child(name, port, start(command, log, {**env, "DTI_REPLICA": name}), log))
    return replicas


def start_nginx(nginx: str, listen: str, runtime: Path, replicas: list[Child], env: dict[str, str]) -> Child:
    config = runtime / "nginx.conf"
    config.write_text(render_config(listen, runtime, [r.port for r in replicas]), encoding="utf-8")
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
    if port_taken(args.host, args.port):
        print(f"Lỗi: cổng {args.port} đang có chương trình khác dùng; chọn cổng khác bằng --port.", file=sys.stderr)
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
    env = {**os.environ, "DTI_STORE": str(store)}
    # Streamlit signs its cookies (st.login) with this secret: the same one on every replica
    # keeps a user signed in when nginx moves them to another replica. Never printed.
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))

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
        replicas = start_replicas(args.replicas, runtime, env)
        children += replicas
        proxy = start_nginx(nginx, f"{args.host}:{args.port}", runtime, replicas, env)
        children.append(proxy)
        url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{args.port}"
        problem = wait_ready(url, replicas, proxy, args.timeout)
        if problem:
            print(f"Lỗi: {problem}", file=sys.stderr)
            return 1
        ready_seconds = time.monotonic() - started
        write_state(runtime, {
            "url": url, "store": str(store), "runtime_dir": str(runtime), "ready_seconds": round(ready_seconds, 2),
            "nginx": {"pid": proxy.process.pid, "access_log": str(runtime / "access.log")},
            "replicas": [{"name": r.name, "port": r.port, "pid": r.process.pid, "log": str(r.log)}
                         for r in replicas],
        })
        ports = ", ".join(f"{r.name} → 127.0.0.1:{r.port}" for r in replicas)
        print(f"Sẵn sàng sau {ready_seconds:.1f} giây: {url}\n"
              f"  {len(replicas)} bản chạy: {ports}\n"
              f"  kho dữ liệu: {store}\n"
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


if __name__ == "__main__":
    sys.exit(main())
