"""What ssmclient reads of AWS's answers, and service models cut down to it.

botocore's parsers walk every member of an output shape, present in the
answer or not: EC2's `Instance` has some 70, and a page holds 1,000 of them.
Parsing a 1,000-instance page of the sandbox (14 fields an instance) took
53 ms with the whole shape and 33 ms with these members, and a page of 50
instance informations 0.76 ms and 0.14 ms; AWS's answers carry many more
fields. The parse is the listing's main cost, and it holds the GIL, so this
is also time a window's paint waits.

Only shapes that no operation takes as input are cut: every request is
still checked against the whole model.
"""

from typing import Any

# service -> output shape -> the members read (inventory._instance and _statuses).
READ: dict[str, dict[str, frozenset[str]]] = {
    "ec2": {
        "Reservation": frozenset({"Instances"}),
        "Instance": frozenset(
            {
                "InstanceId",
                "Tags",
                "State",
                "PrivateIpAddress",
                "PublicIpAddress",
                "Platform",
                "PlatformDetails",
                "Placement",
                "LaunchTime",
            }
        ),
    },
    "ssm": {"InstanceInformation": frozenset({"InstanceId", "PingStatus"})},
}


def cut_to_what_is_read(service_name: str, model: dict[str, Any]) -> dict[str, Any]:
    """`model` (a service-2 document) with the shapes of READ cut to their members read.

    The document given is not changed: the shapes cut are copies.
    """
    cuts = READ.get(service_name)
    shapes = model.get("shapes")
    if not cuts or not isinstance(shapes, dict):
        return model
    cut = dict(shapes)
    for name, members in cuts.items():
        shape = shapes.get(name)
        if isinstance(shape, dict) and isinstance(shape.get("members"), dict):
            kept = {k: v for k, v in shape["members"].items() if k in members}
            cut[name] = {**shape, "members": kept}
    return {**model, "shapes": cut}
