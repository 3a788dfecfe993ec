"""Every AWS request the sandbox answered, so tests and benchmarks can count calls."""

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    time: float
    service: str | None
    action: str | None
    region: str | None
    access_key_id: str | None
    caller: str | None  # the caller's ARN, or None when the key is unknown
    status: int  # 0 for a dropped connection
    fault: str | None
    # The caller's SourceIdentity, as CloudTrail's userIdentity.sessionContext shows it.
    source_identity: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "RequestRecord":
        return cls(**document)


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(
        self,
        *,
        service: str | None,
        action: str | None,
        region: str | None,
        access_key_id: str | None,
        caller: str | None,
        status: int,
        fault: str | None,
        source_identity: str | None = None,
    ) -> None:
        record = RequestRecord(
            time.time(),
            service,
            action,
            region,
            access_key_id,
            caller,
            status,
            fault,
            source_identity,
        )
        with self._lock:
            self._records.append(record)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def records(self, action: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self._records if action is None or r.action == action]
