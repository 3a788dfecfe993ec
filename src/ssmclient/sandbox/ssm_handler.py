"""Session Manager, which moto does not implement: sessions, their permissions, managed instances.

Every action is authorized against the caller's own IAM policies (see
`permissions`), with the resource IAM would see: StartSession the instance
(with its tags) and the session document, Terminate/ResumeSession the session
(tagged with its starter's `aws:userid`, as SSM does). Actions the caller's
policies do not allow are denied in SSM's own protocol, implemented or not.
Instances come from moto's EC2 store of the caller's account and region;
every running instance counts as a managed instance with an online agent.
"""

import secrets
import time
from typing import Any

from ssmclient.core.aws.iam_policy import Decision
from ssmclient.sandbox import moto_store, permissions
from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.state import SandboxState, SsmSession
from ssmclient.sandbox.wire import AwsRequest, Reply, error_reply, json_reply

KNOWN_DOCUMENTS = frozenset(
    {
        "SSM-SessionManagerRunShell",
        "AWS-StartPortForwardingSession",
        "AWS-StartPortForwardingSessionToRemoteHost",
        "AWS-StartSSHSession",
        "AWS-StartInteractiveCommand",
    }
)
_DEFAULT_DOCUMENT = "SSM-SessionManagerRunShell"
_AGENT_VERSION = "3.3.1142.0"


def _error(code: str, message: str, status: int = 400) -> Reply:
    return error_reply("json", status, code, message)


def _denied(caller: Identity, action: str, resource: str, *, explicit: bool = False) -> Reply:
    message = permissions.not_authorized(caller, "ssm", action, resource, explicit=explicit)
    return _error("AccessDeniedException", message)


def _authorize(
    caller: Identity,
    action: str,
    resource: str,
    region: str,
    tags: dict[str, str] | None = None,
    *,
    shown: str | None = None,
) -> Reply | None:
    """None when the caller's policies allow the action, else AWS's denial."""
    verdict = permissions.decision(caller, f"ssm:{action}", resource, region, tags)
    if verdict is Decision.ALLOW:
        return None
    explicit = verdict is Decision.EXPLICIT_DENY
    return _denied(caller, action, shown or resource, explicit=explicit)


def stream_url(region: str, session_id: str) -> str:
    cell = secrets.token_urlsafe(24)
    return (
        f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}"
        f"?role=publish_subscribe&cell-number={cell}"
    )


def handle(state: SandboxState, request: AwsRequest, caller: Identity) -> Reply | None:
    """The answer to an SSM action, or None for actions left to moto."""
    region = request.region or "us-east-1"
    body = request.json_body()
    action = request.action or ""
    handlers = {
        "StartSession": _start_session,
        "TerminateSession": _terminate_session,
        "ResumeSession": _resume_session,
        "DescribeSessions": _describe_sessions,
        "DescribeInstanceInformation": _describe_instance_information,
    }
    handler = handlers.get(action)
    if handler is None:
        # Not emulated here: moto answers, if this caller may ask at all.
        return _authorize(caller, action, "*", region)
    if action in ("DescribeSessions", "DescribeInstanceInformation"):
        # Neither action has a resource type: IAM authorizes them on "*".
        denied = _authorize(
            caller, action, "*", region, shown=f"arn:aws:ssm:{region}:{caller.account}:*"
        )
        if denied is not None:
            return denied
    return handler(state, caller, region, body)


def document_arn(region: str, account: str, document: str) -> str:
    """AWS's own documents have no account in their ARN."""
    owner = "" if document.startswith("AWS-") else account
    return f"arn:aws:ssm:{region}:{owner}:document/{document}"


def _start_session(
    state: SandboxState, caller: Identity, region: str, body: dict[str, Any]
) -> Reply:
    target = str(body.get("Target", ""))
    named = body.get("DocumentName")
    document = str(named or _DEFAULT_DOCUMENT)
    instance_arn = f"arn:aws:ec2:{region}:{caller.account}:instance/{target}"
    instance = next(
        (i for i in moto_store.instances(caller.account, region) if i.instance_id == target), None
    )
    # IAM decides before SSM looks for the target: a caller without the right
    # is denied whether or not the instance exists (its tags are then none).
    tags = {} if instance is None else dict(instance.tags)
    denied = _authorize(caller, "StartSession", instance_arn, region, tags)
    if denied is not None:
        return denied
    # The document is authorized when one is named, and the default one when a
    # policy asks for that with ssm:SessionDocumentAccessCheck.
    if named or permissions.mentions(caller, "SessionDocumentAccessCheck"):
        denied = _authorize(
            caller, "StartSession", document_arn(region, caller.account, document), region
        )
        if denied is not None:
            return denied
    if instance is None or instance.state != "running":
        return _error("TargetNotConnected", f"{target} is not connected.")
    if document not in KNOWN_DOCUMENTS:
        return _error("InvalidDocument", f"Document with name {document} does not exist.")
    session_id = f"{caller.principal_name}-{secrets.token_hex(9)[:17]}"
    session = SsmSession(
        session_id=session_id,
        account=caller.account,
        region=region,
        target=target,
        owner_arn=caller.arn,
        owner_key=caller.access_key_id,
        document=document,
        reason=body.get("Reason"),
        token=secrets.token_urlsafe(96),
        run_as=permissions.run_as(caller),
        started=time.time(),
        owner_tag=None if "," in (caller.session_name or "") else caller.user_id,
    )
    with state.sessions_lock:
        state.sessions[session_id] = session
    return json_reply(
        {
            "SessionId": session_id,
            "TokenValue": session.token,
            "StreamUrl": stream_url(region, session_id),
        }
    )


