"""The two-hop role chain: partner identity -> their own role (hop 1) -> the host's role (hop 2).

Both hops yield botocore refreshable credentials: botocore itself calls
AssumeRole again shortly before they expire, under its own lock, so there is
no timer of ours. Hop 1 is refreshed only when it really must be, so an MFA
code is asked for only then. Credentials stay in memory; nothing is written.
"""

import getpass
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.client import BaseClient
from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ssmclient.core.aws import naming
from ssmclient.core.aws.client_config import ClientSettings, settings_from_env
from ssmclient.core.aws.source_credentials import session_with_credentials, source_session
from ssmclient.core.aws.step_errors import (
    SOURCE_STEP,
    from_exception,
    hop1_step,
    hop2_step,
)
from ssmclient.core.diagnostic_log import mask_secret
from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.profile_model import PartyProfile, ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.text import quoted

if TYPE_CHECKING:
    from types_boto3_sts.client import STSClient

# Role chaining caps a session at one hour; asking for more is an error.
MAX_CHAINED_DURATION = 3600
# What a session-manager-plugin must have left when it starts (it keeps them).
PLUGIN_MIN_LIFETIME = 15 * 60

logger = logging.getLogger(__name__)

MfaPrompt = Callable[[str], str]
"""Given the MFA device serial, returns the 6-digit code (CLI: terminal or env; GUI: a dialog)."""


# botocore's default refresh windows (advisory 15 min, mandatory 10 min before
# expiry) would refresh 15-minute sessions on every request; these keep a
# refresh to when it is due (seconds before expiry).
REFRESH_WINDOWS = {"advisory_timeout": 5 * 60, "mandatory_timeout": 2 * 60}
# With MFA an advisory refresh would ask the user for a code well before it is
# needed; with both windows equal, hop 1 is renewed only when it must be.
MFA_REFRESH_WINDOWS = {"advisory_timeout": 2 * 60, "mandatory_timeout": 2 * 60}


@dataclass(frozen=True)
class ChainSettings:
    role_arn: str
    external_id: str = field(repr=False)
    region: str
    session_name: str
    source_role_arn: str | None = None
    source_identity: str | None = None  # set on every hop when not None
    duration: int = MAX_CHAINED_DURATION
    mfa_serial: str | None = None
    host_contact: str | None = None


@dataclass(frozen=True)
class HopResult:
    role_arn: str
    assumed_role_arn: str
    expiration: datetime


