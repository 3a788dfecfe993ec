"""The control API under `/_sandbox/`, so another process sees and steers the same state.

Every endpoint but `data-channel` needs the server's control token in the
`X-Sandbox-Token` header: the server listens on loopback, but other local users
must not be able to reseed it or read its log.

    GET    /_sandbox/scenario             the seeded scenario (JSON)
    POST   /_sandbox/reset                {"instances": N|null, "full": bool}: back to the
                                          seeded scenario (a fresh moto when `full`, or
                                          when anything changed it)
    POST   /_sandbox/faults               {"action", "kind", "count", "seconds"}
    DELETE /_sandbox/faults
    GET    /_sandbox/requests[?action=X]  the request log
    DELETE /_sandbox/requests
    POST   /_sandbox/lifetime             {"seconds": N|null}: cap on new credentials
    GET    /_sandbox/keyring?service=S&username=U    the sandbox keyring's entry
    PUT    /_sandbox/keyring              {"service", "username", "password"}
    DELETE /_sandbox/keyring              {"service", "username"}
    POST   /_sandbox/data-channel         {"SessionId","TokenValue","AccessKeyId"}: the
                                          session program's stand-in for the websocket
    POST   /_sandbox/data-channel/close   {"SessionId","TokenValue"}: the shell ended on
                                          the instance (what the agent tells SSM)
"""

import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from ssmclient.sandbox import ssm_handler
from ssmclient.sandbox.state import SandboxState
from ssmclient.sandbox.wire import Reply, error_reply, json_reply

_TOKEN_ENVIRON = "HTTP_X_SANDBOX_TOKEN"  # noqa: S105


class Control:
    def __init__(self, state: SandboxState, token: str, reset: Callable[..., object]) -> None:
        self.state = state
        self.token = token
        self._reset = reset

    def __call__(self, environ: dict[str, Any], body: bytes) -> Reply:
        path = str(environ.get("PATH_INFO", ""))[len("/_sandbox/") :]
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            document = json.loads(body) if body else {}
        except ValueError:
            return _bad("body is not JSON")
        if not isinstance(document, dict):
            return _bad("body must be a JSON object")
        if path == "data-channel/close" and method == "POST":
            return ssm_handler.close_data_channel(self.state, document)
        if path == "data-channel" and method == "POST":
            key = str(document.get("AccessKeyId", ""))
            caller = self.state.credentials.resolve(key) if key else None
            return ssm_handler.open_data_channel(self.state, document, caller)
        if not secrets.compare_digest(str(environ.get(_TOKEN_ENVIRON, "")), self.token):
            return error_reply(
                "rest-json", 403, "ForbiddenException", "missing or wrong control token"
            )
        try:
            return self._route(method, path, document, str(environ.get("QUERY_STRING", "")))
        except (ValueError, TypeError, KeyError) as exc:
            return _bad(str(exc))

    def _route(self, method: str, path: str, document: dict[str, Any], query: str) -> Reply:
        state = self.state
        if (method, path) == ("GET", "scenario"):
            if state.scenario is None:
                return _bad("not seeded yet")
            return json_reply(state.scenario.to_json())
        if (method, path) == ("POST", "reset"):
            instances = document.get("instances")
            self._reset(
                None if instances is None else int(instances), full=bool(document.get("full"))
            )
            assert state.scenario is not None
            return json_reply(state.scenario.to_json())
        if (method, path) == ("POST", "faults"):
            count = document.get("count")
            state.faults.add(
                str(document["action"]),
                str(document["kind"]),
                None if count is None else int(count),
                float(document.get("seconds", 0.0)),
            )
            return json_reply({})
        if (method, path) == ("DELETE", "faults"):
            state.faults.clear()
            return json_reply({})
        if (method, path) == ("GET", "requests"):
            actions = parse_qs(query).get("action")
            action = actions[0] if actions else None
            return json_reply([r.to_json() for r in state.log.records(action)])
        if (method, path) == ("DELETE", "requests"):
            state.log.clear()
            return json_reply({})
        if (method, path) == ("POST", "lifetime"):
            seconds = document.get("seconds")
            if seconds is not None and int(seconds) < 1:
                raise ValueError("seconds must be at least 1")
            state.credentials.lifetime_cap = None if seconds is None else int(seconds)
            return json_reply({})
        if path == "keyring":
            return self._keyring(method, document, query)
        return error_reply("rest-json", 404, "NotFound", f"no control endpoint {method} {path}")

    def _keyring(self, method: str, document: dict[str, Any], query: str) -> Reply:
        state = self.state
        if method == "GET":
            parsed = parse_qs(query)
            key = (parsed["service"][0], parsed["username"][0])
            with state.keyring_lock:
                return json_reply({"password": state.keyring.get(key)})
        key = (str(document["service"]), str(document["username"]))
        if method == "PUT":
            with state.keyring_lock:
                state.keyring[key] = str(document["password"])
            return json_reply({})
        if method == "DELETE":
            with state.keyring_lock:
                deleted = state.keyring.pop(key, None) is not None
            return json_reply({"deleted": deleted})
        return error_reply("rest-json", 405, "MethodNotAllowed", f"{method} keyring")


def _bad(message: str) -> Reply:
    return error_reply("rest-json", 400, "BadRequest", message)
