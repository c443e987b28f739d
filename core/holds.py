"""What still hangs on an organisation, asked before it is dissolved or deleted.

The tree sits below the apps that hang records on it (members, ...), so it cannot look them up itself:
each of those apps registers a check here when it loads, and `branches.services` asks them all.
A check takes the organisation and `ever` (False: what is active now, which blocks a dissolution;
True: anything ever recorded, which blocks a deletion) and returns the refusals as messages.
"""

from collections.abc import Callable

HoldCheck = Callable[..., list[str]]
_checks: list[HoldCheck] = []


def hold_register(check: HoldCheck) -> HoldCheck:
    """Register a check (used as a decorator by the apps above the tree); registering twice is harmless."""
    if check not in _checks:
        _checks.append(check)
    return check


def holds(organisation, *, ever: bool) -> list[str]:
    """Every registered app's refusals for this organisation, in registration order."""
    return [message for check in _checks for message in check(organisation, ever=ever)]
