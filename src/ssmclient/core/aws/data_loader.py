"""One botocore data loader for the whole process, so each JSON file is parsed once.

Every botocore Session makes its own Loader, and with it parses endpoints.json,
partitions and each service model again (the EC2 model alone is megabytes of
JSON, parsed in C while holding the GIL: a window stalls meanwhile). The role
chain makes a new Session per profile and per hop; all of them get this
loader. Its cache is a dict whose entries are only ever added, whole: two
threads missing the same entry at once parse it twice and store equal values.
"""

import threading

from botocore.loaders import Loader, create_loader

_lock = threading.Lock()
_loader: Loader | None = None

# What a listing and a session need: clients for these, with their paginators.
SERVICES = {"sts": (), "ec2": ("describe_instances",), "ssm": ("describe_instance_information",)}


def shared_loader() -> Loader:
    global _loader
    with _lock:
        if _loader is None:
            _loader = create_loader()
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
