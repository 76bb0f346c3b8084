"""The one-time link token and the device secret: random values handed out once, kept only as hashes."""

import hashlib
import secrets

# 16 bytes: 128 bits of randomness, 22 characters, short enough to type from the screen if the camera fails.
LINK_TOKEN_BYTES = 16
# The secret a phone keeps for as long as it holds the plan: 256 bits.
DEVICE_SECRET_BYTES = 32
MAX_LENGTH = 100  # anything longer is not one of ours, and is refused before it is hashed


def new_link_token() -> str:
    return secrets.token_urlsafe(LINK_TOKEN_BYTES)


def new_device_secret() -> str:
    return secrets.token_urlsafe(DEVICE_SECRET_BYTES)


def digest(value: str) -> str:
    """What is stored and looked up: the SHA-256 of the value (hex). The values are random, so no salt."""
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def well_formed(value: str) -> bool:
    return 0 < len(value) <= MAX_LENGTH and value.isascii()
