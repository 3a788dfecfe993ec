"""One botocore data loader for the whole process, so each JSON file is parsed once.

Every botocore Session makes its own Loader, and with it parses endpoints.json,
partitions and each service model again (the EC2 model alone is megabytes of
JSON, parsed in C while holding the GIL: a window stalls meanwhile). The role
chain makes a new Session per profile and per hop; all of them get this
loader. Its cache is a dict whose entries are only ever added, whole: two
threads missing the same entry at once parse it twice and store equal values.
"""

import json
import os
import threading
from collections.abc import Callable
from typing import IO, Any

from botocore.exceptions import DataNotFoundError
from botocore.loaders import JSONFileLoader, Loader, instance_cache

from ssmclient.core.aws.answer_fields import cut_to_what_is_read

_lock = threading.Lock()
_loader: Loader | None = None

# What a listing and a session need: clients for these, with their paginators.
SERVICES = {"sts": (), "ec2": ("describe_instances",), "ssm": ("describe_instance_information",)}


class PlainJSONFileLoader(JSONFileLoader):
    """botocore's JSON file loader, making plain dicts rather than OrderedDicts.

    With `object_pairs_hook=OrderedDict`, parsing EC2's model took 70 ms here
    against 27 ms without, one C call that holds the GIL throughout (while the
    sign-in waits for it). Dicts keep their order; botocore builds the
    OrderedDicts it wants itself (model.py) from what it loaded.
    """

    def _load_file(self, full_path: str, open_method: Callable[..., IO[bytes]]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as fp:
            return json.loads(fp.read().decode("utf-8"))


class ServiceLoader(Loader):
    """botocore's Loader, minus its scan of every service it ships to load one it has.

    `Loader.load_service_model` first lists all 400-odd service directories
    (a listdir and two stats each, once per model type: service-2 and
    endpoint-rule-set-1 are two scans, about 0.1 s of a 1 s listing) only to
    check that the name is among them. A service whose own directory holds
    the model type passes that check by definition, so for it the scan is
    skipped; anything else (an unknown name, a missing type) goes through
    botocore's own method and gets botocore's own error.

    The service models' answer shapes list only what ssmclient reads of them
    (see answer_fields): botocore's parsers walk every member a shape lists.
    Files are parsed into plain dicts (PlainJSONFileLoader).
    """

    FILE_LOADER_CLASS = PlainJSONFileLoader

    @instance_cache
    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        model = self._service_model(service_name, type_name, api_version)
        if type_name == "service-2":
            # The answers' shapes cut to what ssmclient reads of them (answer_fields).
            return cut_to_what_is_read(service_name, model)
        return model

    def _service_model(self, service_name: str, type_name: str, api_version: str | None) -> Any:
        try:
            self.list_api_versions(service_name, type_name)  # this service's directory only
        except DataNotFoundError:
            return super().load_service_model(service_name, type_name, api_version)
        extras = getattr(self, "_extras_processor", None)
        find_extras = getattr(self, "_find_extras", None)
        if extras is None or find_extras is None:  # a botocore laid out differently
            return super().load_service_model(service_name, type_name, api_version)
        if api_version is None:
            api_version = self.determine_latest_version(service_name, type_name)
        # The rest is Loader.load_service_model's own: the model, then its extras.
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        extras.process(model, find_extras(service_name, type_name, api_version))
        return model


def shared_loader() -> Loader:
    global _loader
    with _lock:
        if _loader is None:
            _loader = ServiceLoader()
        return _loader


def warm_up(region: str = "us-east-1") -> None:
    """Parse what the first sign-in and listing will need, ahead of time (no network).

    The clients are made with placeholder keys that are never sent: making a
    client only loads its model, endpoint rules and paginators.
    """
    import botocore.session

    session = botocore.session.Session()
    session.register_component("data_loader", shared_loader())
    for service, paginators in SERVICES.items():
        client = session.create_client(
            service,
            region_name=region,
            aws_access_key_id="warm-up-only",
            aws_secret_access_key="warm-up-only",  # noqa: S106 - a placeholder, never sent
        )
        for name in paginators:
            client.get_paginator(name)
