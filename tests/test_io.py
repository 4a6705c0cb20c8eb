"""llmcost.io: capped reads that refuse special files, atomic writes, the private cache, safe echoing."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmcost.errors import CatalogError, LLMCostError, OutputError, UsageError
from llmcost.io import atomic_write, private_dir, read_bytes, read_private, read_text, write_private
from llmcost.text import no_workflow_commands, shown

NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another uid needs root")


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _error(call: Callable[[], object], error: type[LLMCostError] = CatalogError) -> str:
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    return message


# --- read_bytes / read_text ----------------------------------------------------------------------


def test_reads_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_bytes(b"a: 1\n")
    assert read_bytes(tmp_path / "data.yaml", 100, CatalogError) == b"a: 1\n"
    assert read_bytes(str(tmp_path / "data.yaml"), 100, CatalogError) == b"a: 1\n"


def test_size_cap_allows_exactly_max_and_refuses_one_more(tmp_path: Path) -> None:
    (tmp_path / "max.yaml").write_bytes(b"x" * 2_000)
    (tmp_path / "over.yaml").write_bytes(b"x" * 2_001)
    assert len(read_bytes(tmp_path / "max.yaml", 2_000, CatalogError)) == 2_000
    message = _error(lambda: read_bytes(tmp_path / "over.yaml", 2_000, CatalogError))
    assert message == f"{tmp_path / 'over.yaml'}: 2,001 bytes is over the 2,000-byte limit"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_size_cap_holds_when_st_size_lies() -> None:
    """/proc files say st_size 0 but have content: the read itself stops at max_bytes + 1."""
    assert os.stat("/proc/self/status").st_size == 0
    message = _error(lambda: read_bytes("/proc/self/status", 10, CatalogError))
    assert "over the 10-byte limit" in message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_character_devices_are_refused_not_read(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    message = _error(lambda: read_bytes(device, 1_000_000, UsageError, what="--scenario"), UsageError)
    assert message == f"--scenario {device}: not a regular file (a character device)"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    caught: list[BaseException] = []

    def call() -> None:
        try:
            read_bytes(fifo, 1_000, CatalogError)
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=call, daemon=True)  # daemon: a regression hangs this thread only
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "read_bytes blocked on a FIFO with no writer"
    assert len(caught) == 1 and isinstance(caught[0], CatalogError)
    assert str(caught[0]).endswith("pipe.yaml: not a regular file (a FIFO)")


def test_directory_and_socket_are_refused(tmp_path: Path) -> None:
    assert _error(lambda: read_bytes(tmp_path, 1_000, CatalogError)).endswith("not a regular file (a directory)")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s"))
        message = _error(lambda: read_bytes(tmp_path / "s", 1_000, CatalogError))
    assert message.endswith("s: not a regular file (a socket)")


def test_missing_file_and_error_class(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read_bytes(tmp_path / "x.yaml", 1_000, UsageError)
    assert str(caught.value) == f"{tmp_path / 'x.yaml'}: cannot read (No such file or directory)"
    assert caught.value.exit_code == 2


def test_symlink_followed_by_default_and_refused_on_request(tmp_path: Path) -> None:
    (tmp_path / "real.pickle").write_bytes(b"payload")
    (tmp_path / "link.pickle").symlink_to(tmp_path / "real.pickle")
    assert read_bytes(tmp_path / "link.pickle", 100, CatalogError) == b"payload"
    message = _error(lambda: read_bytes(tmp_path / "link.pickle", 100, CatalogError, follow_symlinks=False))
    assert message == f"{tmp_path / 'link.pickle'}: is a symbolic link (refused)"


def test_read_text_decodes_and_refuses_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_bytes("prix: 3 €\n".encode())
    (tmp_path / "latin1.yaml").write_bytes("prix: 3 é\n".encode("latin-1"))
    assert read_text(tmp_path / "ok.yaml", 100, CatalogError) == "prix: 3 €\n"
    message = _error(lambda: read_text(tmp_path / "latin1.yaml", 100, CatalogError, what="--data"))
    assert message == f"--data {tmp_path / 'latin1.yaml'}: not UTF-8 text"


def test_read_text_utf8_sig_strips_the_bom(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n")
    assert read_text(tmp_path / "bom.csv", 100, CatalogError, encoding="utf-8-sig") == "a,b\n"
    assert read_text(tmp_path / "bom.csv", 100, CatalogError) == "\ufeffa,b\n"


def test_messages_are_one_line_with_the_name_escaped(tmp_path: Path) -> None:
    bad = tmp_path / "evil\nname\x1b[2J.yaml"
    bad.write_bytes(b"x" * 11)
    message = _error(lambda: read_bytes(bad, 10, CatalogError, what="--scenario"))
    assert "evil\\nname\\x1b[2J.yaml: 11 bytes is over the 10-byte limit" in message
    assert "\x1b" not in message
    long_name = "a" * 5_000
    assert len(_error(lambda: read_bytes(long_name, 10, CatalogError))) < 250


# --- atomic_write ----------------------------------------------------------------------------------


def test_atomic_write_creates_and_replaces(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "report.csv"
    atomic_write(target, "première\n")
    assert target.read_bytes() == "première\n".encode()
    atomic_write(target, b"second\n")
    assert target.read_bytes() == b"second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["report.csv"]


def test_atomic_write_modes(tmp_path: Path, umask_022: None) -> None:
    atomic_write(tmp_path / "a", "x", mode=0o666)
    atomic_write(tmp_path / "b", "x", mode=0o666, respect_umask=False)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o666
    assert os.umask(0o022) == 0o022  # the umask is restored


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_failed_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old content")

    def refuse(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, failing, refuse)
        message = _error(lambda: atomic_write(target, "new content" * 1_000), OutputError)
    assert message == f"{target}: cannot write (No space left on device)"
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["out.json"]
    assert OutputError("x").exit_code == 1


def test_atomic_write_refuses_a_directory_and_a_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert _error(lambda: atomic_write(tmp_path / "out", "x"), OutputError).endswith("cannot write (is a directory)")
    assert os.listdir(tmp_path) == ["out"] and os.listdir(tmp_path / "out") == []
    message = _error(lambda: atomic_write(tmp_path / "no" / "out", "x"), OutputError)
    assert message.endswith("cannot write (No such file or directory)")


def test_atomic_write_replaces_a_link_not_its_target(tmp_path: Path) -> None:
    (tmp_path / "victim").write_text("keep")
    (tmp_path / "out").symlink_to(tmp_path / "victim")
    atomic_write(tmp_path / "out", "new")
    assert (tmp_path / "victim").read_text() == "keep"
    assert not (tmp_path / "out").is_symlink() and (tmp_path / "out").read_text() == "new"


# --- shown / no_workflow_commands ------------------------------------------------------------------


def test_shown_escapes_control_and_invisible_characters() -> None:
    assert shown("plain text, é €") == "plain text, é €"
    assert shown(Path("a b")) == "a b"
    assert shown("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert shown("\x1b[31mred\x7f\x9b") == "\\x1b[31mred\\x7f\\x9b"
    assert shown("x\u2028y\u2029z") == "x\\u2028y\\u2029z"
    assert shown("\u202egnp.exe\u2066\u2069") == "\\u202egnp.exe\\u2066\\u2069"
    assert shown("bad\udcffbyte") == "bad\\udcffbyte"


def test_shown_cuts_long_values() -> None:
    line = shown("a" * 1_048_576)
    assert line == "a" * 120 + "... (1,048,576 characters)"
    cut = shown("\n" * 100, limit=11)  # escapes count toward the limit and are never split
    assert cut == "\\n" * 5 + "... (100 characters)"


def test_workflow_command_lines_are_defused() -> None:
    assert not no_workflow_commands("::error file=x::boom").startswith("::")
    assert "error file=x::boom" in no_workflow_commands("::error file=x::boom")
    for line in ["  ::add-mask::x", "\t::set-output name=a::b", "\u3000::error::x"]:
        assert not no_workflow_commands(line).lstrip().startswith("::")
    assert no_workflow_commands("cost: 12 $/month") == "cost: 12 $/month"


def test_embedded_newlines_cannot_start_a_workflow_command() -> None:
    for value in ["ok\n::warning::x", "ok\r::warning::x", "ok\r\n::warning::x", "ok\u2028::warning::x"]:
        line = no_workflow_commands(f"model {value}")
        assert len(line.splitlines()) == 1
        assert not any(part.lstrip().startswith("::") for part in line.splitlines())


def test_legacy_workflow_commands_are_defused_anywhere() -> None:
    assert "##[" not in no_workflow_commands("name ##[error]boom and ###[warning]x ##[##[")


# --- private cache ---------------------------------------------------------------------------------


def test_private_dir_creates_a_0700_directory(tmp_path: Path) -> None:
    folder = private_dir(tmp_path / "a" / "cache")
    assert folder == tmp_path / "a" / "cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert private_dir(folder) == folder  # an existing safe directory is fine


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o1777])
def test_private_dir_refuses_a_directory_others_can_write(tmp_path: Path, mode: int) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared").chmod(mode)
    assert private_dir(tmp_path / "shared") is None


def test_private_dir_refuses_a_link_or_a_file(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "file").write_text("")
    assert private_dir(tmp_path / "link") is None
    assert private_dir(tmp_path / "file") is None


@needs_root
def test_private_dir_refuses_a_directory_of_another_uid(tmp_path: Path) -> None:
    (tmp_path / "theirs").mkdir(mode=0o700)
    os.chown(tmp_path / "theirs", NOBODY, NOBODY)
    assert private_dir(tmp_path / "theirs") is None


def test_read_private_reads_our_own_file(tmp_path: Path) -> None:
    (tmp_path / "entry").write_bytes(b"cached")
    (tmp_path / "entry").chmod(0o600)
    assert read_private(tmp_path / "entry", 6) == b"cached"
    assert read_private(tmp_path / "entry", 5) is None
    assert read_private(tmp_path / "missing", 100) is None


def test_read_private_refuses_writable_links_and_special_files(tmp_path: Path) -> None:
    (tmp_path / "entry").write_bytes(b"cached")
    (tmp_path / "entry").chmod(0o620)
    assert read_private(tmp_path / "entry", 100) is None
    (tmp_path / "entry").chmod(0o600)
    (tmp_path / "link").symlink_to(tmp_path / "entry")
    assert read_private(tmp_path / "link", 100) is None
    os.mkfifo(tmp_path / "fifo", 0o600)
    assert read_private(tmp_path / "fifo", 100) is None  # returns at once (O_NONBLOCK)
    assert read_private(tmp_path, 100) is None


@needs_root
def test_read_private_refuses_a_file_of_another_uid(tmp_path: Path) -> None:
    (tmp_path / "entry").write_bytes(b"cached")
    (tmp_path / "entry").chmod(0o600)
    os.chown(tmp_path / "entry", NOBODY, NOBODY)
    assert read_private(tmp_path / "entry", 100) is None


def test_write_private_creates_a_0600_file(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        assert write_private(tmp_path / "entry", b"data") is True
    finally:
        os.umask(old)
    assert (tmp_path / "entry").read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "entry").stat().st_mode) == 0o600
    assert read_private(tmp_path / "entry", 100) == b"data"
    assert os.listdir(tmp_path) == ["entry"]


def test_write_private_replaces_a_planted_link_at_the_final_name(tmp_path: Path) -> None:
    (tmp_path / "victim").write_bytes(b"precious")
    (tmp_path / "entry").symlink_to(tmp_path / "victim")
    assert write_private(tmp_path / "entry", b"data") is True
    assert (tmp_path / "victim").read_bytes() == b"precious"
    assert stat.S_ISREG(os.lstat(tmp_path / "entry").st_mode)
    assert (tmp_path / "entry").read_bytes() == b"data"


def test_write_private_never_follows_a_link_at_a_temporary_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make the "random" names predictable and plant links at them: the write takes the next name."""
    if not hasattr(tempfile, "_get_candidate_names"):
        pytest.skip("this CPython has no tempfile._get_candidate_names to make names predictable")
    (tmp_path / "victim").write_bytes(b"precious")
    (tmp_path / ".entry.guess1.tmp").symlink_to(tmp_path / "victim")
    (tmp_path / ".entry.guess2.tmp").symlink_to(tmp_path / "created-by-attacker")  # dangling
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: iter(["guess1", "guess2", "fresh"]))
    assert write_private(tmp_path / "entry", b"data") is True
    assert (tmp_path / "victim").read_bytes() == b"precious"
    assert not (tmp_path / "created-by-attacker").exists()
    assert (tmp_path / ".entry.guess1.tmp").is_symlink() and (tmp_path / ".entry.guess2.tmp").is_symlink()
    assert (tmp_path / "entry").read_bytes() == b"data"


