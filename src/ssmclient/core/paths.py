"""Where ssmclient keeps its files: `SSMCLIENT_CONFIG_DIR` or the platform's config dir."""

import os
from pathlib import Path

APP_NAME = "ssmclient"
CONFIG_DIR_ENV = "SSMCLIENT_CONFIG_DIR"


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False, roaming=True))
