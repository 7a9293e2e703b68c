"""The one error of the xAPI module: a statement, header or agent the LRS refuses with 400."""


class StatementInvalid(ValueError):
    """A 400: ``message`` says what is wrong, ``path`` where.

    E.g. "actor.mbox", "[3].object.definition.name".

    ``path`` is "" when the whole value is at fault (e.g. a statement that is not a JSON object).
    """

    message: str
    path: str

    def __init__(self, message: str, path: str = "") -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


def join_path(path: str, key: str | int) -> str:
    """``path`` extended by an object key ("a", "b" → "a.b") or an index ("a", 3 → "a[3]")."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
