"""The CLI's tests' shared helpers: run `ssmclient` in this process, check a one-line error."""

import pytest

from ssmclient.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ssmclient ARGS` in this process: (exit status, stdout, stderr)."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_error_line(err: str) -> str:
    """The single `ssmclient: ...` line a failure prints; no traceback, nothing else."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ssmclient: ")
    assert "Traceback" not in err
    return lines[0]
