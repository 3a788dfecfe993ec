"""Checking a request's SigV4 signature with the secret the sandbox knows for its access key.

moto accepts any signature; AWS does not. Without this check a client that signs
with the wrong secret (a swapped key, a stale secret in the keyring) would pass
every sandbox test and fail against AWS. The canonical request is rebuilt from
the raw request exactly as SigV4 defines it (the headers named in
SignedHeaders, the raw path and query, the payload hash).
"""

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import quote, unquote

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+),\s*"
    r"SignedHeaders=(?P<headers>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            found[key.replace("_", "-").lower()] = str(environ[key])
    return found


def _canonical_query(raw: str) -> str:
    pairs = []
    for part in raw.split("&") if raw else []:
        name, _, value = part.partition("=")
        pairs.append(
            (
                quote(unquote(name), safe="-_.~"),
                quote(unquote(value.replace("+", " ")), safe="-_.~"),
            )
        )
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _raw_path(environ: dict[str, Any]) -> str:
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if raw:
        return raw.split("?", 1)[0] or "/"
    return quote(str(environ.get("PATH_INFO", "/")), safe="/~")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature_matches(environ: dict[str, Any], body: bytes, secret: str) -> bool:
    """Whether the Authorization header's signature is right for `secret`."""
    match = _AUTHORIZATION.fullmatch(str(environ.get("HTTP_AUTHORIZATION", "")).strip())
    if match is None:
        return False
    headers = _headers(environ)
    signed = match.group("headers").split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        return False
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed)
    payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join(
        [
            str(environ.get("REQUEST_METHOD", "GET")),
            _raw_path(environ),
            _canonical_query(str(environ.get("QUERY_STRING", ""))),
            canonical_headers,
            ";".join(signed),
            payload_hash,
        ]
    )
    scope = match.group("scope")
    date, region, service, terminator = scope.split("/")
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            headers.get("x-amz-date", ""),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret).encode(), date)
    for part in (region, service, terminator):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group("signature"))
