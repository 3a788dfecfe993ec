"""The host kit's CloudFormation templates: cfn-lint clean, and deployed into the sandbox's
CloudFormation they create what the architecture says, with the policies the sandbox enforces."""

import json
from pathlib import Path

import pytest

from host_kit_support import HOST_KIT, client, deploy
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.scenario import host_abac_policy

TEMPLATES = sorted(HOST_KIT.glob("*.yaml"))


def cfn_lint(text: str) -> list[str]:
    from cfnlint.api import lint

    # Every region, as a host may deploy anywhere (and warnings count).
    return [
        str(match) for match in lint(text, regions=["us-east-1", "eu-west-1", "ap-southeast-2"])
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_cfn_lint_is_clean(template: Path) -> None:
    assert cfn_lint(template.read_text(encoding="utf-8")) == []


def test_cfn_lint_would_catch_a_broken_template() -> None:
    text = (HOST_KIT / "host-party-role.yaml").read_text(encoding="utf-8")
    problems = cfn_lint(text.replace("MaxSessionDuration: 3600", "MaxSessionDuration: 99999"))
    assert any("99999" in problem for problem in problems)


def test_the_party_role_deploys_with_the_policy_the_sandbox_enforces(
    aws_sandbox: Sandbox,
) -> None:
    outputs = deploy(
        aws_sandbox,
        "party-c",
        "host-party-role.yaml",
        PartyName="ThirdPartyC",
        TagValue="Third_Party_C",
        PartnerAccountId=aws_sandbox.scenario.partner_account,
        ExternalId="ExternalIdForC",
        AllowSourceIdentity="true",
    )
    role_name = "SSMStartSession_IAM_Role_ThirdPartyC"
    assert (
        outputs["RoleArn"] == f"arn:aws:iam::{aws_sandbox.scenario.host_account}:role/{role_name}"
    )
    assert outputs["TagValue"] == "Third_Party_C"
    assert outputs["SourceRoleArn"].endswith(":role/3P_IAM_Assume_Role")

    iam = client(aws_sandbox, "iam")
    role = iam.get_role(RoleName=role_name)["Role"]
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {
        "ExternalAccessGrantedTo": "Third_Party_C",
        "SSMSessionRunAs": "no_sudo_user",
    }
    assert role["MaxSessionDuration"] == 3600
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": outputs["SourceRoleArn"]}
    assert trust["Action"] == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "ExternalIdForC"}}
    # One policy, in two homes: the template's and the seeded scenario's.
    document = iam.get_role_policy(RoleName=role_name, PolicyName="SSMStartSessionABAC")
    assert document["PolicyDocument"] == json.loads(host_abac_policy())

    (stack,) = client(aws_sandbox, "cloudformation").describe_stacks(StackName="party-c")["Stacks"]
    shown = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert shown["ExternalId"] == "****"


def test_the_host_account_deploys_a_private_subnet_reached_through_endpoints(
    aws_sandbox: Sandbox,
) -> None:
    outputs = deploy(
        aws_sandbox,
        "host",
        "host-account.yaml",
        FirstPartyTagValue="Third_Party_C",
        SecondPartyTagValue="Third_Party_D",
    )
    ec2 = client(aws_sandbox, "ec2")
    vpc = outputs["VpcId"]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    services = sorted(e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints["VpcEndpoints"])
    assert services == ["ec2messages", "logs", "ssm", "ssmmessages"]
    assert not ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}]
    )["InternetGateways"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    for group in groups["SecurityGroups"]:
        for rule in group["IpPermissions"]:  # inbound: HTTPS only, anywhere
            assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)

    reservations = ec2.describe_instances(
        InstanceIds=[outputs["FirstPartyInstanceId"], outputs["SecondPartyInstanceId"]]
    )["Reservations"]
    instances = {i["InstanceId"]: i for r in reservations for i in r["Instances"]}
    tags = {
        iid: {t["Key"]: t["Value"] for t in i["Tags"]}["ExternalAccessGrantedTo"]
        for iid, i in instances.items()
    }
    assert tags == {
        outputs["FirstPartyInstanceId"]: "Third_Party_C",
        outputs["SecondPartyInstanceId"]: "Third_Party_D",
    }
    for instance in instances.values():
        assert instance["SubnetId"] == outputs["PrivateSubnetId"]
        assert "PublicIpAddress" not in instance

    iam = client(aws_sandbox, "iam")
    profile_arn = next(iter(instances.values()))["IamInstanceProfile"]["Arn"]
    (profile,) = [
        p for p in iam.list_instance_profiles()["InstanceProfiles"] if p["Arn"] == profile_arn
    ]
    attached = iam.list_attached_role_policies(RoleName=profile["Roles"][0]["RoleName"])
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
        "AmazonSSMManagedInstanceCore"
    ]

    logs = client(aws_sandbox, "logs")
    (group,) = logs.describe_log_groups(logGroupNamePrefix="/ssm/sessions")["logGroups"]
    assert group["retentionInDays"] == 7

    ssm = client(aws_sandbox, "ssm")
    preferences = ssm.get_document(Name="SSM-SessionManagerRunShell")
    assert preferences["DocumentType"] == "Session"
    inputs = json.loads(preferences["Content"])["inputs"]
    assert inputs["runAsEnabled"] is True
    assert inputs["runAsDefaultUser"] == "no_sudo_user"
    assert inputs["cloudWatchLogGroupName"] == "/ssm/sessions"
    assert inputs["cloudWatchStreamingEnabled"] is True


@pytest.mark.filterwarnings("ignore:Tried to parse AWS.+IAM.+Group")
def test_the_partner_account_role_may_assume_only_the_host_role(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    host_role = "SSMStartSession_IAM_Role_ThirdPartyC"
    outputs = deploy(
        aws_sandbox,
        "partner",
        "partner-account.yaml",
        "partner-admin",
        RoleName="3P_IAM_Assume_Role_C",
        HostAccountId=scenario.host_account,
        HostRoleName=host_role,
        CreateTestUser="true",
    )
    assert outputs["SourceRoleArn"] == (
        f"arn:aws:iam::{scenario.partner_account}:role/3P_IAM_Assume_Role_C"
    )
    iam = client(aws_sandbox, "iam", "partner-admin")
    role = iam.get_role(RoleName="3P_IAM_Assume_Role_C")["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{scenario.partner_account}:root"}
    assert trust["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    policy = iam.get_role_policy(
        RoleName="3P_IAM_Assume_Role_C", PolicyName="AssumeTheHostRoleOnly"
    )
    (allow,) = policy["PolicyDocument"]["Statement"]
    assert allow["Resource"] == f"arn:aws:iam::{scenario.host_account}:role/{host_role}"
    # The testing-only user, named so (moto's CloudFormation drops its tags).
    assert iam.get_user(UserName="3P_IAM_Assume_Role_C_test_user")["User"]["Arn"]
