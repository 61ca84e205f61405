"""How a failed round is reported to its task's owner (Task.lastError, TaskFailed.error)."""

from __future__ import annotations


def failure_reason(error: BaseException) -> str:
    """The exception's class and message, e.g. 'ModelError: cannot read image x.png'.

    The class name without its module path: the owner needs the kind of failure, not where
    in our code it was raised. Whoever runs the round (the worker, the embedded queue) calls
    this with the exception itself, so the reason reads the same wherever rounds run.
    """
    kind = type(error).__name__
    text = str(error).strip()
    return f"{kind}: {text}" if text else kind
