"""Private files: modes set exactly whatever the umask, and generated files published in one step."""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tenantry.common.private_files import (
    check_private_file,
    directory_lock,
    ensure_private_directory,
    publish_once,
    replace_file,
    tighten_file,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    yield int(request.param)
    os.umask(previous)


def test_a_new_data_directory_is_0700(tmp_path: Path, umask: int) -> None:
    ensure_private_directory(tmp_path / "parent" / "home")
    assert _mode(tmp_path / "parent" / "home") == 0o700


def test_an_open_data_directory_is_tightened_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Tighten rather than refuse: refusing would leave the files inside as open as they were."""
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o755)
    with caplog.at_level(logging.WARNING, logger="tenantry"):
        ensure_private_directory(home)
    assert _mode(home) == 0o700
    assert "was open to other users (mode 0755)" in caplog.text


def test_a_private_directory_is_left_alone_silently(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    os.chmod(tmp_path, 0o700)
    with caplog.at_level(logging.WARNING, logger="tenantry"):
        ensure_private_directory(tmp_path)
    assert not caplog.text


def test_published_files_have_exactly_their_mode(tmp_path: Path, umask: int) -> None:
    assert publish_once(tmp_path / "secret", b"s")
    replace_file(tmp_path / "public", b"p", 0o644)
    assert (_mode(tmp_path / "secret"), _mode(tmp_path / "public")) == (0o600, 0o644)


def test_the_first_publisher_wins(tmp_path: Path) -> None:
    assert publish_once(tmp_path / "key", b"first")
    assert not publish_once(tmp_path / "key", b"second")
    assert (tmp_path / "key").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["key"]


def test_check_private_file_accepts_0600_and_0400(tmp_path: Path) -> None:
    for mode in (0o600, 0o400):
        (tmp_path / "k").write_bytes(b"k")
        os.chmod(tmp_path / "k", mode)
        check_private_file(tmp_path / "k")


def test_tighten_file_removes_group_and_other_bits_and_ignores_missing(tmp_path: Path) -> None:
    (tmp_path / "db").write_bytes(b"")
    os.chmod(tmp_path / "db", 0o664)
    tighten_file(tmp_path / "db")
    tighten_file(tmp_path / "missing")
    assert _mode(tmp_path / "db") == 0o600


def test_the_directory_lock_excludes_other_holders(tmp_path: Path) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def hold(n: int) -> None:
        with directory_lock(tmp_path):
            inside.append(n)
            if len(inside) > 1:
                overlaps.append(n)
            threading.Event().wait(0.01)
            inside.remove(n)

    threads = [threading.Thread(target=hold, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not overlaps
    assert _mode(tmp_path / ".lock") == 0o600
