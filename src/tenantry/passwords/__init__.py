"""Passwords: hashing now; policy, change, reset and smart lockout come next."""
