"""Error replies of the demo router, raised from anywhere in a handler."""

from __future__ import annotations

__all__ = ["Fail", "MethodNotAllowed", "not_found"]


class Fail(Exception):
    """An error reply: status, v3 error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        #: The ``Allow`` header of a 405 reply ("" for other errors).
        self.allow = ""


class MethodNotAllowed(Fail):
    def __init__(self, allow: str) -> None:
        super().__init__(405, "BadRequestError", "Method not allowed for this path")
        self.allow = allow


def not_found(what: str, ident: str) -> Fail:
    return Fail(404, "NotFoundError", f'{what} "{ident}" not found')
