"""Local development and demo: DEBUG on, a fixed development secret."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
SIGNATURES_DEMO_SIGNER = env.bool("SIGNATURES_DEMO_SIGNER", default=True)
