"""The sandbox's DescribeInstances pages: later pages come from the first page's selection."""

import re

import pytest

from ssmclient.sandbox import ec2_listing, moto_store
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.scenario import HOST_ACCOUNT, REGION

PARTIES = {"Filter.1.Name": "tag-value", "Filter.1.Value.1": "Third_Party_*", "MaxResults": "5"}


def _page(params: dict[str, str]) -> tuple[list[str], dict[str, str], str | None]:
    """(instance ids, their states, the next token) of one answer."""
    reply = ec2_listing.describe_instances(HOST_ACCOUNT, REGION, params)
    assert reply is not None
    assert reply.status == 200
    body = reply.body.decode()
    items = re.findall(r"<instanceId>([^<]+)</instanceId>.*?<name>([^<]+)</name>", body)
    token = re.search(r"<nextToken>([^<]+)</nextToken>", body)
    return [i for i, _ in items], dict(items), token[1] if token else None


def _all_pages(params: dict[str, str]) -> list[str]:
    ids, _, token = _page(params)
    while token:
        more, _, token = _page({**params, "NextToken": token})
        ids += more
    return ids


def test_later_pages_are_cut_from_the_first_pages_selection(
    aws_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = aws_sandbox.scenario
    selections: list[int] = []
    original = moto_store.instance_keys

    def counted(account: str, region: str) -> list[moto_store.InstanceKey]:
        selections.append(1)
        return original(account, region)

    monkeypatch.setattr(moto_store, "instance_keys", counted)
    ids = _all_pages(PARTIES)
    assert sorted(ids) == sorted(scenario.instances_a + scenario.instances_b)
    assert len(ids) > 5  # more than one page
    assert len(selections) == 1  # not every instance of the region again per page


def test_a_page_from_a_cursor_shows_the_instances_as_they_are_now(aws_sandbox: Sandbox) -> None:
    _, _, token = _page(PARTIES)
    assert token is not None
    second, _, _ = _page({**PARTIES, "NextToken": token})
    running = next(i for i in second if i != aws_sandbox.scenario.instance_a_stopped)
    moto_store.stop_instances(HOST_ACCOUNT, REGION, [running])
    again, states, _ = _page({**PARTIES, "NextToken": token})
    assert again == second  # the same instances, by the cursor
    assert states[running] == "stopped"  # in the state they are in now


def test_a_cursor_serves_only_the_filters_that_made_it(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    _, _, token = _page(PARTIES)
    assert token is not None
    only_b = {"Filter.1.Name": "tag-value", "Filter.1.Value.1": "Third_Party_B", "MaxResults": "5"}
    ids, _, _ = _page({**only_b, "NextToken": token})
    # Selected again for these filters, at the token's offset: none of A's instances.
    assert set(ids) <= set(scenario.instances_b)


def test_a_token_whose_cursor_is_gone_selects_again(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    first, _, token = _page(PARTIES)
    assert token is not None
    for _ in range(ec2_listing._Cursors.KEPT):
        _page(PARTIES)  # newer cursors push the first one out
    assert len(ec2_listing._cursors._kept) == ec2_listing._Cursors.KEPT  # a bounded memory
    rest, _, _ = _page({**PARTIES, "NextToken": token})
    assert sorted(first + rest) == sorted(scenario.instances_a + scenario.instances_b)


def test_a_token_that_is_not_ours_is_refused(aws_sandbox: Sandbox) -> None:
    reply = ec2_listing.describe_instances(
        HOST_ACCOUNT, REGION, {**PARTIES, "NextToken": "not-a-token"}
    )
    assert reply is not None
    assert reply.status == 400
    assert b"InvalidParameterValue" in reply.body
