"""The inventory against botocore's Stubber: paging, filtering, ordering, ping merge."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.client import BaseClient
from botocore.stub import Stubber

from ssmclient.core.aws.instance import Instance
from ssmclient.core.aws.inventory import PAGE_SIZE, PING_IDS_PER_CALL, list_instances
from ssmclient.core.profile_model import InstanceTag

TAG = InstanceTag("ExternalAccessGrantedTo", "Third_Party_A")
LAUNCH = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _raw(instance_id: str, name: str | None, value: str = TAG.value) -> dict[str, Any]:
    tags = [{"Key": TAG.key, "Value": value}]
    if name is not None:
        tags.append({"Key": "Name", "Value": name})
    return {
        "InstanceId": instance_id,
        "State": {"Code": 16, "Name": "running"},
        "PrivateIpAddress": "10.0.0.1",
        "Placement": {"AvailabilityZone": "us-east-1a"},
        "LaunchTime": LAUNCH,
        "PlatformDetails": "Linux/UNIX",
        "Tags": tags,
    }


class Clients:
    """A ClientFactory of stubbed clients, one per (service, region)."""

    def __init__(self) -> None:
        session = botocore.session.Session()
        session.set_credentials("AKIAEXAMPLEEXAMPLE00", "x" * 40)
        self.clients: dict[tuple[str, str], BaseClient] = {}
        self.stubbers: dict[tuple[str, str], Stubber] = {}
        for service in ("ec2", "ssm"):
            for region in ("us-east-1", "us-west-2"):
                client = session.create_client(service, region_name=region)
                self.clients[service, region] = client
                self.stubbers[service, region] = Stubber(client)

    def __call__(self, service: str, region: str | None = None) -> BaseClient:
        return self.clients[service, region or "us-east-1"]


@pytest.fixture
def clients() -> Iterator[Clients]:
    factory = Clients()
    for stubber in factory.stubbers.values():
        stubber.activate()
    yield factory
    for stubber in factory.stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def _expect_describe(stubber: Stubber, pages: list[list[dict[str, Any]]]) -> None:
    for index, page in enumerate(pages):
        params: dict[str, Any] = {
            "Filters": [{"Name": f"tag:{TAG.key}", "Values": [TAG.value]}],
            "MaxResults": PAGE_SIZE,
        }
        if index:
            params["NextToken"] = f"token-{index}"
        response: dict[str, Any] = {"Reservations": [{"Instances": page}]}
        if index + 1 < len(pages):
            response["NextToken"] = f"token-{index + 1}"
        stubber.add_response("describe_instances", response, params)


def _ping_calls(clients: Clients, region: str = "us-east-1") -> list[dict[str, Any]]:
    """Records the parameters of every DescribeInstanceInformation call of `region`."""
    calls: list[dict[str, Any]] = []
    clients("ssm", region).meta.events.register(
        "provide-client-params.ssm.DescribeInstanceInformation",
        lambda params, **_: calls.append(dict(params)),
    )
    return calls


TAG_FILTER = [{"Key": f"tag:{TAG.key}", "Values": [TAG.value]}]


def test_every_page_is_read_and_sorted(clients: Clients) -> None:
    _expect_describe(
        clients.stubbers["ec2", "us-east-1"],
        [[_raw("i-3", "beta"), _raw("i-1", None)], [_raw("i-2", "Alpha"), _raw("i-4", "beta")]],
    )
    ssm = clients.stubbers["ssm", "us-east-1"]
    calls = _ping_calls(clients)
    # The tag-filtered first page has i-2 and says there is more: the rest by id.
    ssm.add_response(
        "describe_instance_information",
        {
            "InstanceInformationList": [{"InstanceId": "i-2", "PingStatus": "Online"}],
            "NextToken": "more",
        },
    )
    ssm.add_response(
        "describe_instance_information",
        {"InstanceInformationList": [{"InstanceId": "i-4", "PingStatus": "ConnectionLost"}]},
    )
    ssm.add_response("describe_instance_information", {"InstanceInformationList": []})
    inventory = list_instances(clients, TAG, ["us-east-1"])
    assert [i.instance_id for i in inventory.instances] == ["i-2", "i-3", "i-4", "i-1"]
    first = inventory.instances[0]
    assert first.ping_status == "Online"
    assert first.to_json()["launch_time"] == LAUNCH.isoformat()
    unnamed = inventory.instances[-1]
    assert unnamed.name is None
    assert unnamed.ping_status is None
    assert unnamed.tag_value == TAG.value
    assert inventory.ping_unreadable == {}
    assert calls[0] == {"Filters": TAG_FILTER, "MaxResults": PING_IDS_PER_CALL}
    # One batch per page (in either order), never again for an id already known.
    asked = sorted(sorted(call["Filters"][0]["Values"]) for call in calls[1:])
    assert asked == [["i-1", "i-3"], ["i-4"]]
    assert all(call["Filters"][0]["Key"] == "InstanceIds" for call in calls[1:])


def test_a_party_of_at_most_50_needs_one_ping_call(clients: Clients) -> None:
    _expect_describe(clients.stubbers["ec2", "us-east-1"], [[_raw("i-1", "a"), _raw("i-2", "b")]])
    calls = _ping_calls(clients)
    clients.stubbers["ssm", "us-east-1"].add_response(
        "describe_instance_information",
        {"InstanceInformationList": [{"InstanceId": "i-1", "PingStatus": "Online"}]},
        {"Filters": TAG_FILTER, "MaxResults": PING_IDS_PER_CALL},
    )
    inventory = list_instances(clients, TAG, ["us-east-1"])
    assert [(i.instance_id, i.ping_status) for i in inventory.instances] == [
        ("i-1", "Online"),
        ("i-2", None),  # not a managed node: no status, and not asked for again
    ]
    assert inventory.ping_unreadable == {}
    assert len(calls) == 1


def test_a_tag_filter_error_falls_back_to_batches_by_id(clients: Clients) -> None:
    _expect_describe(clients.stubbers["ec2", "us-east-1"], [[_raw("i-1", "a")]])
    ssm = clients.stubbers["ssm", "us-east-1"]
    calls = _ping_calls(clients)
    ssm.add_client_error("describe_instance_information", "ThrottlingException", "slow down")
    ssm.add_response(
        "describe_instance_information",
        {"InstanceInformationList": [{"InstanceId": "i-1", "PingStatus": "Online"}]},
        {"Filters": [{"Key": "InstanceIds", "Values": ["i-1"]}], "MaxResults": PING_IDS_PER_CALL},
    )
    inventory = list_instances(clients, TAG, ["us-east-1"])
    assert inventory.instances[0].ping_status == "Online"
    assert inventory.ping_unreadable == {}
    assert len(calls) == 2


def test_a_wildcard_match_with_another_value_is_dropped(clients: Clients) -> None:
    _expect_describe(
        clients.stubbers["ec2", "us-east-1"],
        [[_raw("i-1", "a"), _raw("i-9", "other", value="Third_Party_AB")]],
    )
    inventory = list_instances(clients, TAG, ["us-east-1"], with_ping=False)
    assert [i.instance_id for i in inventory.instances] == ["i-1"]


def test_ping_denied_is_unknown_not_an_error(clients: Clients) -> None:
    _expect_describe(clients.stubbers["ec2", "us-east-1"], [[_raw("i-1", "a")]])
    _expect_describe(clients.stubbers["ec2", "us-west-2"], [[_raw("i-7", "a")]])
    for region in ("us-east-1", "us-west-2"):
        clients.stubbers["ssm", region].add_client_error(
            "describe_instance_information", "AccessDeniedException", "no"
        )
    calls = {region: _ping_calls(clients, region) for region in ("us-east-1", "us-west-2")}
    inventory = list_instances(clients, TAG, ["us-west-2", "us-east-1"])
    # The profile's region order is kept: us-west-2 was asked for first.
    assert [(i.region, i.instance_id) for i in inventory.instances] == [
        ("us-west-2", "i-7"),
        ("us-east-1", "i-1"),
    ]
    assert all(i.ping_status is None for i in inventory.instances)
    assert inventory.ping_unreadable == {
        "us-east-1": "AccessDeniedException",
        "us-west-2": "AccessDeniedException",
    }
    # Refused once: the batches by id would be refused too, so none is asked.
    assert {region: len(made) for region, made in calls.items()} == {"us-east-1": 1, "us-west-2": 1}


def test_listing_denied_names_the_region(clients: Clients) -> None:
    from ssmclient.core.aws.step_errors import StepError

    clients.stubbers["ec2", "us-east-1"].add_client_error(
        "describe_instances", "UnauthorizedOperation", "not you"
    )
    with pytest.raises(StepError) as info:
        list_instances(clients, TAG, ["us-east-1"], host_contact="ops@example.com")
    assert info.value.message.startswith("listing (us-east-1): UnauthorizedOperation: not you")
    assert "ops@example.com" in info.value.message


def test_each_page_is_ready_with_its_statuses_before_the_next_is_fetched(
    clients: Clients,
) -> None:
    _expect_describe(
        clients.stubbers["ec2", "us-east-1"],
        [[_raw("i-3", "beta"), _raw("i-1", "alpha")], [_raw("i-2", "gamma")]],
    )
    clients.stubbers["ssm", "us-east-1"].add_response(
        "describe_instance_information",
        {
            "InstanceInformationList": [
                {"InstanceId": "i-1", "PingStatus": "Online"},
                {"InstanceId": "i-2", "PingStatus": "ConnectionLost"},
            ]
        },
    )
    first_shown = threading.Event()
    waited: list[bool] = []

    def hold_the_second_page(params: dict[str, Any], **_: Any) -> None:
        if "NextToken" in params:  # shown first, or this waits in vain
            waited.append(first_shown.wait(timeout=5))

    clients("ec2").meta.events.register(
        "provide-client-params.ec2.DescribeInstances", hold_the_second_page
    )
    ready: list[list[tuple[str, str | None]]] = []
    threads: set[int] = set()

    def show(page: list[Instance]) -> None:
        threads.add(threading.get_ident())
        ready.append([(i.instance_id, i.ping_status) for i in page])
        first_shown.set()

    inventory = list_instances(clients, TAG, ["us-east-1"], on_ready=show)
    assert waited == [True]
    assert ready == [[("i-1", "Online"), ("i-3", None)], [("i-2", "ConnectionLost")]]
    assert threads == {threading.get_ident()}  # the caller's thread: a CLI prints from it
    assert [i.instance_id for i in inventory.instances] == ["i-1", "i-3", "i-2"]


def test_ready_pages_come_region_by_region_in_the_order_asked(clients: Clients) -> None:
    _expect_describe(clients.stubbers["ec2", "us-east-1"], [[_raw("i-1", "a")]])
    _expect_describe(clients.stubbers["ec2", "us-west-2"], [[_raw("i-7", "a")], [_raw("i-8", "b")]])
    for region in ("us-east-1", "us-west-2"):
        clients.stubbers["ssm", region].add_response(
            "describe_instance_information", {"InstanceInformationList": []}
        )
    ready: list[list[str]] = []
    list_instances(
        clients,
        TAG,
        ["us-west-2", "us-east-1"],
        on_ready=lambda page: ready.append([i.instance_id for i in page]),
    )
    assert ready == [["i-7"], ["i-8"], ["i-1"]]


class _PagedEc2:
    """Enough of an EC2 client for `_describe_pages`: botocore's events, two XML pages."""

    def __init__(self) -> None:
        from botocore.hooks import HierarchicalEmitter

        self.meta = type("Meta", (), {"events": HierarchicalEmitter()})()
        self.second_asked = threading.Event()
        self.second_parsed = threading.Event()
        self.asked: list[str | None] = []
        self.attempts = 1  # each answer's; botocore parses every attempt's answer

    def describe_instances(self, **params: Any) -> dict[str, Any]:
        token = params.get("NextToken")
        self.asked.append(token)
        if token == "page-2":
            self.second_asked.set()
        body = (
            b"<r><i><instanceId>i-1</instanceId></i><nextToken>page-2</nextToken></r>"
            if token is None
            else b"<r><i><instanceId>i-page-2</instanceId></i></r>"
        )
        for _ in range(self.attempts):
            self.meta.events.emit(
                "before-parse.ec2.DescribeInstances",
                response_dict={"status_code": 200, "body": body},
            )
        if token == "page-2":
            self.second_parsed.set()
        page: dict[str, Any] = {"Reservations": [{"Instances": [_raw(f"i-{token or 1}", "a")]}]}
        if token is None:
            page["NextToken"] = "page-2"
        return page


