"""An instance as ssmclient lists it, and a listing: plain data, no botocore.

Apart from `inventory.py` (which talks to AWS) so that a window can hold and
show instances without importing botocore at start-up.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Instance:
    instance_id: str
    name: str | None  # None: the instance has no Name tag
    state: str
    private_ip: str | None
    public_ip: str | None
    platform: str
    region: str
    availability_zone: str | None
    launch_time: datetime | None
    tag_value: str
    ping_status: str | None  # None: unknown (not readable, or not managed by SSM)

    def to_json(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "name": self.name,
            "state": self.state,
            "ping_status": self.ping_status,
            "private_ip": self.private_ip,
            "public_ip": self.public_ip,
            "platform": self.platform,
            "region": self.region,
            "availability_zone": self.availability_zone,
            "launch_time": self.launch_time.isoformat() if self.launch_time else None,
            "tag_value": self.tag_value,
        }


@dataclass(frozen=True)
class Inventory:
    instances: list[Instance]
    # Regions whose ping status could not be read, with the reason (e.g. "AccessDeniedException").
    ping_unreadable: dict[str, str] = field(default_factory=dict)
