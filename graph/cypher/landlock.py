"""Run one function in a thread that cannot open a file or a network connection (Linux Landlock).

Planning a user query (graph.cypher.guard) must not touch the file system, but Ladybug's binder opens
a file that ``LOAD FROM`` names to learn its columns, before any plan exists to refuse. So the
plan is made in a fresh thread that has restricted itself with Landlock: every file-system
access it has not been granted (here: all of them) and every TCP bind or connect fails with
EACCES in the kernel. Files opened before (the database) stay usable. The restriction is
per thread and ends with it; the rest of the process is unaffected.

Where the kernel has no Landlock (before Linux 5.13, or a container that filters the calls),
``available()`` is False and the function runs unrestricted; the plan check still refuses
the query, but the binder may have opened the file.
"""
from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

__all__ = ["available", "run_without_files"]

T = TypeVar("T")

_CREATE_RULESET, _RESTRICT_SELF = 444, 446  # x86_64 and aarch64 share these numbers
_VERSION_FLAG = 1
_PR_SET_NO_NEW_PRIVS = 38
# handled_access_fs bits known at each ABI version (1: 13 rights, 2: REFER, 3: TRUNCATE, 5: IOCTL_DEV)
_FS_BITS = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16}


class _Attr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


@lru_cache(maxsize=1)
def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


@lru_cache(maxsize=1)
def abi() -> int:
    """The kernel's Landlock ABI version, 0 when there is none."""
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION_FLAG))
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def available() -> bool:
    return abi() > 0


def _restrict_this_thread() -> None:
    version = abi()
    libc = _libc()
    attr = _Attr((1 << _FS_BITS[min(version, 5)]) - 1, 3 if version >= 4 else 0)  # 3: bind + connect TCP
    size = ctypes.sizeof(_Attr) if version >= 4 else ctypes.sizeof(ctypes.c_uint64)
    fd = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        libc.close(ctypes.c_int(fd))


def run_without_files(fn: Callable[[], T]) -> T:
    """``fn()`` in a new thread that can open no file and no TCP connection; its result or exception."""
    outcome: dict = {}

    def body() -> None:
        try:
            if available():
                _restrict_this_thread()
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=body, name="govplat-plan-without-files", daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
