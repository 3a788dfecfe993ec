"""The host's side: issuing and rotating party profile files, and auditing party roles.

Qt-free and CLI-free like the rest of the core; `ssmclient host ...` drives it.
The templates it speaks of are `resources/host/*.yaml`.
"""
