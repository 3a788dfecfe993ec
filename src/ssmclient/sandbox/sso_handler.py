"""sso:GetRoleCredentials (the SSO portal API), which moto does not implement.

How it works: botocore's SSO credential provider reads the access token from its
token cache (~/.aws/sso/cache, or wherever the test points it) and calls
`GET /federation/credentials?role_name=R&account_id=A` with the token in the
`x-amz-sso_bearer_token` header. Any non-empty token is accepted (botocore
itself refuses expired ones before calling). For the partner account the
sandbox answers with one-hour credentials of the role session
`arn:aws:sts::<partner>:assumed-role/AWSReservedSSO_<R>_5ae1f0c3d2b4a697/alice`:
alice-equivalent rights, i.e. it may assume the partner roles (they trust the
partner account) and nothing in EC2 or SSM. Any other account gets
ForbiddenException ("No access"), as for a user without an assignment there.
As with every sandbox credential the lifetime follows `set_credential_lifetime`.
"""

import secrets
import time

from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.scenario import PARTNER_ACCOUNT
from ssmclient.sandbox.state import SandboxState
from ssmclient.sandbox.wire import SSO_TOKEN_HEADER, AwsRequest, Reply, error_reply, json_reply

_ROLE_SUFFIX = "5ae1f0c3d2b4a697"
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def get_role_credentials(state: SandboxState, request: AwsRequest) -> Reply:
    token = request.header(SSO_TOKEN_HEADER)
    if not token:
        return error_reply(
            "rest-json", 401, "UnauthorizedException", "Session token not found or invalid"
        )
    role_name = (request.query.get("role_name") or [""])[0]
    account = (request.query.get("account_id") or [""])[0]
    if account != PARTNER_ACCOUNT or not role_name:
        return error_reply("rest-json", 403, "ForbiddenException", "No access")
    lifetime = state.credentials.effective_lifetime(3600)
    expires_at = time.time() + lifetime
    role = f"AWSReservedSSO_{role_name}_{_ROLE_SUFFIX}"
    access_key = "ASIA" + "".join(secrets.choice(_ALPHABET) for _ in range(16))
    secret_key = secrets.token_urlsafe(30)[:40]
    session_token = secrets.token_urlsafe(120)
    state.credentials.add_session(
        Identity(
            kind="assumed-role",
            arn=f"arn:aws:sts::{account}:assumed-role/{role}/alice",
            account=account,
            access_key_id=access_key,
            user_id=f"AROA{secrets.token_hex(8).upper()}:alice",
            role_arn=f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{role}",
            session_name="alice",
            session_token=session_token,
            secret_access_key=secret_key,
            expires_at=expires_at,
        )
    )
    return json_reply(
        {
            "roleCredentials": {
                "accessKeyId": access_key,
                "secretAccessKey": secret_key,
                "sessionToken": session_token,
                "expiration": int(expires_at * 1000),
            }
        }
    )
