"""Accounts on a platform named by a demand (a GitHub user whose repository a notice targets,
a Twitter handle a takedown order names): one node per platform and handle, whichever source
names it, citing every record that does.

>>> account_id("twitter", "@Some_User")
'account-twitter-some_user'
"""
from __future__ import annotations

import re

from graph.model import Entity, Relation
from ingest.context import Context
from ingest.registry import RegistryLinker

__all__ = ["account_id", "ensure_account"]

_HANDLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def account_id(platform: str, handle: str) -> str:
    return f"account-{platform}-{handle.lstrip('@').lower()}"


def ensure_account(ctx: Context, linker: RegistryLinker, platform: str, handle: str, source_id: str,
                   origin: str) -> str | None:
    """Emit the Account (ON_PLATFORM the registry platform) citing ``source_id``; its id, or
    None when ``handle`` is not a handle (nothing is emitted then)."""
    handle = handle.lstrip("@")
    if not _HANDLE.fullmatch(handle):
        return None
    aid = account_id(platform, handle)
    ctx.emit(Entity(aid, "Account", {"name": f"@{handle}", "handle": handle}, [source_id], origin))
    if linker.ensure(platform):
        ctx.emit_relation(Relation("ON_PLATFORM", aid, platform, {}, [source_id], origin))
    return aid
