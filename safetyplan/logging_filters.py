"""Logging filters: what reaches a log is IDs and paths, never what a person typed."""

import logging


class WithoutQueryStrings(logging.Filter):
    """Cuts the query string from request lines (Django's development server logs "GET /path?q=… HTTP/1.1")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            first: str = record.args[0]
            rest = record.args[1:]
            method, _, remainder = first.partition(" ")
            target, space, protocol = remainder.partition(" ")
            if "?" in target:
                record.args = (f"{method} {target.split('?', 1)[0]}{space}{protocol}", *rest)
        return True
