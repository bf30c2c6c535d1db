"""Errors a service raises for a user to read: a message and the field or row it is about."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused change. `field` names the form field or entry the message is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed the item first (optimistic version check)."""
