"""The inventory: the host's instances tagged for this partner, over the profile's regions.

EC2 filters by the tag server-side and every page is read; regions are listed
concurrently. Clients are made on one thread (botocore sessions are not
thread-safe): the calling one, or one of their own while the sign-in waits
(`clients_ahead`); each worker uses its own region's client (clients are).
"""

import html
import logging
import queue
import re
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from ssmclient.core.aws.instance import Instance, Inventory
from ssmclient.core.aws.step_errors import from_exception, listing_step
from ssmclient.core.errors import SsmClientError
from ssmclient.core.profile_model import InstanceTag

if TYPE_CHECKING:
    from types_boto3_ec2.client import EC2Client
    from types_boto3_ssm.client import SSMClient

logger = logging.getLogger(__name__)

PAGE_SIZE = 1000  # DescribeInstances' maximum: one call per 1000 instances
_NEXT_TOKEN = re.compile(rb"<nextToken>([^<]+)</nextToken>")  # in its XML answer
_INSTANCE_ID = re.compile(rb"<instanceId>([^<]+)</instanceId>")
PING_IDS_PER_CALL = 50  # DescribeInstanceInformation's InstanceIds filter and page limit
# Concurrent ping batches: a page of 1,000 instances is 20 batches, asked for at
# once. At 80 ms per request, 5,000 instances (100 batches) listed in 1.31 s with
# 20 workers against 1.70 s with 8; 30 were no faster (bench_peers.py's sandbox).
PING_WORKERS = 20
_PING_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


class ClientFactory(Protocol):
    """Makes a client acting as the host's role (`RoleChain.client` fits)."""

    def __call__(self, service: str, region: str | None = None) -> BaseClient: ...


@dataclass(frozen=True)
class ListingClients:
    """A listing's clients: EC2 (and SSM, for the ping status) in each region."""

    ec2: dict[str, "EC2Client"]
    ssm: dict[str, "SSMClient"]


def make_clients(
    clients: ClientFactory,
    regions: Sequence[str],
    *,
    with_ping: bool = True,
    host_contact: str | None = None,
) -> ListingClients:
    """The clients `list_instances` uses, made on the calling thread."""
    made = ListingClients({}, {})
    for region in dict.fromkeys(regions):
        try:
            made.ec2[region] = cast("EC2Client", clients("ec2", region))
            if with_ping:
                made.ssm[region] = cast("SSMClient", clients("ssm", region))
        except (BotoCoreError, ClientError) as exc:
            raise from_exception(exc, listing_step(region), host_contact=host_contact) from None
    return made


def clients_ahead(
    clients: ClientFactory,
    regions: Sequence[str],
    start: threading.Event,
    *,
    with_ping: bool = True,
    host_contact: str | None = None,
) -> "Future[ListingClients]":
    """`make_clients` on a thread of its own, once `start` is set: while the sign-in waits on AWS.

    Making the first EC2 and SSM clients is most of a short listing's own work
    (botocore reads and parses their models and endpoint rules); the host
    role's clients can be made before the sign-in (they sign in on first
    use), so that work need not wait for the two AssumeRole answers. It waits
    for `start` (`RoleChain.sign_in_idle`): before, it would slow the
    sign-in's own work down (one GIL). Nothing else may make clients of
    `clients`' session meanwhile (sessions are not thread-safe).
    """
    future: Future[ListingClients] = Future()

    # A daemon thread, not an executor's: a short CLI command ends the process
    # without teardown only once no non-daemon thread is alive (__main__.py).
    def make() -> None:
        start.wait()
        try:
            future.set_result(
                make_clients(clients, regions, with_ping=with_ping, host_contact=host_contact)
            )
        except BaseException as exc:  # handed to whoever waits for the clients
            future.set_exception(exc)

    threading.Thread(target=make, name="ssmclient-clients", daemon=True).start()
    return future


SignedIn = TypeVar("SignedIn")


def sign_in_with_clients(
    sign_in: Callable[[], SignedIn],
    clients: ClientFactory,
    regions: Sequence[str],
    start: threading.Event,
    *,
    with_ping: bool = True,
    host_contact: str | None = None,
) -> tuple[SignedIn, ListingClients]:
    """`sign_in()` on this thread while `clients_ahead` makes the listing's clients.

    A sign-in that fails still waits for the clients to be made (or to fail):
    whatever the caller does next may make clients of the same session.
    """
    made = clients_ahead(clients, regions, start, with_ping=with_ping, host_contact=host_contact)
    try:
        signed_in = sign_in()
    except BaseException:
        wait([made])
        raise
    return signed_in, made.result()


