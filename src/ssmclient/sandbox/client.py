"""`Sandbox`: the handle tests and benchmarks hold, talking to a server's control API.

Everything goes over HTTP (`/_sandbox/...`), so a handle works the same for a
server in this process (the pytest fixture) and one in another process
(`ssmclient sandbox`, given its URL and control token).
"""

import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ssmclient.sandbox.control_protocol import TOKEN_HEADER
from ssmclient.sandbox.faults import FAULT_KINDS
from ssmclient.sandbox.request_log import RequestRecord
from ssmclient.sandbox.scenario import Scenario


class SandboxControlError(RuntimeError):
    """The control API refused a request (bad value, wrong token)."""


class Sandbox:
    def __init__(
        self, endpoint_url: str, control_token: str, *, files_dir: Path | None = None
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self._token = control_token
        self._scenario: Scenario | None = None
        # Where env()'s empty AWS config and credentials files live.
        self._files_dir = files_dir

    def _empty_files(self) -> tuple[Path, Path]:
        if self._files_dir is None:
            self._files_dir = Path(tempfile.mkdtemp(prefix="ssmclient-sandbox-env-"))
        config = self._files_dir / "empty-aws-config"
        credentials = self._files_dir / "empty-aws-credentials"
        for path in (config, credentials):
            if not path.exists() or path.stat().st_size:
                path.write_text("", encoding="utf-8")
        return config, credentials

    # -- control API ------------------------------------------------------------
    def _call(self, method: str, path: str, document: dict[str, Any] | None = None) -> Any:
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the sandbox's own http://127.0.0.1
            f"{self.endpoint_url}/_sandbox/{path}",
            data=data,
            method=method,
            headers={TOKEN_HEADER: self._token, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise SandboxControlError(f"{method} /_sandbox/{path}: {exc.code} {detail}") from None

    @property
    def scenario(self) -> Scenario:
        if self._scenario is None:
            self._scenario = Scenario.from_json(self._call("GET", "scenario"))
        return self._scenario

    def reset(self) -> Scenario:
        """Back to the default scenario, faults and log cleared, normal lifetimes."""
        self._scenario = Scenario.from_json(self._call("POST", "reset", {"instances": None}))
        return self._scenario

    def reseed(self, instances: int) -> Scenario:
        """Re-create the scenario (a fresh moto, new ids) with `instances` A instances in the
        primary region. `reset()` afterwards goes back to the default size."""
        if instances < 3:
            raise ValueError("the scenario needs at least 3 A instances (named, unnamed, stopped)")
        document = {"instances": instances, "full": True}
        self._scenario = Scenario.from_json(self._call("POST", "reset", document))
        return self._scenario

    def inject_fault(
        self, action: str, kind: str, *, count: int | None = None, seconds: float = 0.0
    ) -> None:
        """Make the next `count` requests for `action` (all when None) fail or slow down.

        kind: "latency" (answer after `seconds`), "throttle" (the protocol's
        throttling error), "5xx" (its internal error), "drop" (close the
        connection without an answer).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        self._call(
            "POST", "faults", {"action": action, "kind": kind, "count": count, "seconds": seconds}
        )

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def requests(self, action: str | None = None) -> list[RequestRecord]:
        path = "requests" if action is None else f"requests?action={quote(action)}"
        return [RequestRecord.from_json(r) for r in self._call("GET", path)]

    def count(self, action: str) -> int:
        return len(self.requests(action))

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def set_credential_lifetime(self, seconds: int | None) -> None:
        """Cap the lifetime of credentials issued from now on (None: back to normal)."""
        self._call("POST", "lifetime", {"seconds": seconds})

    # -- child processes --------------------------------------------------------
    def env(self, **overrides: str) -> dict[str, str]:
        """An environment for a child process acting as alice against the sandbox.

        Every AWS_* variable of this process is dropped, so no real profile,
        credential or endpoint can leak in; config and credentials files point at
        empty files.
        """
        scenario = self.scenario
        config, credentials = self._empty_files()
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": scenario.alice_access_key_id,
                "AWS_SECRET_ACCESS_KEY": scenario.alice_secret_access_key,
                "AWS_DEFAULT_REGION": scenario.region,
                "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        environment.update(overrides)
        return environment