def test_write_private_reports_failure_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert write_private(tmp_path / "missing" / "entry", b"data") is False

    def refuse(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", refuse)
    assert write_private(tmp_path / "entry", b"data") is False
    assert os.listdir(tmp_path) == []


@needs_root
def test_another_uid_cannot_plant_into_a_shared_cache() -> None:
    """A real second user (nobody) plants a directory, a file and a link in a world-writable place."""
    # Under /tmp, not tmp_path: pytest's base directory is 0o700, so nobody could not reach it.
    shared = Path(tempfile.mkdtemp(prefix="llmcost-shared-"))
    try:
        shared.chmod(0o1777)
        (shared / "mine").write_bytes(b"root's own entry")
        (shared / "mine").chmod(0o600)
        _as_nobody(lambda: _plant(shared))
        assert os.lstat(shared / "cache").st_uid == NOBODY  # the attack really happened
        assert os.lstat(shared / "entry").st_uid == NOBODY

        assert private_dir(shared) is None  # world-writable, even though root owns it
        assert private_dir(shared / "cache") is None  # nobody's, although 0o700
        assert read_private(shared / "entry", 100) is None  # nobody's, although 0o600
        assert read_private(shared / "cache" / "entry", 100) is None
        assert read_private(shared / "link", 100) is None  # a link, although to a good file
        assert read_private(shared / "mine", 100) == b"root's own entry"
    finally:
        shutil.rmtree(shared)


def _plant(shared: Path) -> None:
    (shared / "cache").mkdir(mode=0o700)
    (shared / "cache" / "entry").write_bytes(b"forged")
    (shared / "entry").write_bytes(b"forged")
    (shared / "entry").chmod(0o600)
    (shared / "link").symlink_to(shared / "mine")


def _as_nobody(action: Callable[[], None]) -> None:
    """Run `action` in a forked child that has become uid/gid nobody; fail unless it succeeded."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            action()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child running as nobody failed"
