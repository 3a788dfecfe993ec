"""Opening shells and port forwards for a profile: StartSession, then the plugin.

Used by the CLI and the GUI. The role chain is passed in, so a caller
that already holds fresh hop-2 credentials makes exactly one AWS request per
session (StartSession).
"""

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.profile_model import SHELL_DOCUMENT, ProfileRecord
from ssmclient.core.sessions.credential_feed import CredentialFeed, FedCredentials
from ssmclient.core.sessions.history import HistoryEntry, SessionHistory
from ssmclient.core.sessions.inline_session import run_inline
from ssmclient.core.sessions.plugin_discovery import Plugin, find_plugin
from ssmclient.core.sessions.plugin_invocation import (
    PluginInvocation,
    plugin_invocation,
    variables_to_unset,
)
from ssmclient.core.sessions.port_forward import PortForward
from ssmclient.core.sessions.request import (
    SessionRequest,
    check_instance_id,
    port_forward_request,
    shell_request,
    ssh_request,
)
from ssmclient.core.sessions.session_api import StartedSession, start_session, terminate_quietly
from ssmclient.core.terminals.handoff import HandoffError, HandoffServer, build_payload
from ssmclient.core.terminals.launchers import ChosenTerminal, choose_terminal, open_window

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from ssmclient.core.aws.role_chain import RoleChain

logger = logging.getLogger(__name__)
HANDOFF_TIMEOUT = 30.0


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, SsmClientError):
        return f"failed: {exc.message}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"failed: {type(exc).__name__}"


class SshClientGoneError(Exception):
    """Raised into `proxy_ssh` (by a SIGHUP handler) when ssh, its ProxyCommand's reader, exits.

    ssh sends SIGHUP to its ProxyCommand when the connection is over: the
    session's normal end, not an interruption.
    """


@dataclass(frozen=True)
class ShellOutcome:
    session_id: str
    terminal: str
    exit_status: int | None  # inline only
    window_pid: int | None = None  # the terminal program started for a window


