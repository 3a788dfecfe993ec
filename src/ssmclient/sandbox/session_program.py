"""A stand-in for session-manager-plugin that accepts what the real one accepts, for the sandbox.

Run as `python -m ssmclient.sandbox.session_program ARGS`, or install it as an
executable named `session-manager-plugin` with `install_stand_in`. It reads
its arguments as aws/session-manager-plugin's `ValidateInputAndStartSession`
does, so any client that works with the real plugin works with it:

- no arguments: "installed successfully"; `--version`: the version; fewer than
  3 arguments: "Unknown operation"; an operation other than StartSession:
  "Invalid Operation" (each printed, exit 0);
- argv[1] is the StartSession response itself (JSON, the legacy form some
  clients use) or the name of an environment variable starting
  `AWS_SSM_START_SESSION_RESPONSE` that holds it; keys beside SessionId,
  TokenValue and StreamUrl are ignored;
- argv[4] (optional) names a profile of the AWS config, which then supplies the
  credentials, as the SDK's shared config does (`credential_process`,
  `AWS_CONFIG_FILE` included); with none, the environment's keys come first,
  then the rest of the default chain (`AWS_PROFILE`, ...);
- argv[5] (optional) is the StartSession request, with its Target; argv[6]
  (optional) the SSM endpoint. Without it the real plugin talks to AWS; the
  stand-in talks only to a sandbox on loopback, then the one AWS_ENDPOINT_URL
  names.

With the credentials so found it proves what the real plugin proves by opening
the websocket: sts:GetCallerIdentity works, and the sandbox confirms the token
is that of an active session started by the same principal (the same user, or
the same role in another session). With no credentials at all (a profile that
does not exist, an empty chain) the real plugin still opens the data channel
with the token, and so does the stand-in. Then it gives a clearly labelled
simulated shell, or for port-forwarding documents opens the local port and
forwards each TCP connection to an echo service, or to
`SSMCLIENT_SANDBOX_FORWARD_TO=127.0.0.1:PORT` when that is set. On exit it
calls no TerminateSession, as the real plugin does not: a shell or SSH
stream that ends is ended by "the instance" (the sandbox is told, as the agent
tells SSM); a plugin stopped otherwise leaves the session open.

Failures print `Cannot perform start session: ...` and exit 0, like the real
plugin, whose exit status is always 0.

Recording (`record_to`): every invocation appends one JSON line to that file,
created with mode 0600: argv, cwd, which AWS_* and SSMCLIENT_* variables were
present with their values, where the response came from (`response_in`: env
or argv), except that secrets (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_SECURITY_TOKEN, the response's TokenValue, and a response passed on the
command line) are stored only as `sha256:<hex>` (`secret_digest`). A client's
own stricter policy (ssmclient: the environment form, an empty profile, no
AWS_PROFILE) is asserted by its tests from that record.
"""

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

RESPONSE_VARIABLE = "AWS_SSM_START_SESSION_RESPONSE"
STAND_IN_NAME = "session-manager-plugin"
DEFAULT_VERSION = "1.2.764.0"
FORWARD_TARGET_VARIABLE = "SSMCLIENT_SANDBOX_FORWARD_TO"
_SECRET_VARIABLES = frozenset(
    {
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "SSMCLIENT_MFA_CODE",
        "SSMCLIENT_SANDBOX_TOKEN",
        "SSMCLIENT_CREDENTIAL_FEED",
    }
)
# aws/session-manager-plugin: session.go
LEGACY_ARGUMENT_LENGTH = 4
INSTALLED_MESSAGE = (
    "\nThe Session Manager plugin was installed successfully. "
    "Use the AWS CLI to start a session.\n\n"
)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_SESSION_ID = re.compile(r"[\w+=,.@-]{2,64}-[0-9a-f]{8,32}")
_VERSION = re.compile(r"\d+(\.\d+){1,3}")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_SHELL_DOCUMENTS = frozenset({"SSM-SessionManagerRunShell", "AWS-StartInteractiveCommand"})
_FORWARD_DOCUMENTS = frozenset(
    {"AWS-StartPortForwardingSession", "AWS-StartPortForwardingSessionToRemoteHost"}
)


class SessionError(Exception):
    """Something the real plugin would refuse or fail on."""


class _Said(Exception):  # noqa: N818 - not a failure: what the real plugin prints and stops at
    """What the real plugin prints, without "Cannot perform start session", before it stops."""


def secret_digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


# -- recording ------------------------------------------------------------------
def _recorded_payload(text: str) -> Any:
    try:
        payload = json.loads(text)
    except ValueError:
        return secret_digest(text)
    if isinstance(payload, dict) and isinstance(payload.get("TokenValue"), str):
        payload = dict(payload, TokenValue=secret_digest(payload["TokenValue"]))
    return payload


