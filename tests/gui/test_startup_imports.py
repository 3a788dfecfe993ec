"""The first window comes before botocore: nothing heavy is imported to show it."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from ssmclient.gui.app import make_app
from ssmclient.gui.main_window import MainWindow
app = make_app()
window = MainWindow()
window.show()
app.processEvents()
HEAVY = {"boto3", "botocore", "keyring", "moto"}
heavy = sorted({name.split(".")[0] for name in sys.modules} & HEAVY)
print(json.dumps(heavy))
"""


def test_showing_the_window_imports_no_aws_or_keyring_library(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "SSMCLIENT_CONFIG_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
