"""The one exception type users see: its message says what is wrong and what to do."""


class QuakebenchError(ValueError):
    """A problem with the user's input (a file, an id, a field, an option).

    Its message names the field (or file, or id) and the fix. A ``ValueError``, so library
    callers may catch either.

    The command-line interface prints the message on one line and exits with status 2,
    without a traceback.
    """


NETWORK_ERRORS = frozenset(
    {
        "ConnectError",
        "ConnectTimeout",
        "ConnectionError",
        "NetworkError",
        "OfflineModeIsEnabled",
        "PoolTimeout",
        "ProxyError",
        "ReadTimeout",
        "TransportError",
        "WriteTimeout",
    }
)
"""Exception class names (httpx's, requests', Python's, the Hub client's) that mean a server
could not be reached, whichever library raised them."""


def network_failure(error: BaseException) -> str | None:
    """One line for a server that could not be reached, naming it and how to work offline;
    None for any other error."""
    if not NETWORK_ERRORS & {cls.__name__ for cls in type(error).__mro__}:
        return None
    try:
        url = error.request.url  # httpx and requests errors keep the request
        host = f"{url.host}:{url.port}" if getattr(url, "host", None) else str(url)
    except (AttributeError, RuntimeError):
        from huggingface_hub import constants

        host = constants.ENDPOINT
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"cannot reach {host} ({first}); with no network, set HF_HUB_OFFLINE=1 to read "
        "datasets from the local Hub cache"
    )


def disk_failure(error: OSError) -> str:
    """One line for a failed read or write, naming the path and the reason."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"
