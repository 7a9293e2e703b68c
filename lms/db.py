"""Database helpers shared by the apps."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


def _copy_row(fields: Sequence[models.Field]) -> Callable[[models.Model], list[Any]]:
    """A row's values for COPY, prepared as bulk_create prepares them (``pre_save`` only where
    it does something: ``auto_now`` dates; it is the hot loop of the LRS's inserts)."""
    timed = [
        bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields
    ]
    steps = list(zip(fields, timed, strict=True))

    def values(row: models.Model) -> list[Any]:
        return [
            f.get_db_prep_save(f.pre_save(row, True) if now else getattr(row, f.attname), db)
            for f, now in steps
        ]

    db = transaction.get_connection()
    return values


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]


def _copy_in(
    db: BaseDatabaseWrapper,
    table: str,
    fields: Sequence[models.Field],
    rows: Iterable[Sequence[Any]],
) -> None:
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    with db.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def rows_insert(rows: Sequence[models.Model]) -> None:
    """Insert new rows of one model: with COPY on PostgreSQL, bulk_create elsewhere.

    COPY takes about half the CPU time of bulk_create for a batch of statements (nothing to
    compile, and no array literals of JSON to quote, which psycopg does in Python for Django's
    INSERT ... UNNEST): the LRS's statements POST is a hot path (``rows_copy`` is the
    progress engine's). Each field's own ``pre_save`` (``auto_now``) and ``get_db_prep_save``
    prepare the values, as bulk_create does; an auto-increment key is left to the database
    (the rows' ``pk`` stays None).
    """
    if not rows:
        return
    model = type(rows[0])
    db = transaction.get_connection()  # the connection itself: the proxy costs a lookup per use
    if db.vendor != "postgresql":
        model._default_manager.bulk_create(rows)
        return
    fields = _insert_fields(model)
    values = _copy_row(fields)
    _copy_in(db, db.ops.quote_name(model._meta.db_table), fields, map(values, rows))


def _plain(
    model: type[models.Model], rows: Sequence[Any], db: BaseDatabaseWrapper
) -> tuple[list[models.Field], Callable[[Any], Sequence[Any]]]:
    """The fields of plain rows of ``model`` (named tuples or dataclass instances whose
    attributes are named after the fields' ``attname``), and a row's values for COPY."""
    first = rows[0]
    names = (
        tuple(f.name for f in dataclasses.fields(first))
        if dataclasses.is_dataclass(first)
        else tuple(first._fields)
    )
    by_attname = {f.attname: f for f in _insert_fields(model)}
    if set(names) != set(by_attname):
        raise ValueError(f"{model.__name__} rows need exactly {sorted(by_attname)}")
    fields = [by_attname[name] for name in names]
    json = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]

    def values(row: Any) -> Sequence[Any]:
        prepared = [getattr(row, name) for name in names]
        for i, field in json:
            prepared[i] = field.get_db_prep_save(prepared[i], db)
        return prepared

    return fields, values


def _instances(model: type[models.Model], rows: Sequence[Any]) -> list[models.Model]:
    """Plain rows as model instances (bulk_create, away from PostgreSQL)."""
    fields = [f.attname for f in _insert_fields(model)]
    return [model(**{name: getattr(row, name) for name in fields}) for row in rows]


def rows_copy(model: type[models.Model], rows: Sequence[Any]) -> None:
    """Insert new rows of ``model`` given as plain rows: named tuples or dataclass instances
    whose attributes are named after the fields' attributes (``learner_id``), holding plain
    values (str, numbers, booleans, UUIDs, aware datetimes, None; a JSON field's data), every
    field but an auto-increment key given. ``rows_insert`` without a model instance per row
    and each value prepared by its field (the progress engine writes its rows by the thousand):
    only JSON is prepared. COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    db = transaction.get_connection()
    fields, values = _plain(model, rows, db)
    if db.vendor != "postgresql":
        model._default_manager.bulk_create(_instances(model, rows))
        return
    _copy_in(db, db.ops.quote_name(model._meta.db_table), fields, map(values, rows))


def rows_upsert(
    model: type[models.Model],
    rows: Sequence[Any],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """Insert plain rows of ``model`` (as ``rows_copy`` takes them), or update the
    ``update_fields`` of those whose ``unique_fields`` are already there (attribute names). On
    PostgreSQL the rows are COPYed into a temporary table and merged with one INSERT ... ON
    CONFLICT: Django's bulk_create sends each column as an array, and psycopg escapes the
    quotes of JSON values inside arrays in Python, one by one, which costs more than the merge
    itself. ``bulk_create(update_conflicts=True)`` elsewhere."""
    if not rows:
        return
    db = transaction.get_connection()
    fields, values = _plain(model, rows, db)
    if db.vendor != "postgresql":
        model._default_manager.bulk_create(
            _instances(model, rows),
            update_conflicts=True,
            unique_fields=list(unique_fields),
            update_fields=list(update_fields),
        )
        return
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    staging = quote(f"staging_{model._meta.db_table}")
    column = {f.attname: quote(f.column) for f in fields}
    conflict = ", ".join(column[name] for name in unique_fields)
    updates = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in update_fields)
    with db.cursor() as cursor:
        # (per session; created again after a rollback undid it)
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        _copy_in(db, staging, fields, map(values, rows))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608 - names from the model
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DELETE FROM {staging}")  # noqa: S608 - (a second merge in this transaction)
