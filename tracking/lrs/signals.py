"""Signals the LRS sends to whoever consumes what it stores (the progress engine), which it
does not know."""

from django.dispatch import Signal

# Sent after the commit of a request that stored new statements (each with its row in the
# outbox, ``StatementOutbox``). Only a wake-up: the outbox rows are what counts, and a consumer
# that missed the signal finds them on its periodic sweep.
statements_stored = Signal()