def _owned_session(
    state: SandboxState, caller: Identity, region: str, session_id: str, action: str
) -> SsmSession | Reply | None:
    """The session, once the caller's policies allow `action` on it (with its owner tag)."""
    with state.sessions_lock:
        session = state.sessions.get(session_id)
    tags = {}
    if session is not None and session.owner_tag is not None:
        tags[permissions.SESSION_OWNER_TAG] = session.owner_tag
    resource = f"arn:aws:ssm:{region}:{caller.account}:session/{session_id}"
    denied = _authorize(caller, action, resource, region, tags)
    return denied if denied is not None else session


def _terminate_session(
    state: SandboxState, caller: Identity, region: str, body: dict[str, Any]
) -> Reply:
    session_id = str(body.get("SessionId", ""))
    found = _owned_session(state, caller, region, session_id, "TerminateSession")
    if isinstance(found, Reply):
        return found
    if found is not None and found.active:
        found.ended = time.time()
    # Like AWS, terminating an unknown or finished session is not an error.
    return json_reply({"SessionId": session_id})


def _resume_session(
    state: SandboxState, caller: Identity, region: str, body: dict[str, Any]
) -> Reply:
    session_id = str(body.get("SessionId", ""))
    found = _owned_session(state, caller, region, session_id, "ResumeSession")
    if isinstance(found, Reply):
        return found
    if found is None or not found.active:
        return _error("DoesNotExistException", f"Session {session_id} does not exist.")
    found.token = secrets.token_urlsafe(96)
    return json_reply(
        {
            "SessionId": session_id,
            "TokenValue": found.token,
            "StreamUrl": stream_url(region, session_id),
        }
    )


def _page(
    items: list[Any], body: dict[str, Any], default: int, limit: int, minimum: int = 1
) -> tuple[list[Any], str | None] | Reply:
    max_results = int(body.get("MaxResults") or default)
    if not minimum <= max_results <= limit:
        bound = (
            f"greater than or equal to {minimum}"
            if max_results < minimum
            else f"less than or equal to {limit}"
        )
        return _error(
            "ValidationException",
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value {bound}",
        )
    token = body.get("NextToken")
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            return _error("InvalidNextToken", "The specified token is not valid.")
    end = start + max_results
    return items[start:end], (str(end) if end < len(items) else None)


def _describe_sessions(
    state: SandboxState, caller: Identity, region: str, body: dict[str, Any]
) -> Reply:
    wanted_state = body.get("State")
    if wanted_state not in ("Active", "History"):
        return _error("ValidationException", "State must be Active or History.")
    filters = {f["key"]: f["value"] for f in body.get("Filters", [])}
    with state.sessions_lock:
        sessions = [
            s
            for s in state.sessions.values()
            if s.account == caller.account
            and s.region == region
            and s.active == (wanted_state == "Active")
        ]
    selected = [
        s
        for s in sessions
        if filters.get("SessionId", s.session_id) == s.session_id
        and filters.get("Target", s.target) == s.target
        and filters.get("Owner", s.owner_arn) == s.owner_arn
        and filters.get("Status", _status(s)) == _status(s)
    ]
    paged = _page(selected, body, 20, 200)
    if isinstance(paged, Reply):
        return paged
    page, next_token = paged
    answer: dict[str, Any] = {"Sessions": [_session_json(s) for s in page]}
    if next_token:
        answer["NextToken"] = next_token
    return json_reply(answer)


def _status(session: SsmSession) -> str:
    return "Connected" if session.active else "Terminated"


def _session_json(session: SsmSession) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "SessionId": session.session_id,
        "Target": session.target,
        "Status": _status(session),
        "StartDate": session.started,
        "DocumentName": session.document,
        "Owner": session.owner_arn,
    }
    if session.ended is not None:
        entry["EndDate"] = session.ended
    if session.reason:
        entry["Reason"] = session.reason
    return entry


def _instance_filters(body: dict[str, Any]) -> list[tuple[str, list[str]]]:
    found = [(str(f["Key"]), [str(v) for v in f["Values"]]) for f in body.get("Filters", [])]
    found += [
        (str(f["key"]), [str(v) for v in f["valueSet"]])
        for f in body.get("InstanceInformationFilterList", [])
    ]
    return found


