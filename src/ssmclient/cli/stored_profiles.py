"""The stored profile a command names (`--profile NAME`), and the store it lives in."""

from ssmclient.core.paths import config_dir
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore


def load(name: str) -> tuple[ProfileStore, ProfileRecord]:
    store = ProfileStore(config_dir())
    return store, store.get(name)
