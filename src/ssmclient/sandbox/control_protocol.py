"""What a client of the sandbox's control API needs, without importing the server (or moto)."""

TOKEN_HEADER = "X-Sandbox-Token"  # noqa: S105 - a header name, not a secret
