"""Writes every app's services share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(
    *,
    instance: ModelT,
    fields: Iterable[str],
    data: Mapping[str, Any],
    clean_exclude: Iterable[str] = (),
    save: Callable[[ModelT, list[str]], object] | None = None,
) -> tuple[ModelT, bool]:
    """Set those of ``fields`` that ``data`` holds with a new value, validate, and save only
    them (with ``updated_at`` when the model keeps one). Nothing changed, nothing is written.

    ``save(instance, update_fields)`` replaces ``full_clean`` and ``save`` where a model has
    its own checks (a person's unique e-mail). Many-to-many fields are not for this: they need
    their own checks (a course's trainers). Returns the instance and whether it was saved.
    """
    opts = instance._meta
    changed = []
    for name in fields:
        if name not in data:
            continue
        if opts.get_field(name).many_to_many:
            raise ValueError(f"{opts.label}.{name} is many-to-many: set it on its own")
        if getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if not changed:
        return instance, False
    if any(f.name == "updated_at" for f in opts.concrete_fields):
        changed.append("updated_at")
    if save is not None:
        save(instance, changed)
    else:
        instance.full_clean(exclude=list(clean_exclude))
        instance.save(update_fields=changed)
    return instance, True