def default_session_name() -> str:
    """The local user name as a valid RoleSessionName (it shows in the host's CloudTrail)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        user = ""
    cleaned = re.sub(r"[^A-Za-z0-9_=.@+-]", "-", user).strip("-")[:64]
    if len(cleaned) < 2:
        cleaned = ("ssmclient-" + cleaned).rstrip("-")
    return cleaned


def ensure_not_expired(profile: PartyProfile) -> None:
    if profile.is_expired():
        assert profile.expires is not None
        raise SsmClientError(
            f"profile {quoted(profile.name)} expired on {profile.expires.isoformat()}: "
            "it no longer connects; ask the host for a new profile file"
        )


def chain_settings(record: ProfileRecord, external_id: str) -> ChainSettings:
    profile = record.profile
    session_name = record.source.session_name or default_session_name()
    reason = naming.check_session_name(session_name)
    if reason:
        raise InputError(f"session name: {reason}")
    duration = min(profile.session_duration or MAX_CHAINED_DURATION, MAX_CHAINED_DURATION)
    return ChainSettings(
        role_arn=profile.role_arn,
        external_id=external_id,
        region=profile.region,
        session_name=session_name,
        source_role_arn=record.effective_source_role_arn,
        source_identity=session_name if profile.source_identity else None,
        duration=duration,
        mfa_serial=record.source.mfa_serial,
        host_contact=profile.host.contact,
    )


class _HostRoleCredentials(Credentials):
    """What the host role's clients sign with: hop 2's credentials of the moment.

    The first request signed with them signs in, if nobody has yet. So a
    client can be made before the sign-in: the listing makes its own while the
    AssumeRole calls wait on AWS. And a chain signed in again (`ensure_fresh`)
    is used at once by the clients made before.
    """

    def __init__(self, chain: "RoleChain") -> None:
        # Credentials.__init__ would store keys; these have none of their own.
        self._chain = chain
        self.method = "ssmclient-assume-role"

    def _now(self) -> RefreshableCredentials:
        return self._chain.credentials()

    @property
    def access_key(self) -> str:  # type: ignore[override]
        return self._now().access_key

    @property
    def secret_key(self) -> str:  # type: ignore[override]
        return self._now().secret_key

    @property
    def token(self) -> str:  # type: ignore[override]
        return self._now().token

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        return self._now().get_frozen_credentials()

    def get_deferred_property(self, property_name: str) -> Callable[[], Any]:
        return lambda: getattr(self._now(), property_name, None)


class RoleChain:
    """Hop 1 (skipped without a source role), then hop 2 with the External ID.

    Use `host_session()` / `client()` for calls as the host's role; the
    credentials behind them refresh themselves, and their first request signs
    in if `hop2()` has not been called. Not for use from several threads at
    once, except for the clients it hands out (botocore clients are
    thread-safe, sessions are not) and the sign-in itself (a lock keeps it to
    one AssumeRole, whichever thread asks first).
    """

    def __init__(
        self,
        source: botocore.session.Session,
        settings: ChainSettings,
        *,
        mfa_prompt: MfaPrompt | None = None,
        client_settings: ClientSettings | None = None,
    ) -> None:
        self.settings = settings
        self.client_settings = client_settings or settings_from_env()
        self._source = source
        self._mfa_prompt = mfa_prompt
        self._config = self.client_settings.botocore_config(source)
        self._source_sts: STSClient | None = None
        self._hop1: tuple[Credentials, HopResult | None] | None = None
        self._hop2: tuple[RefreshableCredentials, HopResult] | None = None
        self._host_session: botocore.session.Session | None = None
        self._mfa_codes: list[str] = []  # only to mask them in messages
        # hop2() from any thread: the host role's clients sign in on first use.
        self._signing_in = threading.RLock()
        # Set when the sign-in first waits (for AWS's answer, or for the user's MFA
        # code) or has ended: work to do meanwhile (inventory.clients_ahead) starts
        # then, not before, where it would take the GIL from the sign-in's own work.
        self.sign_in_idle = threading.Event()

    @classmethod
    def from_record(
        cls,
        record: ProfileRecord,
        store: ProfileStore,
        *,
        mfa_prompt: MfaPrompt | None = None,
        client_settings: ClientSettings | None = None,
    ) -> "RoleChain":
        ensure_not_expired(record.profile)
        external_id = store.external_id(record)
        if external_id is None:
            raise SsmClientError(
                f"profile {quoted(record.name)}: its External ID is not in the OS keyring; "
                "import the host's profile file again"
            )
        settings = chain_settings(record, external_id)
        try:
            source = source_session(record, store)
        except (BotoCoreError, ClientError) as exc:
            raise from_exception(exc, SOURCE_STEP) from None
        return cls(source, settings, mfa_prompt=mfa_prompt, client_settings=client_settings)

    # -- the steps, each callable on its own (doctor runs them one by one) --------

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def source(self) -> botocore.session.Session:
        return self._source

    def _error(self, exc: Exception, step: str) -> SsmClientError:
        return from_exception(
            exc,
            step,
            host_contact=self.settings.host_contact,
            secrets=(self.settings.external_id, *self._mfa_codes),
            aws_profile=self._source.profile,
        )

    def _sts_for_source(self) -> "STSClient":
        if self._source_sts is None:
            try:
                credentials = self._source.get_credentials()
                client = self._source.create_client(
                    "sts", region_name=self.region, config=self._config
                )
            except (BotoCoreError, ClientError) as exc:
                raise self._error(exc, SOURCE_STEP) from None
            if credentials is None:
                # Said here, as the source's failure, rather than at hop 1's call.
                raise self._error(NoCredentialsError(), SOURCE_STEP)
            self._source_sts = cast("STSClient", self._sending(client))
        return self._source_sts

    def _sending(self, sts: BaseClient) -> BaseClient:
        sts.meta.events.register("before-send", self._sent)
        return sts

    def _sent(self, **_kwargs: Any) -> None:
        self.sign_in_idle.set()

    def caller_identity(self) -> str:
        """The ARN of the partner's own identity (sts:GetCallerIdentity, source credentials)."""
        sts = self._sts_for_source()
        try:
            return str(sts.get_caller_identity()["Arn"])
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc, SOURCE_STEP) from None

    def _mfa_params(self) -> dict[str, str]:
        serial = self.settings.mfa_serial
        if serial is None:
            return {}
        if self._mfa_prompt is None:
            raise InputError("MFA code: this profile needs one and nothing can ask for it")
        self.sign_in_idle.set()
        code = self._mfa_prompt(serial).strip()
        reason = naming.check_mfa_code(code)
        if reason:
            raise InputError(f"MFA code: {reason}")
        self._mfa_codes.append(code)
        mask_secret(code)
        return {"SerialNumber": serial, "TokenCode": code}

    def _assume(
        self, sts: "STSClient", role_arn: str, step: str, *, external_id: bool, mfa: bool
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": self.settings.session_name,
            "DurationSeconds": self.settings.duration,
        }
        if external_id:
            params["ExternalId"] = self.settings.external_id
        if self.settings.source_identity:
            params["SourceIdentity"] = self.settings.source_identity
        if mfa:
            params.update(self._mfa_params())
        try:
            response = cast(dict[str, Any], sts.assume_role(**params))
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc, step) from None
        return response

    @staticmethod
    def _metadata(response: dict[str, Any]) -> dict[str, str]:
        creds = response["Credentials"]
        mask_secret(creds["SecretAccessKey"])
        mask_secret(creds["SessionToken"])
        expiration = creds["Expiration"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiration.isoformat()
            if isinstance(expiration, datetime)
            else str(expiration),
        }

    @staticmethod
    def _result(role_arn: str, response: dict[str, Any]) -> HopResult:
        result = HopResult(
            role_arn=role_arn,
            assumed_role_arn=str(response["AssumedRoleUser"]["Arn"]),
            expiration=response["Credentials"]["Expiration"],
        )
        logger.info("assumed %s until %s", result.assumed_role_arn, result.expiration.isoformat())
        return result

    def _refreshable(
        self,
        sts: "STSClient",
        role_arn: str,
        step: str,
        *,
        external_id: bool,
        mfa: bool,
        refreshed: Callable[[HopResult], None] | None = None,
    ) -> tuple[RefreshableCredentials, HopResult]:
        first = self._assume(sts, role_arn, step, external_id=external_id, mfa=mfa)

        def refresh() -> dict[str, str]:
            response = self._assume(sts, role_arn, step, external_id=external_id, mfa=mfa)
            if refreshed is not None:  # botocore renewed them: the new expiry is the one to show
                refreshed(self._result(role_arn, response))
            return self._metadata(response)

        credentials = RefreshableCredentials.create_from_metadata(
            self._metadata(first),
            refresh_using=refresh,
            method="ssmclient-assume-role",
            **(MFA_REFRESH_WINDOWS if mfa else REFRESH_WINDOWS),
        )
        return credentials, self._result(role_arn, first)

    def hop1(self) -> HopResult | None:
        """Assume the partner's own role; None when there is none (hop 2 then uses the source)."""
        if self._hop1 is None:
            role_arn = self.settings.source_role_arn
            if role_arn is None:
                try:
                    source_creds = self._source.get_credentials()
                except (BotoCoreError, ClientError) as exc:
                    raise self._error(exc, SOURCE_STEP) from None
                if source_creds is None:
                    raise self._error(NoCredentialsError(), SOURCE_STEP)
                self._hop1 = (source_creds, None)
            else:
                sts = self._sts_for_source()
                creds, result = self._refreshable(
                    sts, role_arn, hop1_step(role_arn), external_id=False, mfa=True
                )
                self._hop1 = (creds, result)
        return self._hop1[1]

    def hop2(self) -> HopResult:
        """Assume the host's role with the External ID (runs hop 1 first if needed)."""
        with self._signing_in:
            try:
                return self._hop2_now()
            finally:
                self.sign_in_idle.set()  # ended, either way

    def _hop2_now(self) -> HopResult:
        if self._hop2 is None:
            self.hop1()
            assert self._hop1 is not None
            hop1_creds, hop1_result = self._hop1
            role_arn = self.settings.role_arn
            if hop1_result is None:
                # No role of the partner's: MFA, if any, goes with this first AssumeRole.
                sts, mfa = self._sts_for_source(), True
            else:
                session = session_with_credentials(hop1_creds, like=self._source)
                client = session.create_client("sts", region_name=self.region, config=self._config)
                sts = cast("STSClient", self._sending(client))
                mfa = False
            credentials, result = self._refreshable(
                sts,
                role_arn,
                hop2_step(role_arn),
                external_id=True,
                mfa=mfa,
                refreshed=lambda renewed: self._renewed(credentials, renewed),
            )
            self._hop2 = (credentials, result)
        return self._hop2[1]

    def _renewed(self, credentials: RefreshableCredentials, result: HopResult) -> None:
        # Called by botocore's refresh (under its lock): keep hop 2's result in step.
        if self._hop2 is not None and self._hop2[0] is credentials:
            self._hop2 = (credentials, result)

    # -- what later steps (listing, sessions) use ---------------------------------

    @property
    def signed_in(self) -> HopResult | None:
        """Hop 2's latest result, or None before the first hop2()."""
        return None if self._hop2 is None else self._hop2[1]

    def seconds_left(self, now: datetime | None = None) -> float | None:
        """How long hop 2's current credentials last, or None before hop2()."""
        if self._hop2 is None:
            return None
        expiration = self._hop2[1].expiration
        now = now or datetime.now(expiration.tzinfo)
        return (expiration - now).total_seconds()

    def ensure_fresh(self, min_seconds: float | None = None) -> HopResult:
        """Hop 2 with at least `min_seconds` left: chained again (hop 2 only) when it has less.

        botocore refreshes only inside its advisory window, a few minutes before
        expiry; a plugin started now keeps its credentials for the whole
        session, so it needs more than that.
        """
        wanted = PLUGIN_MIN_LIFETIME if min_seconds is None else min_seconds
        # A host that grants short sessions: ask for what can be had.
        wanted = min(wanted, self.settings.duration / 2)
        with self._signing_in:
            left = self.seconds_left()
            if left is not None and left < wanted:
                self._hop2 = None  # the host session's clients follow (_HostRoleCredentials)
            return self.hop2()

    def credentials(self) -> RefreshableCredentials:
        """The host role's credentials (hop 2), refreshing themselves before they expire."""
        with self._signing_in:
            self.hop2()
            assert self._hop2 is not None
            return self._hop2[0]

    def host_session(self) -> botocore.session.Session:
        """A botocore session acting as the host's role; make clients from one thread only.

        Making it, or clients from it, does not sign in: their first request does.
        """
        if self._host_session is None:
            self._host_session = session_with_credentials(
                _HostRoleCredentials(self), like=self._source
            )
        return self._host_session

    def client(self, service: str, region: str | None = None) -> BaseClient:
        """A client (thread-safe once made) of `service` in `region` as the host's role."""
        return self.host_session().create_client(
            service, region_name=region or self.region, config=self._config
        )

    def endpoint_url(self, service: str, region: str | None = None) -> str:
        """Where botocore sends `service` requests (AWS_ENDPOINT_URL and friends apply)."""
        return str(self.client(service, region).meta.endpoint_url)