def record_invocation(record_to: Path, argv: list[str], environ: dict[str, str]) -> None:
    relevant = sorted(k for k in environ if k.startswith(("AWS_", "SSMCLIENT_")))
    values: dict[str, str] = {}
    for name in relevant:
        value = environ[name]
        if name in _SECRET_VARIABLES or name == RESPONSE_VARIABLE:
            value = secret_digest(value)
        values[name] = value
    recorded_argv = list(argv)
    payload: Any = None
    response_in = None
    if len(argv) > 1 and argv[1].startswith(RESPONSE_VARIABLE):
        response_in = "env"
        payload = _recorded_payload(environ[argv[1]]) if argv[1] in environ else None
    elif len(argv) > 1 and argv[1].lstrip().startswith("{"):
        response_in = "argv"
        payload = _recorded_payload(argv[1])
        recorded_argv[1] = secret_digest(argv[1])
    record = {
        "time": time.time(),
        "pid": os.getpid(),
        "argv": recorded_argv,
        "cwd": str(Path.cwd()),
        "env_present": relevant,
        "env": values,
        "response_in": response_in,
        "payload": payload,
    }
    descriptor = os.open(record_to, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")


def read_records(record_to: Path) -> list[dict[str, Any]]:
    """The invocations recorded so far, oldest first ([] when there were none)."""
    if not record_to.exists():
        return []
    lines = record_to.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# -- checking the contract -------------------------------------------------------
def _check_arguments(argv: list[str], environ: dict[str, str]) -> dict[str, Any]:
    """The call, read from argv as the real plugin reads it."""
    if len(argv) == 1:
        raise _Said(INSTALLED_MESSAGE)
    if len(argv) < LEGACY_ARGUMENT_LENGTH:
        raise _Said(
            f"\nUnknown operation {argv[1]}. \nUse session-manager-plugin --version to check "
            "the version.\n\n"
        )
    first, region, operation = argv[1], argv[2], argv[3]
    response_in = "env" if first.startswith(RESPONSE_VARIABLE) else "argv"
    response_text = environ.get(first, "") if response_in == "env" else first
    profile = argv[4] if len(argv) > 4 else ""
    parameters: Any = {}
    if len(argv) > 5:
        try:
            parameters = json.loads(argv[5])
        except ValueError:
            parameters = {}  # the real plugin ignores the error, then needs the Target
        if not isinstance(parameters, dict) or not isinstance(parameters.get("Target"), str):
            raise SessionError("argv[5] holds no Target (the real plugin panics here)")
    endpoint = argv[6] if len(argv) > 6 else ""
    if operation != "StartSession":
        raise _Said("Invalid Operation")
    try:
        payload = json.loads(response_text)
    except ValueError as exc:
        raise SessionError(f"the StartSession response is not JSON: {exc}") from None
    wanted = ("SessionId", "TokenValue", "StreamUrl")
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), str) and payload[key] for key in wanted
    ):
        raise SessionError(
            "the response needs SessionId, TokenValue and StreamUrl (the real plugin panics)"
        )
    if not _REGION.fullmatch(region):
        raise SessionError(f"argv[2] is not a region: {region!r}")
    session_id = payload["SessionId"]
    if not _SESSION_ID.fullmatch(session_id):
        raise SessionError(f"not a session id: {session_id!r}")
    stream = urlsplit(payload["StreamUrl"])
    if (
        stream.scheme != "wss"
        or stream.hostname != f"ssmmessages.{region}.amazonaws.com"
        or stream.path != f"/v1/data-channel/{session_id}"
    ):
        raise SessionError("StreamUrl is not this session's data channel in this region")
    if not endpoint:
        # The real plugin would use AWS's own endpoint; the stand-in only the sandbox's.
        endpoint = environ.get("AWS_ENDPOINT_URL_SSM") or environ.get("AWS_ENDPOINT_URL") or ""
        if not endpoint:
            raise SessionError("no argv[6] and no AWS_ENDPOINT_URL: the stand-in calls no AWS")
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise SessionError(f"argv[6] is not an endpoint URL: {endpoint!r}")
    return {
        "session_id": session_id,
        "token": payload["TokenValue"],
        "region": region,
        "profile": profile,
        "parameters": parameters,
        "endpoint": endpoint,
        "response_in": response_in,
    }


def _credentials(profile: str) -> Any:
    """The credentials the plugin's SDK session would use (shared config enabled): the
    named profile's when argv[4] names one, else the default chain, environment first.
    None when there are none: the SDK ignores a profile that does not exist (and then
    skips the environment), and the plugin goes on with the token alone."""
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session(profile=profile or None)
    if profile and profile not in session.available_profiles:
        return None
    try:
        found = session.get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise SessionError(f"cannot load credentials: {exc}") from None
    return None if found is None else found.get_frozen_credentials()


