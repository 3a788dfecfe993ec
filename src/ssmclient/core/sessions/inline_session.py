"""Running the plugin attached to the current terminal, as `aws ssm start-session` does."""

import contextlib
import signal
import subprocess
from collections.abc import Iterator

from ssmclient.core.errors import SsmClientError
from ssmclient.core.sessions.plugin_invocation import PluginInvocation

_USER_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGQUIT", "SIGTSTP") if hasattr(signal, name)
)


@contextlib.contextmanager
def user_signals_ignored() -> Iterator[None]:
    """Ignore Ctrl+C, Ctrl+\\ and Ctrl+Z here while the plugin runs.

    The plugin puts the terminal in raw mode and sends those keys to the
    remote shell; ssmclient must neither die nor stop meanwhile. The child
    inherits the ignored dispositions, as it does under the AWS CLI.
    """
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in _USER_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_inline(invocation: PluginInvocation) -> int:
    with user_signals_ignored():
        try:
            process = subprocess.Popen(invocation.argv, env=invocation.env)
        except OSError as exc:
            raise SsmClientError(
                f"session-manager-plugin could not be started: {exc.strerror or exc}"
            ) from None
        try:
            return process.wait()
        except BaseException:
            # This process is being stopped (a SIGTERM or SIGHUP its caller turned
            # into an exception): the plugin must not stay behind on the terminal.
            _stop(process)
            raise


def _stop(process: "subprocess.Popen[bytes]") -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