def _matches(entry: dict[str, Any], tags: dict[str, str], key: str, values: list[str]) -> bool:
    if key in ("InstanceIds", "InstanceId"):
        return entry["InstanceId"] in values
    if key == "PingStatus":
        return entry["PingStatus"] in values
    if key in ("PlatformTypes", "PlatformType"):
        return entry["PlatformType"] in values
    if key == "ResourceType":
        return entry["ResourceType"] in values
    if key == "tag-key":
        return any(v in tags for v in values)
    if key.startswith("tag:"):
        return tags.get(key[4:]) in values
    return False


def _describe_instance_information(
    state: SandboxState, caller: Identity, region: str, body: dict[str, Any]
) -> Reply:
    del state
    filters = _instance_filters(body)
    known = {
        "InstanceIds",
        "InstanceId",
        "PingStatus",
        "PlatformTypes",
        "PlatformType",
        "ResourceType",
        "tag-key",
    }
    for key, _values in filters:
        if key not in known and not key.startswith("tag:"):
            return _error(
                "InvalidInstanceInformationFilterValue", f"{key} is not a valid filter key."
            )
    # Look at the named instances only: the engine asks in batches of ids, and
    # describing all 2,500 instances of a scale scenario per batch is slow.
    named = [set(values) for key, values in filters if key in ("InstanceIds", "InstanceId")]
    only = frozenset(set.intersection(*named)) if named else None
    now = time.time()
    entries: list[dict[str, Any]] = []
    for instance in moto_store.instances(caller.account, region, only):
        if instance.state in ("terminated", "shutting-down"):
            continue
        ip = instance.private_ip or "10.0.0.1"
        entry: dict[str, Any] = {
            "InstanceId": instance.instance_id,
            "PingStatus": "Online" if instance.state == "running" else "ConnectionLost",
            "LastPingDateTime": now if instance.state == "running" else now - 3600,
            "AgentVersion": _AGENT_VERSION,
            "IsLatestVersion": True,
            "PlatformType": "Windows" if instance.platform == "windows" else "Linux",
            "PlatformName": "Amazon Linux",
            "PlatformVersion": "2023",
            "ResourceType": "EC2Instance",
            "IPAddress": ip,
            "ComputerName": f"ip-{ip.replace('.', '-')}.ec2.internal",
            "SourceId": instance.instance_id,
            "SourceType": "AWS::EC2::Instance",
        }
        if all(_matches(entry, instance.tags, key, values) for key, values in filters):
            entries.append(entry)
    paged = _page(entries, body, 10, 50, minimum=5)  # the API's own range
    if isinstance(paged, Reply):
        return paged
    page, next_token = paged
    answer: dict[str, Any] = {"InstanceInformationList": page}
    if next_token:
        answer["NextToken"] = next_token
    return json_reply(answer)


def _principal(arn: str) -> str:
    """An assumed-role session's role (its ARN without the session name), or the ARN."""
    head, _, _name = arn.rpartition("/")
    return head if ":assumed-role/" in arn else arn


def open_data_channel(state: SandboxState, body: dict[str, Any], caller: Identity | None) -> Reply:
    """What the session program does instead of the websocket: prove the session is real.

    The token must be the current one of an active session, and the credentials
    the program holds must be the same principal's that started it (the real
    plugin signs its websocket with them): the same user, or a session of the
    same role. A plugin given a profile (the AWS CLI's --profile) assumes the role
    itself, under a session name of its own, and works on AWS. A plugin with no
    credentials opens the channel with the token alone, as plugins that do not
    sign the websocket do.
    """
    session_id = str(body.get("SessionId", ""))
    with state.sessions_lock:
        session = state.sessions.get(session_id)
    if (
        session is None
        or not session.active
        or not secrets.compare_digest(session.token, str(body.get("TokenValue", "")))
    ):
        return error_reply("rest-json", 403, "ForbiddenException", "invalid session or token")
    signed = bool(body.get("AccessKeyId"))
    if signed and (caller is None or _principal(caller.arn) != _principal(session.owner_arn)):
        return error_reply(
            "rest-json",
            403,
            "ForbiddenException",
            "credentials are not those that started the session",
        )
    return json_reply(
        {
            "SessionId": session_id,
            "Target": session.target,
            "RunAs": session.run_as,
            "Document": session.document,
        }
    )


def close_data_channel(state: SandboxState, body: dict[str, Any]) -> Reply:
    """The shell on the instance ended: the agent tells SSM, and the session ends."""
    session_id = str(body.get("SessionId", ""))
    with state.sessions_lock:
        session = state.sessions.get(session_id)
    if session is None or not secrets.compare_digest(
        session.token, str(body.get("TokenValue", ""))
    ):
        return error_reply("rest-json", 403, "ForbiddenException", "invalid session or token")
    if session.active:
        session.ended = time.time()
    return json_reply({"SessionId": session_id})
