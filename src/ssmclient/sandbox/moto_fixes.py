"""Where moto answers differently from AWS in a way a client would see, put right in one place.

Applied once when the sandbox app is made. Each fix says what AWS does.
"""

import json
from typing import Any

import yaml  # type: ignore[import-untyped]  # moto's dependency; no stubs installed
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, Group, Role, User, iam_backends
from moto.iam.utils import generate_access_key_id_from_account_id
from moto.ssm.models import Document
from moto.utilities.utils import get_partition

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _document_content_as_object()
    _no_echo_parameters_masked()
    _change_set_creates_the_stack()
    _inline_policies_as_json()
    _role_updates_apply()
    _managed_policy_arns_attached()
    _unique_ids_shaped_as_iams()


def _document_content_as_object() -> None:
    """CloudFormation takes an AWS::SSM::Document's Content as an object (the usual YAML
    form); moto stores the object itself and then fails on every read of the document."""
    original = Document.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(
        cls: type[Document],
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Document:
        properties = dict(cloudformation_json.get("Properties") or {})
        content = properties.get("Content")
        if isinstance(content, dict | list):
            yaml_format = str(properties.get("DocumentFormat", "JSON")).upper() == "YAML"
            properties["Content"] = yaml.safe_dump(content) if yaml_format else json.dumps(content)
            cloudformation_json = {**cloudformation_json, "Properties": properties}
        document: Document = original(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        return document

    Document.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


def _no_echo_parameters_masked() -> None:
    """DescribeStacks shows a NoEcho parameter (an External ID) as "****"; moto compares
    the value instead of the key with its NoEcho list, and shows the secret."""

    def parameter_list(self: Stack) -> list[dict[str, Any]]:
        hidden = set(self.resource_map.no_echo_parameter_keys)
        return [
            {"ParameterKey": key, "ParameterValue": "****" if key in hidden else value}
            for key, value in self.resource_map.resolved_parameters.items()
        ]

    Stack.parameter_list = property(parameter_list)  # type: ignore[method-assign,assignment]


def _change_set_creates_the_stack() -> None:
    """`aws cloudformation deploy` creates a stack through a CREATE change set; AWS then
    creates it exactly as CreateStack would. moto applies the change set to an empty
    stack as an update: no outputs, and IAM policies stored as Python text."""
    original = CloudFormationBackend.execute_change_set

    def execute_change_set(
        self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
    ) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None
        )
        if change_set is None or change_set.change_set_type != "CREATE":
            original(self, change_set_name, stack_name)
            return
        stack = self.stacks[change_set.stack_id]
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = change_set.parameters
        stack.cross_stack_resources = self.exports
        stack.resource_map = stack._create_resource_map()
        stack.output_map = stack._create_output_map()
        stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
        stack.create_resources()
        for export in stack.exports:
            self.exports[export.name] = export
        change_set.execution_status = "EXECUTE_COMPLETE"

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def _inline_policies_as_json() -> None:
    """IAM keeps a policy as JSON text (GetRolePolicy answers it URL-encoded); moto keeps
    a CloudFormation template's PolicyDocument object as is and answers its Python repr."""
    for owner in (Role, User, Group):
        original = owner.put_policy

        def put_policy(
            self: Any, policy_name: str, policy_json: Any, _original: Any = original
        ) -> None:
            text = policy_json if isinstance(policy_json, str) else json.dumps(policy_json)
            _original(self, policy_name, text)

        owner.put_policy = put_policy  # type: ignore[method-assign]


def _role_updates_apply() -> None:
    """A stack update changes a role's trust policy, inline policies, tags and limits in
    place (how an External ID is rotated); moto's update keeps only the description."""

    def update(
        cls: type[Role],
        /,
        original_resource: Role,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Role:
        properties = cloudformation_json["Properties"]
        backend = iam_backends[account_id][get_partition(region_name)]
        name = original_resource.name
        if properties.get("RoleName", name) != name:
            # A new name replaces the role, as CloudFormation does.
            cls.delete_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        trust = properties["AssumeRolePolicyDocument"]
        backend.update_assume_role_policy(
            name, trust if isinstance(trust, str) else json.dumps(trust)
        )
        backend.update_role(
            name,
            properties.get("Description", ""),
            properties.get("MaxSessionDuration", 3600),
        )
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in properties.get("Policies", [])}
        for policy_name in list(original_resource.policies):
            if policy_name not in wanted:
                original_resource.delete_policy(policy_name)
        for policy_name, document in wanted.items():
            original_resource.put_policy(policy_name, document)
        _sync_managed_policies(backend, original_resource, properties)
        tags = list(properties.get("Tags", []))
        keys = {tag["Key"] for tag in tags}
        stale = [tag["Key"] for tag in original_resource.tags if tag["Key"] not in keys]
        if stale:
            backend.untag_role(name, stale)
        if tags:
            backend.tag_role(name, tags)
        return original_resource

    Role.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]


_AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


def _ensure_aws_policy(backend: Any, arn: str) -> None:
    """moto loads AWS's managed policies only on request (thousands, per account); the one
    a role attaches is loaded from moto's own copy of them, as IAM always has it."""
    if arn in backend.managed_policies or not arn.startswith(_AWS_POLICY_PREFIX):
        return
    name = arn.removeprefix(_AWS_POLICY_PREFIX).rsplit("/", 1)[-1]
    data = _aws_policies().get(name)
    if data is not None:
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        backend.managed_policies[policy.arn] = policy


_aws_policies_parsed: dict[str, Any] | None = None


def _aws_policies() -> dict[str, Any]:
    global _aws_policies_parsed
    if _aws_policies_parsed is None:
        _aws_policies_parsed = json.loads(aws_managed_policies_data)
    return _aws_policies_parsed


def _sync_managed_policies(backend: Any, role: Role, properties: Any) -> None:
    wanted = list(properties.get("ManagedPolicyArns", []))
    for arn in [p.arn for p in role.managed_policies.values()]:
        if arn not in wanted:
            backend.detach_role_policy(arn, role.name)
    for arn in wanted:
        _ensure_aws_policy(backend, arn)
        backend.attach_role_policy(arn, role.name)


def _managed_policy_arns_attached() -> None:
    """A role's ManagedPolicyArns are attached to it (AmazonSSMManagedInstanceCore, for the
    instances); moto's CloudFormation ignores the property."""
    original = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(
        cls: type[Role],
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Role:
        role: Role = original(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        backend = iam_backends[account_id][get_partition(region_name)]
        _sync_managed_policies(backend, role, cloudformation_json.get("Properties") or {})
        return role

    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


def _unique_ids_shaped_as_iams() -> None:
    """IAM's unique ids are 21 characters with a prefix per kind (AIDA for a user, AGPA for
    a group), as a user's aws:userid and GetCallerIdentity's UserId show; moto's users and
    groups get 20 random lower-case characters."""
    for owner, prefix in ((User, "AIDA"), (Group, "AGPA")):
        original = owner.__init__

        def init(
            self: Any, *args: Any, _original: Any = original, _prefix: str = prefix, **kwargs: Any
        ) -> None:
            _original(self, *args, **kwargs)
            self.id = generate_access_key_id_from_account_id(
                account_id=self.account_id, prefix=_prefix, total_length=21
            )

        owner.__init__ = init  # type: ignore[method-assign]
