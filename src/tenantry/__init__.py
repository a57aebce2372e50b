"""Tenantry: a self-hosted identity platform that speaks Microsoft Entra ID's protocols."""

__version__ = "0.1.0"
