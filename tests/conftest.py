pytest_plugins = ["ssmclient.sandbox.pytest_plugin"]
