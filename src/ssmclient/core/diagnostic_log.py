"""The support log: what ssmclient did, in a rotating file only the user can read, secrets masked.

Every run of the CLI and the window appends to `<config dir>/logs/ssmclient.log`
(1 MiB, then rotated, three old files kept): the command, each step of the
role chain with the roles it assumed and until when, the listing's counts,
the sessions opened and how they ended, and each error's one line. With
`--verbose` the same goes to standard error, with debug detail and botocore's
retry decisions.

Secrets never reach it. Each one is registered with `mask_secret` where it
enters the process (read from the keyring, typed as an MFA code, returned by
AssumeRole or StartSession), and every record is masked on its way out, both
for those values and for anything shaped like AWS credentials, so that a
message quoting a request or an answer is safe as well.
"""

import io
import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path
from typing import IO

from ssmclient.core.text import escape_unsafe

LOG_DIR = "logs"
LOG_FILE = "ssmclient.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
MASK = "[secret]"

logger = logging.getLogger("ssmclient")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()
_installed: list[logging.Handler] = []
_BOTOCORE_LOGGERS = ("botocore", "botocore.retries", "botocore.retryhandler")

# Shapes of AWS credentials, masked even when nobody registered the value:
# access key ids keep their first four characters (AKIA/ASIA say which kind),
# secret keys (40 base64 characters), session tokens and SigV4 signatures go.
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,124}(?![A-Z0-9])")
_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_TOKEN = re.compile(r"[A-Za-z0-9/+=]{100,}")
_SIGNATURE = re.compile(r"(Signature=)[0-9a-f]{64}")
_NAMED = re.compile(
    r"(?i)((?:ExternalId|SecretAccessKey|SessionToken|TokenValue|X-Amz-Security-Token|"
    r"TokenCode|aws_secret_access_key|aws_session_token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+"
)


def mask_secret(value: str | None) -> None:
    """Never let `value` into the log (nor to standard error through it)."""
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def masked(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    text = _NAMED.sub(lambda m: m[1] + MASK, text)
    text = _SIGNATURE.sub(lambda m: m[1] + MASK, text)
    text = _TOKEN.sub(MASK, text)
    text = _SECRET_KEY.sub(MASK, text)
    return _ACCESS_KEY_ID.sub(lambda m: m[1] + "…", text)


class _Masking(logging.Filter):
    """Masks a record once; the file and the console handler share the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "ssmclient_masked", False):
            return True
        record.ssmclient_masked = True
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        # Host-written text (instance names, tags) stays inert in a terminal.
        record.msg = escape_unsafe(masked(message))
        record.args = None
        return True


class _QuietRetries(logging.Filter):
    """botocore says "Not retrying request." after every answer: not worth a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Not retrying request."


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files (the rotated ones too) only their owner can read."""

    def _open(self) -> "io.TextIOWrapper":  # type: ignore[type-arg,unused-ignore]
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.baseFilename, 0o600)  # made before, by something else: make it private
        return open(descriptor, "a", encoding="utf-8")


def log_path(config_dir: Path) -> Path:
    return config_dir / LOG_DIR / LOG_FILE


def start(config_dir: Path, *, verbose: bool = False, stream: IO[str] | None = None) -> Path | None:
    """Log to the support file (and, `verbose`, to `stream` or stderr); again replaces before.

    Returns the file, or None when it cannot be written (a read-only config
    dir must not stop the program: the log is for support, not for work).
    """
    stop()
    masking = _Masking()
    handlers: list[logging.Handler] = []
    path = log_path(config_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        file_handler: logging.Handler | None = _PrivateRotatingFile(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        file_handler = None
    if file_handler is not None:
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
        )
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        handlers.append(file_handler)
    if verbose:
        console = logging.StreamHandler(stream or sys.stderr)
        console.setFormatter(logging.Formatter("ssmclient: %(levelname)s: %(message)s"))
        console.setLevel(logging.DEBUG)
        # A record already said to the user (the error line; logged with
        # extra={"console": False}) is not said twice.
        console.addFilter(lambda record: getattr(record, "console", True))
        handlers.append(console)
    for handler in handlers:
        handler.addFilter(_QuietRetries())
        handler.addFilter(masking)
        logger.addHandler(handler)
        _installed.append(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    # botocore's own words: its warnings always, and with --verbose its retry
    # decisions (they name no secret). Its debug output quotes whole requests.
    for name in _BOTOCORE_LOGGERS:
        botocore_logger = logging.getLogger(name)
        retries = name != "botocore"
        botocore_logger.setLevel(logging.DEBUG if verbose and retries else logging.WARNING)
        for handler in handlers:
            botocore_logger.addHandler(handler)
        botocore_logger.propagate = False
    return path if file_handler is not None else None


def stop() -> None:
    """Remove what `start` installed (tests and repeated in-process runs)."""
    for handler in _installed:
        for name in ("ssmclient", *_BOTOCORE_LOGGERS):
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    _installed.clear()
