"""Faults a test asks for: added latency, throttling, server errors, dropped connections."""

import threading
from dataclasses import dataclass

FAULT_KINDS = ("latency", "throttle", "5xx", "drop")


@dataclass
class Fault:
    action: str
    kind: str
    remaining: int | None  # None: every matching request
    seconds: float = 0.0


class FaultPlan:
    """The faults in force; each request takes at most one of them, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, action: str, kind: str, count: int | None, seconds: float) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1, or None for every request")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self._lock:
            self._faults.append(Fault(action, kind, count, seconds))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, action: str | None) -> Fault | None:
        """The fault to apply to a request for `action`, counting it as used."""
        if action is None:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.action == action:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return Fault(fault.action, fault.kind, fault.remaining, fault.seconds)
        return None
