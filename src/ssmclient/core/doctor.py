"""`doctor`: run each step on its own (source, hops, listing, plugin) and report each, with a hint.

Above core/aws and core/sessions, since it checks every layer; neither knows it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ssmclient.core.aws.inventory import list_instances
from ssmclient.core.aws.role_chain import MfaPrompt, RoleChain
from ssmclient.core.aws.step_errors import SOURCE_STEP, StepError
from ssmclient.core.errors import SsmClientError
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.sessions.plugin_discovery import find_plugin

SOURCE_CHECK = "source credentials"
HOP1_CHECK = "hop 1"
HOP2_CHECK = "hop 2"
LISTING_CHECK = "listing"
PING_CHECK = "ping status"
PLUGIN_CHECK = "session-manager-plugin"
PROFILE_CHECK = "profile"


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, str | bool]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail}


def expired_profile_check(record: ProfileRecord) -> Check | None:
    profile = record.profile
    if not profile.is_expired():
        return None
    assert profile.expires is not None
    return Check(
        PROFILE_CHECK,
        False,
        f"expired on {profile.expires.isoformat()}: ask the host for a new profile file",
    )


def diagnose(
    record: ProfileRecord, store: ProfileStore, *, mfa_prompt: MfaPrompt | None = None
) -> list[Check]:
    """Every check for `record`, in order; an expired profile is the only check then."""
    expired = expired_profile_check(record)
    if expired is not None:
        return [expired]
    try:
        chain = RoleChain.from_record(record, store, mfa_prompt=mfa_prompt)
    except StepError as exc:
        if exc.step != SOURCE_STEP:
            raise
        # e.g. the AWS config profile is gone: report it as the first check.
        not_run = "not run: no source credentials"
        return [
            Check(SOURCE_CHECK, False, exc.message),
            *(Check(name, False, not_run) for name in (HOP1_CHECK, HOP2_CHECK, LISTING_CHECK)),
            Check(PING_CHECK, False, not_run),
            plugin_check(),
        ]
    return run_checks(chain, record)


def _run(name: str, step: Callable[[], str]) -> Check:
    try:
        return Check(name, True, step())
    except SsmClientError as exc:
        return Check(name, False, exc.message)


def run_checks(chain: RoleChain, record: ProfileRecord) -> list[Check]:
    """The checks in the order they ran; a step that needs a failed one is reported as not run."""
    profile = record.profile
    checks = [_run(SOURCE_CHECK, lambda: f"you are {chain.caller_identity()}")]

    def hop1() -> str:
        result = chain.hop1()
        if result is None:
            return (
                "skipped: no role of yours is set, your identity assumes the host's role directly"
            )
        return f"{result.assumed_role_arn}, expires {result.expiration.isoformat()}"

    checks.append(_run(HOP1_CHECK, hop1))
    if checks[-1].ok:

        def hop2() -> str:
            result = chain.hop2()
            return f"{result.assumed_role_arn}, expires {result.expiration.isoformat()}"

        checks.append(_run(HOP2_CHECK, hop2))
    else:
        checks.append(Check(HOP2_CHECK, False, "not run: hop 1 failed"))

    if checks[-1].ok:
        inventory_box: list[tuple[int, dict[str, str]]] = []

        def listing() -> str:
            inventory = list_instances(
                chain.client,
                profile.instance_tag,
                profile.all_regions,
                host_contact=profile.host.contact,
            )
            inventory_box.append((len(inventory.instances), inventory.ping_unreadable))
            tag = f"{profile.instance_tag.key}={profile.instance_tag.value}"
            regions = ", ".join(profile.all_regions)
            return f"{len(inventory.instances)} instance(s) tagged {tag} in {regions}"

        checks.append(_run(LISTING_CHECK, listing))
        checks.append(_ping_check(inventory_box))
    else:
        checks.append(Check(LISTING_CHECK, False, "not run: hop 2 failed"))
        checks.append(Check(PING_CHECK, False, "not run: hop 2 failed"))
    checks.append(plugin_check())
    return checks


def _ping_check(inventory_box: list[tuple[int, dict[str, str]]]) -> Check:
    if not inventory_box:
        return Check(PING_CHECK, False, "not run: listing failed")
    count, unreadable = inventory_box[0]
    if unreadable:
        reasons = ", ".join(f"{region}: {why}" for region, why in sorted(unreadable.items()))
        # Not a failure: sessions work without it, the status is just shown as unknown.
        return Check(
            PING_CHECK,
            True,
            f"not readable ({reasons}); instances show ping status unknown "
            "(the host's role lacks ssm:DescribeInstanceInformation; connecting still works)",
        )
    if count == 0:
        return Check(PING_CHECK, True, "no instances to ask about")
    return Check(PING_CHECK, True, "readable (ssm:DescribeInstanceInformation allowed)")


def plugin_check() -> Check:
    """Found where a desktop-started app would look, and of a safe version."""
    try:
        plugin = find_plugin()
    except SsmClientError as exc:
        return Check(PLUGIN_CHECK, False, exc.message)
    detail = f"{plugin.version_text} at {plugin.path}"
    if plugin.warning:
        detail += f" (warning: {plugin.warning})"
    return Check(PLUGIN_CHECK, True, detail)
