"""Staff users, roles and API tokens."""

from service.auth.permissions import Permission, Role, requires
from service.auth.services import (
    authenticate,
    create_api_token,
    create_user,
    user_for_token,
)

__all__ = [
    "Permission",
    "Role",
    "authenticate",
    "create_api_token",
    "create_user",
    "requires",
    "user_for_token",
]