def _client(service: Any, call: dict[str, Any], credentials: Any) -> Any:
    """A client of the sandbox holding the credentials the plugin's SDK would hold."""
    import boto3
    import botocore.config

    session = boto3.session.Session(
        aws_access_key_id=None if credentials is None else credentials.access_key,
        aws_secret_access_key=None if credentials is None else credentials.secret_key,
        aws_session_token=None if credentials is None else credentials.token,
        region_name=str(call["region"]),
    )
    config = botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"})
    return session.client(service, endpoint_url=str(call["endpoint"]), config=config)


def _verify_with_sandbox(call: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """What the real plugin proves by opening the websocket, asked of the sandbox."""
    endpoint = str(call["endpoint"])
    if urlsplit(endpoint).hostname not in _LOOPBACK:
        raise SessionError(f"{endpoint} is not a sandbox endpoint; the stand-in never calls AWS")
    import botocore.exceptions

    credentials = _credentials(str(call["profile"]))
    if credentials is not None:
        try:
            # The sandbox checks below that this is the principal that started the session.
            _client("sts", call, credentials).get_caller_identity()
        except botocore.exceptions.ClientError as exc:
            raise SessionError(f"the credentials in the environment do not work: {exc}") from None
    import urllib.error
    import urllib.request

    body = json.dumps(
        {
            "SessionId": call["session_id"],
            "TokenValue": call["token"],
            # None: the websocket opened with the token alone (no credentials to sign).
            "AccessKeyId": None if credentials is None else credentials.access_key,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback checked above
        endpoint.rstrip("/") + "/_sandbox/data-channel", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            channel: dict[str, Any] = json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise SessionError(f"the data channel refused the session: {exc.read().decode()}") from None
    return channel


# -- what the user sees ------------------------------------------------------------
def _resume(call: dict[str, Any], session_id: str, stdout: TextIO) -> None:
    """ResumeSession with the credentials the plugin would hold now (its profile's are
    loaded again, so a credential_process runs again), as after a dropped websocket."""

    try:
        _client("ssm", call, _credentials(str(call["profile"]))).resume_session(
            SessionId=session_id
        )
        stdout.write(f"\nResumed session {session_id}.\n")
    except Exception as exc:  # the real plugin logs it and gives up the session
        stdout.write(f"\nCannot resume session {session_id}: {exc}\n")
    stdout.flush()


def _close_channel(call: dict[str, Any]) -> None:
    """What the agent does when the shell on the instance ends: the session ends."""
    import urllib.error
    import urllib.request

    body = json.dumps({"SessionId": call["session_id"], "TokenValue": call["token"]}).encode()
    request = urllib.request.Request(  # noqa: S310 - the loopback endpoint checked before
        str(call["endpoint"]).rstrip("/") + "/_sandbox/data-channel/close", data=body, method="POST"
    )
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def _simulated_shell(channel: dict[str, Any], stdin: TextIO, stdout: TextIO) -> None:
    target, run_as = channel["Target"], channel.get("RunAs") or "ssm-user"
    stdout.write(f"sandbox session on {target} as {run_as}; no real instance\n")
    while True:
        stdout.write("sh-5.2$ ")
        stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            stdout.write("^C\n")
            continue
        if not line:
            break
        command = line.strip()
        if command in ("exit", "logout"):
            break
        if command == "whoami":
            stdout.write(f"{run_as}\n")
        elif command == "hostname":
            stdout.write(f"sandbox-{target}\n")
        elif command:
            stdout.write(f"sandbox: no real instance, nothing was run: {command}\n")


class _StopError(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _StopError


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (sink, source):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _serve_connection(client: socket.socket, target: tuple[str, int] | None) -> None:
    with client:
        if target is None:
            try:
                while chunk := client.recv(65536):
                    client.sendall(chunk)
            except OSError:
                pass
            return
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError:
            return
        with upstream:
            upstream.settimeout(None)
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join(timeout=5)


def _forward_target(environ: dict[str, str]) -> tuple[str, int] | None:
    value = environ.get(FORWARD_TARGET_VARIABLE)
    if not value:
        return None
    host, _, port = value.rpartition(":")
    if host not in _LOOPBACK or not port.isdigit():
        raise SessionError(f"{FORWARD_TARGET_VARIABLE} must be 127.0.0.1:PORT")
    return host, int(port)


def _port_forwarding(call: dict[str, Any], environ: dict[str, str], stdout: TextIO) -> None:
    parameters = call["parameters"].get("Parameters") or {}
    local = (parameters.get("localPortNumber") or ["0"])[0]
    if not str(local).isdigit() or not 0 <= int(local) <= 65535:
        raise SessionError(f"localPortNumber is not a port: {local!r}")
    if not parameters.get("portNumber"):
        raise SessionError("portNumber is missing")
    target = _forward_target(environ)
    listener = socket.create_server(("127.0.0.1", int(local)))
    session_id = call["session_id"]
    with listener:
        stdout.write(f"Port {listener.getsockname()[1]} opened for sessionId {session_id}.\n")
        stdout.write("Waiting for connections...\n")
        stdout.flush()
        while True:
            client, _ = listener.accept()
            stdout.write(f"\nConnection accepted for session [{session_id}]\n")
            stdout.flush()
            threading.Thread(target=_serve_connection, args=(client, target), daemon=True).start()


def _ssh_stream(stdin: TextIO, stdout: TextIO) -> None:
    # AWS-StartSSHSession is an ssh ProxyCommand: bytes in on stdin, out on stdout.
    stdout.flush()
    source, sink = stdin.fileno(), stdout.fileno()
    while chunk := os.read(source, 65536):
        os.write(sink, chunk)


def run(argv: list[str], environ: dict[str, str], stdin: TextIO, stdout: TextIO) -> None:
    call = _check_arguments(argv, environ)
    channel = _verify_with_sandbox(call, environ)
    document = call["parameters"].get("DocumentName") or "SSM-SessionManagerRunShell"
    session_id = call["session_id"]
    stdout.write(f"\nStarting session with SessionId: {session_id}\n")
    stdout.flush()
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    # SIGUSR1 stands for a dropped connection: the real plugin then calls
    # ResumeSession, with the credentials its SDK session holds now.
    previous_usr1 = None
    if hasattr(signal, "SIGUSR1"):
        previous_usr1 = signal.signal(
            signal.SIGUSR1, lambda _n, _f: _resume(call, session_id, stdout)
        )
    closed_by_the_instance = False
    try:
        if document in _SHELL_DOCUMENTS:
            _simulated_shell(channel, stdin, stdout)
            closed_by_the_instance = True
        elif document in _FORWARD_DOCUMENTS:
            _port_forwarding(call, environ, stdout)
        elif document == "AWS-StartSSHSession":
            _ssh_stream(stdin, stdout)
            closed_by_the_instance = True
        else:
            raise SessionError(f"the sandbox does not simulate document {document}")
    except (_StopError, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_usr1 is not None:
            signal.signal(signal.SIGUSR1, previous_usr1)
    # The real plugin calls no TerminateSession when a session ends: a shell that
    # exits is ended by the agent on the instance, which the sandbox is told here;
    # a plugin stopped otherwise leaves the session open until its idle timeout,
    # or until the client terminates it.
    if closed_by_the_instance:
        _close_channel(call)
    stdout.write(f"\n\nExiting session with sessionId: {session_id}.\n\n")
    stdout.flush()


def main(
    argv: list[str] | None = None,
    *,
    version: str = DEFAULT_VERSION,
    record_to: Path | None = None,
) -> int:
    arguments = list(sys.argv if argv is None else argv)
    environ = dict(os.environ)
    if record_to is not None:
        record_invocation(record_to, arguments, environ)
    if arguments[1:] == ["--version"]:
        print(version)
        return 0
    try:
        run(arguments, environ, sys.stdin, sys.stdout)
    except _Said as said:
        print(said.args[0], end="", flush=True)
    except SessionError as exc:
        print(f"Cannot perform start session: {exc}", flush=True)
    except OSError as exc:
        print(f"Cannot perform start session: {exc}", flush=True)
    return 0  # like the real plugin: failures show only as text


def install_stand_in(
    directory: Path, *, version: str = DEFAULT_VERSION, record_to: Path | None = None
) -> Path:
    """Write an executable `session-manager-plugin` into `directory` that runs this module.

    The script starts this interpreter directly (a shebang, no shell), and every
    value is written as a Python literal, so nothing in it is interpreted by a
    shell. POSIX only.
    """
    if os.name == "nt":
        raise NotImplementedError("the stand-in plugin is a POSIX executable script")
    if not _VERSION.fullmatch(version):
        raise ValueError(f"not a plugin version: {version!r}")
    interpreter = sys.executable
    if not interpreter or re.search(r"\s", interpreter) or len(interpreter) > 120:
        raise ValueError(f"cannot use {interpreter!r} in a shebang line")
    package_root = str(Path(__file__).resolve().parents[2])
    record = None if record_to is None else str(Path(record_to).resolve())
    script = (
        f"#!{interpreter}\n"
        "# ssmclient sandbox stand-in for session-manager-plugin: no real AWS, no real instance.\n"
        "import sys\n"
        f"sys.path.insert(0, {package_root!r})\n"
        "from pathlib import Path\n"
        "from ssmclient.sandbox.session_program import main\n"
        f"record = {record!r}\n"
        f"sys.exit(main(sys.argv, version={version!r}, "
        "record_to=None if record is None else Path(record)))\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STAND_IN_NAME
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path


if __name__ == "__main__":
    sys.exit(main())
