"""Opening a command in a new terminal window, on Linux, macOS and Windows, without a shell."""
