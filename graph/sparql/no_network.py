"""Take the network away from the calling thread, for good: a Linux seccomp filter that makes
``socket()`` fail for every address family but local (``AF_UNIX``) sockets.

SPARQL queries are evaluated on threads (or in worker processes) that call :func:`deny` first,
so whatever the query says (``SERVICE`` in any spelling a parser may miss), the engine cannot
open a connection: pyoxigraph's HTTP client is Rust code calling the C library, which a
Python-level patch of :mod:`socket` would not reach; the kernel filter does.

The filter belongs to the thread that installs it (and to the threads it starts); other threads
of the process keep their network. It cannot be removed. Also refused: ``io_uring_setup``
(io_uring can open sockets without the ``socket`` system call), x32 system calls, and every
system call made through another architecture's entry point (32-bit ``socketcall`` and the like).
"""
from __future__ import annotations

import ctypes
import platform
import sys
import threading

__all__ = ["NetworkNotDenied", "deny", "denied"]


class NetworkNotDenied(RuntimeError):
    """This platform cannot take the network away from a thread (not Linux, or seccomp refused)."""


# <linux/audit.h>, <asm/unistd.h>: (AUDIT_ARCH_*, socket, io_uring_setup) per machine.
_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_X32_BIT = 0x40000000
_AF_UNIX = 1
_EACCES = 13
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16  # (args[0]'s low 32 bits on a little-endian machine)

_local = threading.local()


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def _program(arch: int, nr_socket: int, nr_io_uring_setup: int) -> list[_Insn]:
    deny = _Insn(_RET_K, 0, 0, _RET_ERRNO | _EACCES)
    allow = _Insn(_RET_K, 0, 0, _RET_ALLOW)
    return [
        _Insn(_LD_ABS_W, 0, 0, _ARCH),
        _Insn(_JEQ_K, 1, 0, arch),             # this machine's entry point: go on
        deny,                                   # any other architecture's: refused
        _Insn(_LD_ABS_W, 0, 0, _NR),
        _Insn(_JGE_K, 0, 1, _X32_BIT),
        deny,                                   # x32 calls
        _Insn(_JEQ_K, 0, 1, nr_io_uring_setup),
        deny,
        _Insn(_JEQ_K, 1, 0, nr_socket),
        allow,                                  # not socket(): allowed
        _Insn(_LD_ABS_W, 0, 0, _ARG0),
        _Insn(_JEQ_K, 0, 1, _AF_UNIX),
        allow,                                  # socket(AF_UNIX, ...): local pipes to our parent
        deny,                                   # socket(AF_INET / AF_INET6 / AF_NETLINK / AF_PACKET ...)
    ]


def denied() -> bool:
    """Whether :func:`deny` has run on this thread."""
    return getattr(_local, "denied", False)


def deny() -> None:
    """Make every later ``socket()`` of this thread (and of threads it starts) fail with EACCES,
    except local ``AF_UNIX`` ones. Raises :class:`NetworkNotDenied` where that is impossible:
    callers must then not run what they wanted to confine."""
    if denied():
        return
    machine = platform.machine().lower()
    if sys.platform != "linux" or machine not in _ARCHES:
        raise NetworkNotDenied(f"cannot take the network away from SPARQL query evaluation on "
                               f"{sys.platform}/{machine}: it needs Linux seccomp on x86_64 or aarch64")
    insns = _program(*_ARCHES[machine])
    array = (_Insn * len(insns))(*insns)
    prog = _Prog(len(insns), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        errno = ctypes.get_errno()
        raise NetworkNotDenied(f"cannot take the network away from SPARQL query evaluation: the kernel "
                               f"refused a seccomp filter (errno {errno})")
    _local.denied = True
