"""Who is calling: IAM users (moto's keys) and the role sessions the sandbox issued.

moto accepts any access key and never expires anything, so the layer keeps its
own record of every temporary credential it hands out (AssumeRole, SSO), with
its expiry, session token, MFA state and SourceIdentity.
"""

import threading
import time
from dataclasses import dataclass

from ssmclient.core.aws.iam_policy import Caller
from ssmclient.sandbox import moto_store

DEFAULT_LIFETIME_CAP: int | None = None
# The seeding keys' secret: their ids are random and never leave the server process.
ADMIN_SECRET = "sandbox-admin-secret"  # noqa: S105


@dataclass(frozen=True)
class Identity:
    """A caller as IAM policy evaluation sees it."""

    # "user" (long-term keys), "user-session" (GetSessionToken), "assumed-role", "admin"
    kind: str
    arn: str
    account: str
    access_key_id: str
    user_id: str
    role_arn: str | None = None
    session_name: str | None = None
    session_token: str | None = None
    expires_at: float | None = None
    mfa_present: bool = False
    source_identity: str | None = None
    secret_access_key: str | None = None  # what the request must be signed with
    # Role sessions made by sso:GetRoleCredentials count as role sessions for chaining.

    @property
    def is_role_session(self) -> bool:
        return self.kind == "assumed-role"

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.time()) >= self.expires_at

    def as_principal(self) -> Caller:
        return Caller(arn=self.arn, account=self.account, role_arn=self.role_arn)

    @property
    def principal_name(self) -> str:
        """The prefix SSM puts on session ids: RoleSessionName, or the user's name."""
        if self.session_name:
            return self.session_name
        return self.arn.rsplit("/", 1)[-1]


class CredentialRegistry:
    """Temporary credentials issued by the sandbox, and the admin keys used for seeding."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Identity] = {}
        self._admins: dict[str, Identity] = {}
        self.lifetime_cap: int | None = DEFAULT_LIFETIME_CAP

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self.lifetime_cap = DEFAULT_LIFETIME_CAP

    def add_admin(self, access_key_id: str, account: str) -> None:
        """A key that acts as the account's root, for seeding only (never printed)."""
        with self._lock:
            self._admins[access_key_id] = Identity(
                kind="admin",
                arn=f"arn:aws:iam::{account}:root",
                account=account,
                access_key_id=access_key_id,
                user_id=account,
                secret_access_key=ADMIN_SECRET,
            )

    def add_session(self, identity: Identity) -> None:
        with self._lock:
            self._sessions[identity.access_key_id] = identity

    def issued_secrets(self) -> set[str]:
        """Every secret key and session token handed out since the last reset (for tests that
        prove no secret leaks into files, command lines or output)."""
        with self._lock:
            sessions = list(self._sessions.values())
        found = {i.secret_access_key for i in sessions} | {i.session_token for i in sessions}
        return {secret for secret in found if secret}

    def effective_lifetime(self, requested: int) -> int:
        """The lifetime to grant: what was asked for, shortened when a test set a cap."""
        cap = self.lifetime_cap
        return requested if cap is None else min(requested, cap)

    def resolve(self, access_key_id: str) -> Identity | None:
        """The identity behind an access key, or None when nobody issued it."""
        with self._lock:
            found = self._sessions.get(access_key_id) or self._admins.get(access_key_id)
        if found is not None:
            return found
        key = moto_store.find_user_key(access_key_id)
        if key is None or not key.active:
            return None
        return Identity(
            kind="user",
            arn=key.user_arn,
            account=key.account,
            access_key_id=access_key_id,
            user_id=key.user_id,
            secret_access_key=key.secret_access_key,
        )
