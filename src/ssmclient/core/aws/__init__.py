"""The AWS engine: hop-1 source credentials, the two-hop role chain, the inventory.

Qt-free and shared by the CLI and the GUI. Importing this package is cheap;
the modules under it import botocore, so callers import them only when they
really talk to AWS (botocore alone costs a few hundred milliseconds). Except
`naming` (AWS's rules for ARNs, regions, tags, session names, MFA codes) and
`instance` (the listing's plain data): they import no botocore, so a profile
file can be checked and a window can show instances before botocore loads.
"""
