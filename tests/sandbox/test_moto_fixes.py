"""Where moto differs from AWS in what a client sees, the sandbox answers as AWS does."""

import json
import re

from sandbox_helpers import host_admin, make_client

from ssmclient.sandbox.client import Sandbox

TEMPLATE = """
Parameters:
  Secret: {Type: String, NoEcho: true}
  Plain: {Type: String}
Resources:
  Preferences:
    Type: AWS::SSM::Document
    Properties:
      Name: Test-Preferences
      DocumentType: Session
      DocumentFormat: JSON
      Content:
        schemaVersion: "1.0"
        sessionType: Standard_Stream
        inputs: {runAsEnabled: true, runAsDefaultUser: !Ref Plain}
"""


def test_a_stack_hides_no_echo_values_and_its_document_object_reads_back(
    aws_sandbox: Sandbox,
) -> None:
    admin = host_admin(aws_sandbox)
    cfn = make_client(aws_sandbox, "cloudformation", admin)
    cfn.create_stack(
        StackName="fixes",
        TemplateBody=TEMPLATE,
        Parameters=[
            {"ParameterKey": "Secret", "ParameterValue": "do-not-show"},
            {"ParameterKey": "Plain", "ParameterValue": "no_sudo_user"},
        ],
    )
    (stack,) = cfn.describe_stacks(StackName="fixes")["Stacks"]
    shown = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert shown == {"Secret": "****", "Plain": "no_sudo_user"}

    ssm = make_client(aws_sandbox, "ssm", admin)
    document = ssm.get_document(Name="Test-Preferences")
    content = json.loads(document["Content"])
    assert content["inputs"] == {"runAsEnabled": True, "runAsDefaultUser": "no_sudo_user"}
    assert ssm.describe_document(Name="Test-Preferences")["Document"]["DocumentType"] == "Session"


ROLE_TEMPLATE = """
Parameters:
  ExternalId: {Type: String, NoEcho: true}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: FixesRole
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: arn:aws:iam::444455556666:root}
            Action: sts:AssumeRole
            Condition: {StringEquals: {sts:ExternalId: !Ref ExternalId}}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore]
      Policies:
        - PolicyName: Inline
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: ec2:DescribeInstances, Resource: "*"}]
Outputs:
  RoleArn: {Value: !GetAtt Role.Arn}
"""


def test_a_change_set_creates_and_updates_a_role_as_aws_does(aws_sandbox: Sandbox) -> None:
    """`aws cloudformation deploy` is a change set: outputs, JSON policies, attached managed
    policies, and an update that changes the trust policy in place (an External ID rotation)."""
    admin = host_admin(aws_sandbox)
    cfn = make_client(aws_sandbox, "cloudformation", admin)
    iam = make_client(aws_sandbox, "iam", admin)
    for kind, external_id in (("CREATE", "first-id"), ("UPDATE", "second-id")):
        cfn.create_change_set(
            StackName="role",
            ChangeSetName=f"cs-{kind.lower()}",
            ChangeSetType=kind,
            TemplateBody=ROLE_TEMPLATE,
            Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": external_id}],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        cfn.execute_change_set(ChangeSetName=f"cs-{kind.lower()}", StackName="role")
        (stack,) = cfn.describe_stacks(StackName="role")["Stacks"]
        assert stack["StackStatus"] == f"{kind}_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["RoleArn"].endswith(":role/FixesRole")
        role = iam.get_role(RoleName="FixesRole")["Role"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": external_id}}
        inline = iam.get_role_policy(RoleName="FixesRole", PolicyName="Inline")["PolicyDocument"]
        assert inline["Statement"][0]["Action"] == "ec2:DescribeInstances"
        attached = iam.list_attached_role_policies(RoleName="FixesRole")["AttachedPolicies"]
        assert [p["PolicyName"] for p in attached] == ["AmazonSSMManagedInstanceCore"]


def test_a_users_unique_id_is_shaped_as_iams(aws_sandbox: Sandbox) -> None:
    identity = make_client(aws_sandbox, "sts").get_caller_identity()
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", identity["UserId"]), identity["UserId"]
    iam = make_client(aws_sandbox, "iam", host_admin(aws_sandbox))
    group = iam.create_group(GroupName="engineers")["Group"]
    assert re.fullmatch(r"AGPA[A-Z0-9]{17}", group["GroupId"]), group["GroupId"]
