"""Writes of the LRS (re-exported so callers import from one place)."""

from tracking.services.clients import lrs_client_check, lrs_client_create, lrs_client_deactivate

__all__ = ["lrs_client_check", "lrs_client_create", "lrs_client_deactivate"]
