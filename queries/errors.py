"""The one kind of refusal a person reads.

Whatever refuses what someone asked (a permission, a bad value, a closed month, a province
outside their scope) raises a subclass of `UserFacingError`, whose `message` is a Vietnamese
sentence fit to show as it is: pages and command lines catch this one class, show the message,
and never show a traceback. Anything else that escapes is a bug, logged for the maintainer.
"""
from __future__ import annotations


class UserFacingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
