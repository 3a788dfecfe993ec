"""The shared botocore loader: botocore's answers, without its scan of every service."""

from typing import Any

import pytest
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import Loader

from ssmclient.core.aws.answer_fields import cut_to_what_is_read
from ssmclient.core.aws.data_loader import ServiceLoader

TYPES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")


def _load(loader: Loader, *args: str | None) -> Any:
    try:
        return loader.load_service_model(*args)
    except (DataNotFoundError, UnknownServiceError) as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("service", ["sts", "ec2", "ssm", "s3"])
def test_the_same_models_and_errors_as_botocore(service: str) -> None:
    ours, theirs = ServiceLoader(), Loader()
    for type_name in TYPES:
        expected = _load(theirs, service, type_name)
        if type_name == "service-2":
            expected = cut_to_what_is_read(service, expected)
        assert _load(ours, service, type_name) == expected
    assert _load(ours, service, "service-2", "1999-01-01") == _load(
        theirs, service, "service-2", "1999-01-01"
    )


def test_an_unknown_service_gets_botocores_error() -> None:
    with pytest.raises(UnknownServiceError, match="nosuch"):
        ServiceLoader().load_service_model("nosuch", "service-2")


def test_a_known_service_is_loaded_without_listing_every_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scans: list[str] = []
    original = Loader.list_available_services

    def counting(self: Loader, type_name: str) -> list[str]:
        scans.append(type_name)
        return original(self, type_name)  # type: ignore[no-any-return]

    monkeypatch.setattr(Loader, "list_available_services", counting)
    loader = ServiceLoader()
    for service in ("sts", "ec2", "ssm"):
        loader.load_service_model(service, "service-2")
        loader.load_service_model(service, "endpoint-rule-set-1")
    assert scans == []
    with pytest.raises(UnknownServiceError):
        loader.load_service_model("nosuch", "service-2")
    assert scans == ["service-2"]  # botocore's own path, for its own message


def test_files_are_parsed_into_plain_dicts_in_botocores_order() -> None:
    # Plain dicts: OrderedDicts made the parse 2.5 times slower (data_loader.py).
    ours = ServiceLoader().load_service_model("ec2", "service-2")
    theirs = Loader().load_service_model("ec2", "service-2")
    assert type(ours) is dict
    assert type(ours["shapes"]["DescribeInstancesRequest"]) is dict
    assert list(ours) == list(theirs)
    assert list(ours["operations"]) == list(theirs["operations"])
    request = "DescribeInstancesRequest"
    assert list(ours["shapes"][request]["members"]) == list(theirs["shapes"][request]["members"])
    assert type(ServiceLoader().load_data("endpoints")) is dict


def test_a_file_that_is_not_there_is_not_found() -> None:
    with pytest.raises(DataNotFoundError):
        ServiceLoader().load_data("no/such/file")
