"""Reads during a write on the embedded store: the last complete state or a clear wait, never a torn read.

A writer runs in another process (as ``govplat ingest`` does) and stores batches slowly while
this process reads in a loop. Every read must see the state before the write or after it, or
wait and say so; a write killed half-way leaves what it committed readable, with a note saying
what to run.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.errors import StoreBusyError
from graph.model import Entity
from graph.stores.embedded import EmbeddedStore
from tests.conftest import ROOT

BATCHES, PER_BATCH = 8, 50

WRITER = textwrap.dedent("""
    import os, sys, time
    from graph.model import Entity
    from graph.stores.embedded import EmbeddedStore
    path, kill_after = sys.argv[1], int(sys.argv[2])
    store = EmbeddedStore(path)
    print("open", flush=True)
    for b in range({batches}):
        store.upsert([Entity(f"turn-{{b}}-{{i}}", "Country", {{"name": f"Turn {{b}} {{i}}"}}, ["src"])
                      for i in range({per_batch})], [])
        if b + 1 == kill_after:
            os._exit(9)  # as if killed: no close, no cleanup
        time.sleep(0.15)
    store.close()
    print("done", flush=True)
""").format(batches=BATCHES, per_batch=PER_BATCH)


def _countries(path: Path) -> int:
    with EmbeddedStore(path, read_only=True) as s:
        return s.counts()["entities"].get("Country", 0)


@pytest.fixture
def seeded(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GOVPLAT_READ_WAIT", "0.3")
    path = tmp_path / "graph.lbdb"
    with EmbeddedStore(path) as s:
        s.upsert([Entity(f"seed-{i}", "Country", {"name": f"Seed {i}"}, ["src"]) for i in range(20)], [])
    return path


def _writer(path: Path, kill_after: int = 0) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(kill_after)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open", proc.stderr.read()
    return proc


def test_reads_during_a_write_see_a_complete_state_or_wait(seeded, capsys):
    before, after = 20, 20 + BATCHES * PER_BATCH
    writer = _writer(seeded)
    seen, waits = [], []
    while writer.poll() is None:
        try:
            seen.append(_countries(seeded))
        except StoreBusyError as exc:
            waits.append(str(exc))
    assert writer.returncode == 0, writer.stderr.read()
    seen.append(_countries(seeded))
    assert set(seen) <= {before, after}, f"torn reads: {sorted(set(seen) - {before, after})}"
    assert seen[-1] == after
    assert waits, "no read overlapped the write"
    assert all("is being written" in w and "GOVPLAT_READ_WAIT" in w for w in waits), waits[:3]
    assert "waiting for it to finish" in capsys.readouterr().err


def test_a_killed_write_leaves_its_batches_readable_and_says_what_to_run(seeded, capsys):
    writer = _writer(seeded, kill_after=3)
    writer.wait(60)
    assert writer.returncode == 9
    assert _countries(seeded) == 20 + 3 * PER_BATCH  # whole batches only, and no refusal
    err = capsys.readouterr().err
    assert "did not finish" in err and "govplat ingest" in err
    EmbeddedStore(seeded).close()  # any writer that closes cleanly ends the note
    _countries(seeded)
    assert "did not finish" not in capsys.readouterr().err


def test_a_writer_waits_for_readers_then_gives_up_naming_the_limit(seeded, monkeypatch):
    monkeypatch.setenv("GOVPLAT_WRITE_WAIT", "0.3")
    with EmbeddedStore(seeded, read_only=True):
        t0 = time.monotonic()
        with pytest.raises(StoreBusyError) as info:
            EmbeddedStore(seeded)
        assert time.monotonic() - t0 < 5
    assert "GOVPLAT_WRITE_WAIT" in str(info.value)
    EmbeddedStore(seeded).close()  # free again once the reader has gone


KILLED_CHECKPOINT = textwrap.dedent("""
    import os, sys, threading, time
    import ladybug
    db = ladybug.Database(sys.argv[1], auto_checkpoint=False)
    conn = ladybug.Connection(db)
    conn.execute('UNWIND range(1, 200000) AS i CREATE (:Country {id: "bulk-" + string(i), name: "Bulk"})')
    threading.Thread(target=lambda: (time.sleep(0.05), os._exit(9)), daemon=True).start()
    conn.execute("CHECKPOINT")
    os._exit(0)
""")


def test_a_write_killed_while_checkpointing_is_finished_by_the_next_reader(seeded, capsys):
    """Ladybug refuses read-only opens until someone completes the checkpoint; the reader does it."""
    proc = subprocess.run([sys.executable, "-c", KILLED_CHECKPOINT, str(seeded)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 9, proc.stderr
    assert seeded.with_name(seeded.name + ".wal.checkpoint").exists(), "the checkpoint was not caught half-way"
    assert _countries(seeded) == 20 + 200000
    assert "finishing the checkpoint" in capsys.readouterr().err
