"""A local AWS sandbox: the host + partner setup of the blog-style cross-account flow on 127.0.0.1.

moto's own WSGI server app stays the store of truth for IAM, STS and EC2. A thin
WSGI layer in front of it (`app.SandboxApp`) adds what moto lacks and what makes a
test against the sandbox mean something against AWS:

- the caller from the SigV4 access key, the signature checked with its secret
  (`signature`), session tokens and expiry checked (`identities`), and every
  request handed to moto in that caller's own account (moto's
  `x-moto-account-id` header), so nobody sees another account's resources;
- sts:AssumeRole trust-policy evaluation: External ID, MFA, SourceIdentity,
  role chaining (`sts_handler`, `trust_policy`), and GetSessionToken;
- EC2 and SSM rights as the scenario's policies give them (`permissions`), and a
  fast DescribeInstances read from moto's store (`ec2_listing`);
- Session Manager, which moto does not implement (`ssm_handler`);
- sso:GetRoleCredentials for SSO-based named profiles (`sso_handler`);
- fault injection, a request log and a control API under `/_sandbox/` (`control`).

Entry points: `server.SandboxServer` (one per process: moto is global),
`client.Sandbox` (the handle tests hold), `pytest_plugin` (the `aws_sandbox`
fixture), `cli.run_sandbox_command` (`ssmclient sandbox`), `session_program`
(a session-manager-plugin stand-in), `keyring_backend` (keeps `ssmclient
sandbox` away from the OS keyring). Nothing here imports Qt.
"""
