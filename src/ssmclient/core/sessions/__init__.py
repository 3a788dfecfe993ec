"""Session Manager sessions: the plugin, starting sessions, port forwards, history."""
