"""`list_instances(on_page=...)`: each DescribeInstances page as soon as it is parsed.

Against the sandbox; `reseed(2500)` gives three pages (1000 instances each at most).
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from ssmclient.core.aws.instance import Instance
from ssmclient.core.aws.inventory import PAGE_SIZE, list_instances
from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.profile_model import InstanceTag, ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox


@dataclass
class Pages:
    """Collects pages from the listing's worker threads, with when each came."""

    pages: list[list[Instance]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    threads: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, page: list[Instance]) -> None:
        with self.lock:
            self.pages.append(list(page))
            self.times.append(time.time())
            self.threads.add(threading.current_thread().name)

    @property
    def instances(self) -> list[Instance]:
        return [i for page in self.pages for i in page]


def test_every_instance_comes_once_in_a_page(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    scenario = alice.scenario
    regions = [scenario.region, scenario.second_region]
    pages = Pages()
    inventory = list_instances(chain.client, record.profile.instance_tag, regions, on_page=pages)
    ids = Counter(i.instance_id for i in pages.instances)
    assert all(count == 1 for count in ids.values())
    assert set(ids) == {i.instance_id for i in inventory.instances}
    assert set(ids) == set(scenario.instances_a) | set(scenario.instances_a_second_region)
    assert {i.region for i in pages.instances} == set(regions)
    assert all(page for page in pages.pages)  # no empty page is passed on
    assert all(i.ping_status is None for i in pages.instances)
    assert any(i.ping_status == "Online" for i in inventory.instances)
    # A page holds the same instances as the result, but for the ping status.
    by_id = {i.instance_id: i for i in inventory.instances}
    for instance in pages.instances:
        assert by_id[instance.instance_id].name == instance.name
        assert by_id[instance.instance_id].state == instance.state


def test_pages_without_ping(alice: Sandbox, chain: RoleChain, record: ProfileRecord) -> None:
    pages = Pages()
    inventory = list_instances(
        chain.client,
        record.profile.instance_tag,
        [alice.scenario.region],
        with_ping=False,
        on_page=pages,
    )
    assert sorted(i.instance_id for i in pages.instances) == sorted(
        i.instance_id for i in inventory.instances
    )
    assert alice.count("DescribeInstanceInformation") == 0


def test_no_instances_means_no_page(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    pages = Pages()
    tag = InstanceTag(record.profile.instance_tag.key, "Nobody_Has_This_Value")
    inventory = list_instances(chain.client, tag, [alice.scenario.region], on_page=pages)
    assert inventory.instances == []
    assert pages.pages == []


def test_without_on_page_nothing_changes(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    tag, regions = record.profile.instance_tag, record.profile.all_regions
    assert list_instances(chain.client, tag, regions) == list_instances(
        chain.client, tag, regions, on_page=Pages()
    )


@pytest.mark.slow
def test_2500_instances_stream_page_by_page(
    alice: Sandbox,
    store: ProfileStore,
    record: ProfileRecord,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = alice.reseed(2500)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", scenario.alice_access_key_id)  # a new alice
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", scenario.alice_secret_access_key)
    # A page of 1000 instances takes the sandbox a few seconds to write.
    monkeypatch.setenv("SSMCLIENT_AWS_READ_TIMEOUT", "60")
    chain = RoleChain.from_record(record, store)
    # A far region: each page takes 0.4 s to come, so streaming shows in the times.
    alice.inject_fault("DescribeInstances", "latency", seconds=0.4)
    pages = Pages()
    inventory = list_instances(
        chain.client, record.profile.instance_tag, [scenario.region], on_page=pages
    )
    returned = time.time()
    alice.clear_faults()
    # The 50 ping batches, 20 at a time, each had a connection of the pool.
    assert not [r for r in caplog.records if "Connection pool is full" in r.getMessage()]

    assert [len(page) for page in pages.pages] == [PAGE_SIZE, PAGE_SIZE, 500]
    ids = [i.instance_id for i in pages.instances]
    assert len(ids) == len(set(ids)) == 2500
    assert set(ids) == {i.instance_id for i in inventory.instances}
    assert set(ids) == set(scenario.instances_a)
    assert all(i.ping_status is None for i in pages.instances)
    assert all(t < returned for t in pages.times)
    assert not any(name == threading.main_thread().name for name in pages.threads)

    # Streamed: the pages were passed on as they came, each answer 0.4 s after its
    # request, not all at the end.
    describes = alice.requests("DescribeInstances")  # each logged when answered
    assert len(describes) == 3
    assert pages.times[2] - pages.times[0] >= 0.4

    assert len(inventory.instances) == 2500
    assert inventory.ping_unreadable == {}
    statuses = Counter(i.ping_status for i in inventory.instances)
    assert statuses["Online"] > 0
    assert sum(count for status, count in statuses.items() if status is not None) >= 2000


def test_reset_after_reseed_restores_the_default(alice: Sandbox) -> None:
    default = len(alice.scenario.instances_a)
    alice.reseed(5)
    assert len(alice.reset().instances_a) == default


def test_before_parse_is_called_before_each_answer_is_parsed(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    scenario = alice.scenario
    regions = [scenario.region, scenario.second_region]
    calls: list[str] = []
    lock = threading.Lock()

    def before_parse() -> None:
        with lock:
            calls.append(threading.current_thread().name)

    alice.clear_requests()
    list_instances(chain.client, record.profile.instance_tag, regions, before_parse=before_parse)
    answered = alice.count("DescribeInstances") + alice.count("DescribeInstanceInformation")
    assert answered >= 4  # both calls in both regions
    assert len(calls) == answered
    assert threading.main_thread().name not in calls


@pytest.mark.parametrize("window", [False, True], ids=["cli", "window"])
def test_ping_batches_go_out_before_the_parse_unless_a_window_holds_the_listing(
    window: bool,
    alice: Sandbox,
    store: ProfileStore,
    record: ProfileRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = alice.reseed(120)  # 50 statuses in the tagged page, 70 asked for by id
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", scenario.alice_access_key_id)  # a new alice
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", scenario.alice_secret_access_key)
    chain = RoleChain.from_record(record, store)
    events: list[str] = []

    def by_id(request: Any, **_: Any) -> None:
        if b"InstanceIds" in request.body:
            events.append("batch sent")

    def clients(service: str, region: str | None = None) -> Any:
        client = chain.client(service, region)
        if service == "ssm":
            client.meta.events.register("before-send.ssm.DescribeInstanceInformation", by_id)
        else:  # the page is parsed; it is passed on 0.3 s later
            client.meta.events.register(
                "after-call.ec2.DescribeInstances", lambda **_: time.sleep(0.3)
            )
        return client

    inventory = list_instances(
        clients,
        record.profile.instance_tag,
        [scenario.region],
        on_page=lambda page: events.append("page"),
        before_parse=(lambda: None) if window else None,
    )
    assert len(inventory.instances) == 120
    assert sum(i.ping_status is not None for i in inventory.instances) == 120
    assert events.count("batch sent") == 2
    if window:  # their answers would come while the window paints the page
        assert events[0] == "page"
    else:  # their round trip overlaps the parse
        assert events == ["batch sent", "batch sent", "page"]
