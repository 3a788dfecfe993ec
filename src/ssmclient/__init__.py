"""ssmclient: reach a host's EC2 instances through AWS Session Manager with cross-account roles."""

import logging

__version__ = "0.1.0"
VERSION_LINE = f"ssmclient {__version__}"  # what `ssmclient --version` prints

# ssmclient's records go to its support log once core/diagnostic_log.py starts it,
# and nowhere before: not to logging's last-resort handler, which would print
# each error a second time on standard error.
logging.getLogger(__name__).addHandler(logging.NullHandler())