def _tag(tags: Sequence[Any], key: str) -> str | None:
    for tag in tags:
        if tag.get("Key") == key:
            return str(tag.get("Value", ""))
    return None


def _platform(raw: dict[str, Any]) -> str:
    # PlatformDetails is the full answer; the older Platform field is set only
    # for Windows, so its absence means Linux/UNIX.
    details = raw.get("PlatformDetails")
    if details:
        return str(details)
    return "Windows" if raw.get("Platform") == "windows" else "Linux/UNIX"


def _instance(raw: dict[str, Any], region: str, tag: InstanceTag) -> Instance | None:
    tags = raw.get("Tags") or []
    value = _tag(tags, tag.key)
    # EC2 filter values treat * and ? as wildcards: keep only exact matches.
    if value != tag.value:
        return None
    return Instance(
        instance_id=str(raw["InstanceId"]),
        name=_tag(tags, "Name"),
        state=str(raw.get("State", {}).get("Name", "unknown")),
        private_ip=raw.get("PrivateIpAddress"),
        public_ip=raw.get("PublicIpAddress"),
        platform=_platform(raw),
        region=region,
        availability_zone=raw.get("Placement", {}).get("AvailabilityZone"),
        launch_time=raw.get("LaunchTime"),
        tag_value=value,
        ping_status=None,
    )


def _page_instances(page: Any, region: str, tag: InstanceTag) -> list[Instance]:
    found: list[Instance] = []
    for reservation in page.get("Reservations", []):
        for raw in reservation.get("Instances", []):
            instance = _instance(cast(dict[str, Any], raw), region, tag)
            if instance is not None:
                found.append(instance)
    return found


Answered = TypeVar("Answered")


