"""The one exception type users see: its message says what is wrong and what to do."""


class QuakebenchError(ValueError):
    """A problem with the user's input (a file, an id, a field, an option).

    Its message names the field (or file, or id) and the fix. A ``ValueError``, so library
    callers may catch either.

    The command-line interface prints the message on one line and exits with status 2,
    without a traceback.
    """
