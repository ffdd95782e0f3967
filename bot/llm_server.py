"""The local GGUF in its own process: llama-cpp-python's OpenAI-compatible server on 127.0.0.1.

Why a process of its own: llama.cpp is native code, and native code can crash (ggml's AMX path
segfaults on our Q4_K_M model on Sapphire-Rapids CPUs; a bad build can die on an illegal
instruction). In process, that crash takes the CLI or the whole app with it. Behind a socket, a
crash is a refused connection: the question falls back to extraction, and the next question
starts a fresh server.

One server per (model, context size, threads) per govqa process, started on first use, checked
before each use, restarted when it has died, and stopped when govqa exits (and, on Linux, when
govqa itself is killed: the kernel sends it SIGTERM).
"""

from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_ALIAS = "govqa-local"  # the model name the server answers to
_PR_SET_PDEATHSIG = 1


class ServerFailed(RuntimeError):
    """The model server could not be started or did not become healthy in time."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when govqa dies, even by SIGKILL, so no model is left running."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


@dataclass
class ModelServer:
    model_path: Path
    n_ctx: int
    threads: int
    start_timeout_s: float
    log_path: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    starts: int = 0  # how many times a server was started (a restart after a crash counts)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def healthy(self, timeout: float = 1.0) -> bool:
        if not self.proc or self.proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=timeout) as r:
                return MODEL_ALIAS in json.loads(r.read()).get("data", [{}])[0].get("id", "")
        except (OSError, ValueError, IndexError, urllib.error.URLError):
            return False

    def ensure(self) -> str:
        """The server's base URL, starting (or restarting) it when it is not running."""
        with self._lock:
            if self.proc and self.proc.poll() is None:
                return self.base_url
            if self.proc is not None:
                log.warning("model server (pid %s) exited with %s; starting a new one", self.proc.pid, self.proc.returncode)
            self._start()
            return self.base_url

    def _start(self) -> None:
        self.port = _free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_path), "--model_alias", MODEL_ALIAS,
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
               "--n_threads", str(self.threads), "--chat_format", "chatml", "--verbose", "False"]
        with open(self.log_path, "ab") as logf:
            self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        self.starts += 1
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"模型服务启动后退出（返回码 {self.proc.returncode}），日志：{self.log_path}")
            if self.healthy():
                log.info("model server pid %s on port %s", self.proc.pid, self.port)
                return
            time.sleep(0.2)
        self.stop()
        raise ServerFailed(f"模型服务 {self.start_timeout_s:.0f} 秒内未就绪，日志：{self.log_path}")

    def kill(self) -> None:
        """Stop a server that hung or failed mid-answer, so that the next question starts a fresh one."""
        self.stop(grace_s=0.0)

    def stop(self, grace_s: float = 5.0) -> None:
        """TERM, then KILL after ``grace_s`` (at once when 0). The dead process is kept, so that the next
        ensure() knows it is a restart."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        if grace_s:
            proc.terminate()
            try:
                proc.wait(timeout=grace_s)
                return
            except subprocess.TimeoutExpired:
                pass
        proc.kill()
        proc.wait(timeout=10)


_servers: dict[tuple[str, int, int], ModelServer] = {}
_servers_lock = threading.Lock()


def server_for(model_path: Path, n_ctx: int, threads: int, start_timeout_s: float, log_path: Path) -> ModelServer:
    """The one server of this govqa process for this model and context size (not started yet)."""
    key = (str(model_path), n_ctx, threads)
    with _servers_lock:
        if key not in _servers:
            _servers[key] = ModelServer(model_path, n_ctx, threads, start_timeout_s, log_path)
        return _servers[key]


def running_servers() -> list[ModelServer]:
    with _servers_lock:
        return [s for s in _servers.values() if s.pid]


@atexit.register
def stop_all() -> None:
    for s in list(_servers.values()):
        try:
            s.stop(grace_s=2.0)
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


def default_threads() -> int:
    return max(1, os.cpu_count() or 2)
