"""The support log: rotating, private, masked (registered secrets, anything shaped like one)."""

import logging
import stat
from pathlib import Path

import pytest

from ssmclient.core import diagnostic_log
from ssmclient.core.diagnostic_log import MASK, log_path, mask_secret, masked, start

log = logging.getLogger("ssmclient.tests")


def test_registered_secrets_and_credential_shapes_are_masked() -> None:
    mask_secret("ExternalID3rdPartyA-0123")
    text = masked(
        "id ExternalID3rdPartyA-0123 key AKIAQWERTYUIOPLKJHGF "
        "secret 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 "
        "token " + "IQoJb3JpZ2luX2VjE" * 10 + " "
        "ExternalId=another-id-9 Signature=" + "a" * 64
    )
    assert "ExternalID3rdPartyA-0123" not in text
    assert "AKIA…" in text
    assert "QWERTYUIOPLKJHGF" not in text
    assert "zZx9ShapedLike" not in text
    assert "IQoJb3JpZ2lu" not in text
    assert "another-id-9" not in text
    assert "a" * 64 not in text
    assert text.count(MASK) == 5


def test_the_file_is_private_rotates_and_keeps_three(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagnostic_log, "MAX_BYTES", 2000)
    path = start(tmp_path)
    assert path == log_path(tmp_path)
    for n in range(200):
        log.info("line %d of a long support session", n)
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == [
        f"ssmclient.log{suffix}" for suffix in ("", ".1", ".2", ".3")
    ]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "line 199 of" in path.read_text(encoding="utf-8")


def test_a_record_is_masked_and_host_text_made_inert(tmp_path: Path) -> None:
    path = start(tmp_path)
    assert path is not None
    mask_secret("s3cr3t-value")
    log.info("instance %s answered %s", "\x1b]0;pwned\x07web", "s3cr3t-value")
    try:
        raise ValueError("s3cr3t-value in a traceback")
    except ValueError:
        log.exception("failed")
    written = path.read_text(encoding="utf-8")
    assert "s3cr3t-value" not in written
    assert "\x1b" not in written
    assert "\x07" not in written
    assert written.count("\n") == 2  # one line per record, the traceback included


def test_verbose_also_goes_to_the_stream_once_per_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start(tmp_path, verbose=True)
    start(tmp_path, verbose=True)  # again: replaces, does not add
    log.debug("detail")
    assert capsys.readouterr().err == "ssmclient: DEBUG: detail\n"


def test_an_unwritable_config_dir_only_loses_the_log(tmp_path: Path) -> None:
    (tmp_path / "logs").write_text("a file where the log directory should be", encoding="utf-8")
    assert start(tmp_path) is None
    log.info("still fine")  # no handler, no error
