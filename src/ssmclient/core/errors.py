"""Errors a user can act on. Each carries a one-line message and the CLI exit status."""

from ssmclient.core.text import one_line


class SsmClientError(Exception):
    """The work could not be done (AWS said no, the keyring is locked, ...): exit status 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(SsmClientError):
    """The user's input was wrong (a flag, a file, a name): exit status 2."""

    exit_code = 2


class ProfileFileError(InputError):
    """A `.ssmprofile` file (or a stored profile) breaks a rule; names the field."""

    def __init__(self, field: str, reason: str, *, file: str | None = None) -> None:
        self.field = field
        self.reason = reason
        self.file = file
        if file is None:
            super().__init__(f"{field}: {reason}")
        else:
            # A partner cannot repair a host's file: say which file, and who can.
            super().__init__(
                f"{file} is not a profile file ssmclient can import ({field}: {reason}); "
                "ask your host to send a corrected file"
            )


class UnknownProfileError(InputError):
    def __init__(self, name: str) -> None:
        from ssmclient.core.text import quoted

        super().__init__(f"profile {quoted(name)}: no such profile (see `ssmclient profile list`)")


class KeyringError(SsmClientError):
    """The OS keyring cannot be used; the message says what to do about it."""


class StoreError(SsmClientError):
    """The profile store cannot be read or written; the message says where it is."""


def user_message(exc: BaseException) -> str | None:
    """The one line to show for a failure a user can act on; None for a bug.

    botocore errors that no step wrapped (an unreadable AWS config, say) are
    the user's to fix too; a ParamValidationError's text quotes the request's
    values, which may be secret, so only its name is said.
    """
    if isinstance(exc, SsmClientError):
        return exc.message
    if type(exc).__module__.startswith("botocore"):
        name = type(exc).__name__
        if name == "ParamValidationError":
            return "AWS request: a parameter was refused by botocore (ParamValidationError)"
        return one_line(f"AWS settings: {exc} ({name})")
    return None