class SessionConnector:
    def __init__(
        self,
        record: ProfileRecord,
        chain: "RoleChain",
        history: SessionHistory,
        *,
        plugin_setting: str | None = None,
        keep_plugins_fresh: bool = False,
    ) -> None:
        """`keep_plugins_fresh`: this process outlives its plugins' first hour (the window,
        `forward`, an inline shell), so they get fresh credentials from it
        (credential_feed.py); a process that hands a session to a window and exits
        gives the plugin its credentials only."""
        self.record = record
        self.chain = chain
        self.history = history
        self._plugin_setting = plugin_setting
        self._plugin: Plugin | None = None
        self._ssm: dict[str, BaseClient] = {}
        self.handoff_timeout = HANDOFF_TIMEOUT
        # Unix only: the feed is a Unix socket, and credential_process runs through sh.
        self._keep_fresh = keep_plugins_fresh and os.name == "posix"
        self._feed: CredentialFeed | None = None

    # -- shared steps ---------------------------------------------------------

    def plugin(self) -> Plugin:
        if self._plugin is None:
            self._plugin = find_plugin(self._plugin_setting)
        return self._plugin

    def _ssm_client(self, region: str) -> "BaseClient":
        if region not in self._ssm:
            self._ssm[region] = self.chain.client("ssm", region)
        return self._ssm[region]

    def _check_document(self, document: str) -> None:
        allowed = self.record.profile.documents
        if document not in allowed:
            raise InputError(
                f"the host's profile does not offer {document} sessions "
                f"(it offers: {', '.join(allowed)})"
            )

    def _start(
        self, request: SessionRequest, region: str, instance_name: str | None
    ) -> tuple[StartedSession, PluginInvocation]:
        """StartSession, then the plugin's invocation; the session is terminated if that fails."""
        try:
            started = start_session(self._ssm_client(region), request, region)
        except SsmClientError as exc:
            self._record(request, region, instance_name, None, f"failed: {exc.message}")
            raise
        try:
            return started, self._invocation(started)
        except BaseException:
            terminate_quietly(self._ssm_client(region), started.session_id)
            raise

    def _invocation(self, started: StartedSession) -> PluginInvocation:
        # The plugin makes calls of its own (ResumeSession, TerminateSession):
        # never hand it a set that is about to expire, and while this process
        # runs, let it ask for fresh ones.
        hop = self.chain.ensure_fresh()
        credentials = self.chain.credentials().get_frozen_credentials()
        feed = self._credential_feed()
        return plugin_invocation(
            str(self.plugin().path),
            started,
            credentials,
            feed=None if feed is None else feed.plugin_environment(),
            expiration=hop.expiration,
        )

    def _credential_feed(self) -> "CredentialFeed | None":
        if self._keep_fresh and self._feed is None:
            self._feed = CredentialFeed(self._fed_credentials)
        return self._feed

    def _fed_credentials(self) -> FedCredentials:
        hop = self.chain.ensure_fresh()
        frozen = self.chain.credentials().get_frozen_credentials()
        return FedCredentials(
            str(frozen.access_key), str(frozen.secret_key), frozen.token, hop.expiration
        )

    def close(self) -> None:
        """Stop feeding credentials (the plugins still running keep their last ones)."""
        if self._feed is not None:
            self._feed.close()
            self._feed = None

    def _record(
        self,
        request: SessionRequest,
        region: str,
        instance_name: str | None,
        session_id: str | None,
        outcome: str,
    ) -> None:
        logger.info("session %s on %s (%s): %s", session_id, request.target, region, outcome)
        self.history.append(
            HistoryEntry.now(
                profile=self.record.name,
                instance_id=request.target,
                instance_name=instance_name,
                document=request.document_name,
                session_id=session_id,
                reason=request.reason,
                outcome=outcome,
                region=region,
            )
        )

    # -- shells ---------------------------------------------------------------

    def open_shell(
        self,
        instance_id: str,
        *,
        terminal: str | None = None,
        reason: str | None = None,
        region: str | None = None,
        instance_name: str | None = None,
    ) -> ShellOutcome:
        """A shell: inline (`terminal="inline"`) or in a new terminal window."""
        check_instance_id(instance_id)
        self._check_document(SHELL_DOCUMENT)
        request = shell_request(instance_id, reason)
        region = region or self.record.profile.region
        self.plugin()  # a missing or unsafe plugin is reported before any session opens
        chosen: ChosenTerminal | None = None
        if terminal != "inline":
            chosen = choose_terminal(terminal)
        started, invocation = self._start(request, region, instance_name)
        ssm = self._ssm_client(region)
        if chosen is None:
            try:
                status = run_inline(invocation)
            except BaseException as exc:
                terminate_quietly(ssm, started.session_id)
                self._record(request, region, instance_name, started.session_id, _outcome(exc))
                raise
            self._record(request, region, instance_name, started.session_id, "ended")
            return ShellOutcome(started.session_id, "inline", status)
        try:
            window_pid = self._open_in_window(chosen, invocation, started, instance_name)
        except BaseException as exc:  # Ctrl+C while waiting for the window too
            terminate_quietly(ssm, started.session_id)
            self._record(request, region, instance_name, started.session_id, _outcome(exc))
            raise
        self._record(
            request, region, instance_name, started.session_id, f"opened in {chosen.launcher.name}"
        )
        return ShellOutcome(started.session_id, chosen.launcher.name, None, window_pid)

    def _open_in_window(
        self,
        terminal: ChosenTerminal,
        invocation: PluginInvocation,
        started: StartedSession,
        instance_name: str | None,
    ) -> int:
        target = started.request.target
        label = f"{instance_name} ({target})" if instance_name else target
        title = f"{self.record.name} — {label}"
        banner = f"ssmclient: {self.record.name}: session {started.session_id} on {label}"
        payload = build_payload(
            invocation.argv,
            invocation.handoff_environment(),
            variables_to_unset(),
            title,
            banner,
        )
        server = HandoffServer(payload)
        try:
            window = open_window(terminal, server.helper_command())
            try:
                # A terminal that dies at once (no display, a bad option) is
                # reported as soon as it exits, not after the whole timeout.
                server.serve(self.handoff_timeout, window_failed=window.failure)
            except HandoffError:
                if window.poll() is None and terminal.launcher.name in ("xterm", "$TERMINAL"):
                    window.terminate()
                raise
            finally:
                window.close()
        finally:
            server.close()
        return window.pid

    # -- port forwards ---------------------------------------------------------

    def forward(
        self,
        instance_id: str,
        remote_port: int,
        *,
        local_port: int | None = None,
        host: str | None = None,
        reason: str | None = None,
        region: str | None = None,
        instance_name: str | None = None,
        ready_timeout: float = 30.0,
    ) -> PortForward:
        """Start a forward and return it once the plugin has opened the local port."""
        check_instance_id(instance_id)
        request = port_forward_request(instance_id, remote_port, local_port, host, reason)
        self._check_document(request.document_name)
        region = region or self.record.profile.region
        self.plugin()
        started, invocation = self._start(request, region, instance_name)
        ssm = self._ssm_client(region)

        def terminate(session_id: str) -> None:
            terminated = terminate_quietly(ssm, session_id)
            outcome = "ended" if terminated else "ended (TerminateSession failed)"
            self._record(request, region, instance_name, session_id, outcome)

        forward = PortForward(invocation, started, terminate)
        forward.start(ready_timeout)  # on failure it stops itself, which records the end
        return forward

    # -- ssh ProxyCommand ------------------------------------------------------

    def proxy_ssh(
        self,
        instance_id: str,
        port: int,
        *,
        reason: str | None = None,
        region: str | None = None,
    ) -> int:
        """An AWS-StartSSHSession to `port`, the plugin attached to this process's stdin/stdout.

        For ssh's ProxyCommand: ssh talks through the plugin, so nothing else may
        write to standard output. Returns the plugin's exit status (0 when
        SshClientGoneError ended it).
        """
        check_instance_id(instance_id)
        request = ssh_request(instance_id, port, reason)
        self._check_document(request.document_name)
        region = region or self.record.profile.region
        self.plugin()  # a missing or unsafe plugin is reported before any session opens
        started, invocation = self._start(request, region, None)
        ssm = self._ssm_client(region)
        try:
            status = run_inline(invocation)
        except SshClientGoneError:
            # run_inline has stopped the plugin; the session ends with it.
            terminated = terminate_quietly(ssm, started.session_id)
            outcome = "ended" if terminated else "ended (TerminateSession failed)"
            self._record(request, region, None, started.session_id, outcome)
            return 0
        except BaseException as exc:  # SIGTERM, Ctrl+C, the plugin could not start
            terminate_quietly(ssm, started.session_id)
            self._record(request, region, None, started.session_id, _outcome(exc))
            raise
        self._record(request, region, None, started.session_id, "ended")
        return status
