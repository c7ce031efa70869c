"""Test settings: fast hashing, huey in immediate mode, no external services."""

from .base import *  # noqa: F403
from .base import HUEY

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
LANGUAGE_CODE = "ru"
