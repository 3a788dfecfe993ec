"""Fresh hop-2 credentials for the plugins a running ssmclient started.

Role chaining caps the host role's credentials at one hour, and the plugin
makes AWS calls of its own with the credentials it holds (ResumeSession after
a dropped connection, TerminateSession): with a frozen copy, a forward dies
about an hour in. So while ssmclient runs (the window, `forward`, an inline
shell, `ssh-proxy`), its plugins get a profile instead: argv[4] names
`ssmclient-session` in an AWS config of their own whose `credential_process`
is this ssmclient's `__credentials` helper. The helper asks the ssmclient that
started the plugin, over a private local socket (a 0700 directory, the peer's
uid checked, a one-time key that travels only in the plugin's environment,
never in argv or a file), for the role chain's current credentials.

aws/session-manager-plugin's SDK session (aws-sdk-go v1, shared config
enabled) loads the profile argv[4] names, honours AWS_CONFIG_FILE and runs
credential_process (`sh -c` on Unix). The plugin also keeps the first
credentials in its environment, and when the ssmclient that started it has
exited the helper hands those out, with their own expiry: the plugin is then
where it would be without the feed.
"""

import atexit
import contextlib
import json
import os
import secrets
import shlex
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Client, Listener
from pathlib import Path

from ssmclient.core.terminals.handoff import peer_uid, ssmclient_command

PROFILE_NAME = "ssmclient-session"
HELPER_COMMAND = "__credentials"
KEY_VARIABLE = "SSMCLIENT_CREDENTIAL_FEED"
# The first credentials' expiry, for the helper's fall-back (the SDK ignores it).
EXPIRATION_VARIABLE = "AWS_CREDENTIAL_EXPIRATION"


@dataclass(frozen=True)
class FedCredentials:
    access_key: str
    secret_key: str
    token: str | None
    expiration: datetime

    def process_output(self) -> dict[str, object]:
        """credential_process's output (version 1), as the SDKs read it."""
        output: dict[str, object] = {
            "Version": 1,
            "AccessKeyId": self.access_key,
            "SecretAccessKey": self.secret_key,
            "Expiration": self.expiration.isoformat(),
        }
        if self.token:
            output["SessionToken"] = self.token
        return output


class CredentialFeed:
    """Serves `fetch()`'s credentials to this user's `__credentials` helpers, one per request."""

    def __init__(self, fetch: Callable[[], FedCredentials]) -> None:
        self._fetch = fetch
        self._fetch_lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        self._directory = tempfile.mkdtemp(prefix="ssmclient-feed-")  # created 0700
        self.address = os.path.join(self._directory, "feed")
        self._listener = Listener(self.address, family="AF_UNIX", authkey=self._key)
        self.config_file = Path(self._directory) / "aws-config"
        command = shlex.join([*ssmclient_command(), HELPER_COMMAND, self.address])
        descriptor = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as config:
            config.write(f"[profile {PROFILE_NAME}]\ncredential_process = {command}\n")
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="credential-feed", daemon=True)
        self._thread.start()
        atexit.register(self.close)  # its directory goes with the process

    def plugin_environment(self) -> dict[str, str]:
        """What a plugin's environment needs to use the feed (with argv[4] = PROFILE_NAME)."""
        return {
            "AWS_CONFIG_FILE": str(self.config_file),
            # Nothing of the user's own credentials file may shadow the profile.
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            KEY_VARIABLE: self._key.hex(),
        }

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection = self._listener.accept()
            except Exception:  # noqa: S112 - a wrong key or a closed listener: the next, or the end
                continue
            with connection:
                if self._closed.is_set():
                    return
                uid = peer_uid(connection)
                if uid is not None and hasattr(os, "getuid") and uid != os.getuid():
                    continue
                try:
                    with self._fetch_lock:
                        answer: dict[str, object] = self._fetch().process_output()
                except Exception as exc:  # the chain's own one-line message, or its type
                    answer = {"Error": str(getattr(exc, "message", "") or type(exc).__name__)}
                with contextlib.suppress(OSError):
                    connection.send_bytes(json.dumps(answer).encode())

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        # accept() does not return when its listener is closed under it: wake it once.
        with contextlib.suppress(Exception), Client(self.address, family="AF_UNIX"):
            pass
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(2)
        shutil.rmtree(self._directory, ignore_errors=True)


def _fallback(environ: Mapping[str, str]) -> dict[str, object] | None:
    """The plugin's first credentials, from its environment, with their own expiry."""
    key, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    try:
        expiration = datetime.fromisoformat(environ.get(EXPIRATION_VARIABLE, ""))
    except ValueError:
        return None
    if not (key and secret):
        return None
    return FedCredentials(
        key, secret, environ.get("AWS_SESSION_TOKEN"), expiration
    ).process_output()


def run_credentials_helper(argv: Sequence[str]) -> int:
    """`ssmclient __credentials ADDRESS`: the plugin's credential_process."""
    if len(argv) != 2 or argv[0] != HELPER_COMMAND:
        sys.stderr.write("ssmclient: usage: ssmclient __credentials ADDRESS\n")
        return 2
    answer: dict[str, object] | None = None
    problem = "the ssmclient that started this session is no longer running"
    key = os.environ.get(KEY_VARIABLE, "")
    try:
        with Client(argv[1], family="AF_UNIX", authkey=bytes.fromhex(key)) as connection:
            answer = json.loads(connection.recv_bytes(1 << 16))
    except Exception as exc:  # gone, refused, a wrong key: the fall-back below
        problem = f"{problem} ({type(exc).__name__})"
    if isinstance(answer, dict) and "Error" in answer:
        problem, answer = str(answer["Error"]), None
    if answer is None:
        answer = _fallback(os.environ)
    if answer is None:
        sys.stderr.write(f"ssmclient: no credentials for the plugin: {problem}\n")
        return 1
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0
