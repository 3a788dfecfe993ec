"""Step errors: which step, AWS's code, a hint a partner can act on, one line, no secret."""

from botocore import exceptions as bce

from ssmclient.core.aws.step_errors import (
    StepError,
    from_exception,
    hop1_step,
    hop2_step,
    listing_step,
)
from ssmclient.core.errors import SsmClientError

HOST_ROLE = "arn:aws:iam::111122223333:role/Host"


def _client_error(code: str, message: str, operation: str = "AssumeRole") -> bce.ClientError:
    return bce.ClientError({"Error": {"Code": code, "Message": message}}, operation)


def test_hop2_denied_names_the_step_code_and_host_contact() -> None:
    error = from_exception(
        _client_error("AccessDenied", "not authorized\nto assume"),
        hop2_step(HOST_ROLE),
        host_contact="ops@example.com",
    )
    assert isinstance(error, StepError)
    assert error.exit_code == 1
    assert error.message.startswith(f"hop 2 ({HOST_ROLE}): AccessDenied: not authorized to assume")
    assert "refused this External ID or your role; ask the host: ops@example.com" in error.message
    assert "\n" not in error.message


def test_hop1_denied_points_at_the_partners_own_admin() -> None:
    error = from_exception(_client_error("AccessDenied", "no"), hop1_step("arn:aws:iam::1:role/P"))
    assert error.message.startswith("hop 1 (arn:aws:iam::1:role/P): AccessDenied")
    assert "your own role" in error.message


def test_secrets_are_masked_in_aws_messages() -> None:
    error = from_exception(
        _client_error("ValidationError", "ExternalId Secret-Ext-123 is bad"),
        hop2_step(HOST_ROLE),
        secrets=("Secret-Ext-123", None),
    )
    assert "Secret-Ext-123" not in error.message
    assert "***" in error.message


def test_short_secrets_do_not_garble_codes_or_account_ids() -> None:
    error = from_exception(
        _client_error("AccessDenied", "User: arn:aws:iam::123456789012:user/a is not authorized"),
        hop2_step(HOST_ROLE),
        secrets=("ce", "123456"),
    )
    assert "AccessDenied" in error.message
    assert "123456789012" in error.message
    assert "***" not in error.message


def test_expired_throttled_and_listing_denied_hints() -> None:
    expired = from_exception(_client_error("ExpiredToken", "expired"), "source credentials")
    assert "ExpiredToken" in expired.message
    assert "expired" in expired.message
    throttled = from_exception(_client_error("Throttling", "slow down"), hop2_step(HOST_ROLE))
    assert "after retries" in throttled.message
    denied = from_exception(
        _client_error("UnauthorizedOperation", "no", "DescribeInstances"),
        listing_step("us-west-2"),
        host_contact="ops@example.com",
    )
    assert denied.message.startswith("listing (us-west-2): UnauthorizedOperation")
    assert "ops@example.com" in denied.message


def test_network_failures_are_one_clear_line() -> None:
    timeout = from_exception(
        bce.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), listing_step("us-east-1")
    )
    assert timeout.message.startswith("listing (us-east-1): timed out waiting for AWS")
    down = from_exception(
        bce.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "source credentials"
    )
    assert "cannot reach AWS" in down.message
    assert "network" in down.message


def test_no_credentials_and_passthrough() -> None:
    error = from_exception(bce.NoCredentialsError(), "source credentials")
    assert "no AWS credentials" in error.message
    assert "set-source" in error.message
    original = SsmClientError("already explained")
    assert from_exception(original, "hop 1 (x)") is original


def test_parameter_errors_do_not_quote_values() -> None:
    error = from_exception(
        bce.ParamValidationError(report="Invalid value for ExternalId, value: Secret-Ext-123"),
        hop2_step(HOST_ROLE),
    )
    assert "Secret-Ext-123" not in error.message