def test_the_next_page_is_asked_for_before_this_one_is_used() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from ssmclient.core.aws.inventory import _describe_pages

    ec2 = _PagedEc2()
    with ThreadPoolExecutor(max_workers=2) as ahead:
        pages = _describe_pages(ec2, "us-east-1", TAG, ahead)  # type: ignore[arg-type]
        first, _ = next(pages)
        # Still holding the first page, the second is already being fetched.
        assert ec2.second_asked.wait(timeout=5)
        rest = [page for page, _ in pages]
    assert [i.instance_id for i in first] == ["i-1"]
    assert [[i.instance_id for i in page] for page in rest] == [["i-page-2"]]


def test_an_answer_asked_for_ahead_is_parsed_once_the_page_before_is_used() -> None:
    from ssmclient.core.aws.inventory import _describe_pages

    ec2 = _PagedEc2()
    pages = _describe_pages(ec2, "us-east-1", TAG, _DaemonThreads())  # type: ignore[arg-type]
    next(pages)
    assert ec2.second_asked.wait(timeout=5)
    # The second answer is in, but not parsed while the first page is in use
    # (a window painting it would lose the GIL to the parse).
    assert not ec2.second_parsed.wait(timeout=0.3)
    assert [[i.instance_id for i in page] for page, _ in pages] == [["i-page-2"]]
    assert ec2.second_parsed.is_set()


