"""Signals media sends to the apps that must not be imported from here."""

from django.dispatch import Signal

# Sent inside the transaction that publishes a ladder, with ``asset``: lessons take its length.
video_asset_ready = Signal()
