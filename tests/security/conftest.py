"""Shared by the security tests: a loopback listener that must never be reached."""
from __future__ import annotations

import socket
import threading

import pytest


class Listener:
    """A TCP listener on a loopback port that records every connection made to it (``hits``):
    a test that points hostile input at it asserts ``hits == []``."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                self.hits.append(conn.recv(4096) or b"(connected, sent nothing)")
            except OSError:
                self.hits.append(b"(connected)")
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()
