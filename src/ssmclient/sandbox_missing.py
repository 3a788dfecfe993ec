"""The one line said when the sandbox is asked for but is not part of this install.

The sandbox (moto and its web server) is for trying ssmclient and for its
tests; the installers leave it out (it would double their size), and a plain
`pip install ssmclient` does too unless the [sandbox] extra is asked for. This
lives outside `ssmclient.sandbox` because that package is what is missing.
"""

import sys

from ssmclient.core.errors import SsmClientError


def sandbox_missing(exc: ImportError) -> SsmClientError:
    if getattr(sys, "frozen", False):
        return SsmClientError(
            "the sandbox is not part of the installed app; to try ssmclient against a local "
            "fake AWS, run it from a clone of its source: ./scripts/run.sh --sandbox"
        )
    return SsmClientError(
        f"the sandbox is not installed here ({exc.name}); install ssmclient with the "
        "[sandbox] extra, or try it from source: ./scripts/run.sh --sandbox"
    )