def test_a_listing_that_stops_early_leaves_no_thread_waiting() -> None:
    ec2 = _PagedEc2()

    def fail(page: list[Instance]) -> None:
        assert ec2.second_asked.wait(timeout=5)
        raise RuntimeError("the window went away")

    raised: list[BaseException] = []

    def listing() -> None:
        try:
            list_instances(
                lambda service, region: ec2,  # type: ignore[arg-type,return-value]
                TAG,
                ["us-east-1"],
                with_ping=False,
                on_page=fail,
            )
        except RuntimeError as exc:
            raised.append(exc)

    thread = threading.Thread(target=listing, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the listing waits for a thread that waits for it"
    assert [str(e) for e in raised] == ["the window went away"]
    assert ec2.second_parsed.is_set()


class _DaemonThreads(Executor):
    """Each call on a thread of its own that a stuck test leaves behind (pytest still exits)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> "Future[Any]":
        future: Future[Any] = Future()

        def run() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=run, daemon=True).start()
        return future


def test_a_retried_answer_asks_for_the_next_page_once() -> None:
    from ssmclient.core.aws.inventory import _describe_pages

    ec2 = _PagedEc2()
    ec2.attempts = 2
    pages = list(_describe_pages(ec2, "us-east-1", TAG, _DaemonThreads()))  # type: ignore[arg-type]
    # A second request for page 2 would wait for a page that is never used.
    assert ec2.asked == [None, "page-2"]
    assert len(pages) == 2


def test_each_answer_s_instance_ids_are_passed_on_before_it_is_parsed() -> None:
    from ssmclient.core.aws.inventory import _describe_pages

    ec2 = _PagedEc2()
    parsed_before: list[bool] = []

    def on_answer(ids: list[str]) -> str:
        parsed_before.append(ec2.second_parsed.is_set())
        return f"batches for {ids}"

    pages = _describe_pages(ec2, "us-east-1", TAG, _DaemonThreads(), on_answer)  # type: ignore[arg-type]
    got = [([i.instance_id for i in page], answered) for page, answered in pages]
    # Each page comes with what was asked for its own answer's ids (the ping batches).
    assert got == [(["i-1"], "batches for ['i-1']"), (["i-page-2"], "batches for ['i-page-2']")]
    assert parsed_before == [False, False]
