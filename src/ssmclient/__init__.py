"""ssmclient: reach a host's EC2 instances through AWS Session Manager with cross-account roles."""

__version__ = "0.1.0"
