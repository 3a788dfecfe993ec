"""The Qt-free core shared by the CLI, the GUI and the tests."""