def _describe_pages(
    ec2: "EC2Client",
    region: str,
    tag: InstanceTag,
    ahead: Executor | None = None,
    on_answer: Callable[[list[str]], Answered] | None = None,
) -> Generator[tuple[list[Instance], Answered | None], None, None]:
    """Every page of the tag-filtered DescribeInstances, each asked for before the last is parsed.

    A page of 1,000 instances takes botocore longer to parse than EC2 takes to
    answer the next one, and the next page's token is in the raw answer: on
    botocore's before-parse event that next page is asked for (on `ahead`),
    so EC2's answer and botocore's parse overlap. boto3's paginator cannot do
    that, hence the loop; its calls and tokens are the paginator's own. A
    token that does not match what botocore parsed is simply asked for again.

    `on_answer` gets the instance ids of each answer before it is parsed (what
    depends on the ids alone, the ping batches, need not wait for the parse);
    each page comes with what it returned for that page's answer (None if it
    was not called).

    An answer asked for ahead is parsed only once the page before it has been
    used (the generator is resumed): two parses at once gain nothing under the
    GIL, and they would take it from whoever uses the pages (a window painting
    the last one).
    """
    params: dict[str, Any] = {
        "Filters": [{"Name": f"tag:{tag.key}", "Values": [tag.value]}],
        "MaxResults": PAGE_SIZE,
    }
    coming: dict[str, tuple[Future[Any], threading.Event]] = {}
    answered: dict[str | None, Answered] = {}  # by the NextToken asked with (None: the first)
    asking = threading.local()  # the request on this thread: its token, the page before it

    def ask(token: str | None, used: threading.Event | None = None) -> Any:
        asking.token, asking.after = token, used
        try:
            if token is None:
                return ec2.describe_instances(**params)
            return ec2.describe_instances(**params, NextToken=token)
        finally:
            asking.token = asking.after = None  # threads are reused

    def before_parse(response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict.get("body")
        if response_dict.get("status_code") == 200 and isinstance(body, bytes):
            this = getattr(asking, "token", None)
            if ahead is not None and (found := _NEXT_TOKEN.search(body)):
                token = html.unescape(found[1].decode("utf-8", "replace"))
                if token not in coming:  # not again for a retried answer
                    used = threading.Event()
                    coming[token] = (ahead.submit(ask, token, used), used)
            if on_answer is not None and this not in answered:
                ids = dict.fromkeys(
                    m.decode("ascii", "replace") for m in _INSTANCE_ID.findall(body)
                )
                answered[this] = on_answer(list(ids))
        previous: threading.Event | None = getattr(asking, "after", None)
        if previous is not None:
            previous.wait()

    event = "before-parse.ec2.DescribeInstances"
    ec2.meta.events.register(event, before_parse)
    try:
        token: str | None = None
        page: Any = ask(None)
        while True:
            yield _page_instances(page, region, tag), answered.pop(token, None)
            token = page.get("NextToken")
            if not token:
                return
            asked = coming.pop(token, None)
            if asked is None:
                page = ask(token)
            else:
                future, used = asked
                used.set()
                page = future.result()
    finally:
        for _, used in coming.values():
            used.set()  # a listing that stops (an error, a closed window) frees its threads
        ec2.meta.events.unregister(event, before_parse)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _statuses(pages: Iterable[Any]) -> dict[str, str]:
    status: dict[str, str] = {}
    for page in pages:
        for info in page.get("InstanceInformationList", []):
            if "InstanceId" in info and "PingStatus" in info:
                status[info["InstanceId"]] = info["PingStatus"]
    return status


def _ping(ssm: "SSMClient", ids: list[str]) -> dict[str, str]:
    paginator = ssm.get_paginator("describe_instance_information")
    pages = paginator.paginate(
        Filters=[{"Key": "InstanceIds", "Values": ids}],
        PaginationConfig={"PageSize": PING_IDS_PER_CALL},
    )
    return _statuses(pages)


@dataclass(frozen=True)
class TaggedPage:
    """The first page of DescribeInstanceInformation filtered by the party's tag."""

    statuses: dict[str, str]
    complete: bool  # no NextToken: every tagged managed instance of the region is in it


def _first_tagged_page(ssm: "SSMClient", tag: InstanceTag) -> TaggedPage:
    # Asked at once, beside DescribeInstances rather than after it: for a party
    # with at most 50 instances per region (most) the statuses are in before the
    # listing is parsed. Larger ones continue by instance id (parallel batches)
    # instead of following this page's NextToken (one call after another).
    answer = ssm.describe_instance_information(
        Filters=[{"Key": f"tag:{tag.key}", "Values": [tag.value]}],
        MaxResults=PING_IDS_PER_CALL,
    )
    return TaggedPage(_statuses([answer]), complete=not answer.get("NextToken"))


def _sort_key(instance: Instance, region_order: dict[str, int]) -> tuple[Any, ...]:
    name = instance.name
    return (
        region_order.get(instance.region, len(region_order)),
        name is None,
        (name or "").casefold(),
        name or "",
        instance.instance_id,
    )


PingResult = dict[str, str] | str  # statuses by instance id, or why they could not be read


def _denied(exc: ClientError | BotoCoreError) -> str | None:
    """Why ping statuses cannot be read, when the answer is a refusal."""
    if isinstance(exc, BotoCoreError):
        return None
    code = str(exc.response.get("Error", {}).get("Code", "Error"))
    # A role without ssm:DescribeInstanceInformation can still connect:
    # the status is then unknown, not an error.
    return code if code in _PING_DENIED else None


def _ping_or_reason(ssm: "SSMClient", ids: list[str]) -> PingResult:
    try:
        return _ping(ssm, ids)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Error"))
        return _denied(exc) or f"{code} (not readable)"
    except BotoCoreError as exc:
        return type(exc).__name__


def _tagged_or_reason(ssm: "SSMClient", tag: InstanceTag) -> TaggedPage | str:
    try:
        return _first_tagged_page(ssm, tag)
    except (ClientError, BotoCoreError) as exc:
        # Refused: the batches by id would be refused too. Anything else (a
        # throttle that outlasted the retries, a filter a partition does not
        # take): the batches by id ask again and report for themselves.
        return _denied(exc) or TaggedPage({}, complete=False)


PageCallback = Callable[[list[Instance]], None]
"""Receives each DescribeInstances page's instances (ping status not yet known), from a worker."""

_PageEvent = tuple[list[Instance] | None, list[Future[PingResult]]]  # None: the region is done


def list_instances(
    clients: ClientFactory | ListingClients,
    tag: InstanceTag,
    regions: Sequence[str],
    *,
    with_ping: bool = True,
    host_contact: str | None = None,
    on_page: PageCallback | None = None,
    on_ready: PageCallback | None = None,
    before_parse: Callable[[], None] | None = None,
) -> Inventory:
    """Every instance tagged `tag` in `regions`, sorted by region, name, then id.

    `clients` makes the clients here, or has made them (`make_clients`,
    `clients_ahead`, for these regions and `with_ping`).
    Regions are read concurrently. Beside each region's DescribeInstances goes
    one DescribeInstanceInformation filtered by the tag; when it does not hold
    every status, each page's remaining instances are asked for by id (in
    batches, concurrently) while the next page is still being fetched.
    `on_page` gets each page as soon as it is parsed (from a worker), so a
    window can show rows before the ping statuses are in. `on_ready` gets each
    page again, sorted and with its statuses, on the calling thread, as soon
    as they are in: region by region in the order asked, pages in EC2's order,
    so a table can be printed while later pages are still being fetched.
    `before_parse` is called on the listing's threads before each answer is
    parsed; a window holds them there while it paints a page (parsing would
    take the GIL from the paint). With it, a page's ping batches are asked for
    once the page is parsed, not as soon as its answer is in.
    """
    regions = list(dict.fromkeys(regions))
    if not isinstance(clients, ListingClients):
        clients = make_clients(clients, regions, with_ping=with_ping, host_contact=host_contact)
    ec2_clients = {region: clients.ec2[region] for region in regions}
    ssm_clients = {region: clients.ssm[region] for region in regions} if with_ping else {}
    hooked: list[BaseClient] = [*ec2_clients.values(), *ssm_clients.values()]

    def parsing(**_kwargs: Any) -> None:
        assert before_parse is not None
        before_parse()

    if before_parse is not None:
        for client in hooked:
            client.meta.events.register("before-parse", parsing)

    def error(exc: Exception, region: str) -> SsmClientError:
        return from_exception(exc, listing_step(region), host_contact=host_contact)

    pool = ThreadPoolExecutor(
        max_workers=min(32, 2 * len(regions) + PING_WORKERS), thread_name_prefix="ssmclient-list"
    )
    # The next DescribeInstances pages, on threads of their own: behind the
    # ping batches in `pool` they would wait for them.
    pages_ahead = ThreadPoolExecutor(
        max_workers=2 * len(regions), thread_name_prefix="ssmclient-pages"
    )  # a region's next page is asked for while the thread that fetched this one parses it
    tagged = {
        region: pool.submit(_tagged_or_reason, ssm, tag) for region, ssm in ssm_clients.items()
    }
    events: dict[str, queue.SimpleQueue[_PageEvent]] = {r: queue.SimpleQueue() for r in regions}

    def ask_by_id(region: str, ids: list[str]) -> list[Future[PingResult]]:
        first = tagged[region].result()
        if isinstance(first, str) or first.complete:
            return []  # refused, or every status is already in
        ids = [i for i in ids if i not in first.statuses]
        ssm = ssm_clients[region]
        return [
            pool.submit(_ping_or_reason, ssm, chunk) for chunk in _chunks(ids, PING_IDS_PER_CALL)
        ]

    def describe(region: str) -> None:
        def on_answer(ids: list[str]) -> list[Future[PingResult]]:
            return ask_by_id(region, ids)

        # The ping batches go out as soon as a page's answer is in, unless a window
        # holds the threads (before_parse): their answers would then come while it
        # paints the page before, and take the GIL from it (the stall doubled).
        early = with_ping and before_parse is None
        pages = _describe_pages(
            ec2_clients[region], region, tag, pages_ahead, on_answer if early else None
        )
        try:
            # Closed here, not when collected: the pages asked for ahead wait for it.
            with closing(pages):
                for page, pinging in pages:
                    if on_page is not None and page:
                        on_page(page)
                    if pinging is None and with_ping:
                        pinging = ask_by_id(region, [i.instance_id for i in page])
                    events[region].put((page, pinging or []))
        except (BotoCoreError, ClientError) as exc:
            raise error(exc, region) from None
        finally:
            events[region].put((None, []))

    instances: list[Instance] = []
    unreadable: dict[str, str] = {}
    order = {region: index for index, region in enumerate(regions)}
    try:
        described = [pool.submit(describe, region) for region in regions]
        for region, done in zip(regions, described, strict=True):
            status: dict[str, str] = {}
            first = tagged[region].result() if with_ping else None
            if isinstance(first, str):
                unreadable[region] = first
            elif first is not None:
                status.update(first.statuses)
            while True:
                page, futures = events[region].get()
                if page is None:
                    break
                for future in futures:
                    result = future.result()
                    if isinstance(result, str):
                        unreadable.setdefault(region, result)
                    else:
                        status.update(result)
                ready = sorted(
                    (replace(i, ping_status=status.get(i.instance_id)) for i in page),
                    key=lambda i: _sort_key(i, order),
                )
                instances.extend(ready)
                if on_ready is not None and ready:
                    on_ready(ready)
            done.result()  # the region's listing error, if any
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        pages_ahead.shutdown(wait=True, cancel_futures=True)
        if before_parse is not None:  # clients made ahead may be listed with again
            for client in hooked:
                client.meta.events.unregister("before-parse", parsing)
    instances.sort(key=lambda i: _sort_key(i, order))
    logger.info(
        "listed %d instances tagged %s in %s; ping statuses unknown in: %s",
        len(instances),
        tag.key,
        ", ".join(regions),
        ", ".join(f"{region} ({why})" for region, why in unreadable.items()) or "none",
    )
    return Inventory(instances, unreadable)
