"""Where moto differs from AWS in what a client sees, the sandbox answers as AWS does."""

import json

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
