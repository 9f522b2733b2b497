"""Schemas the routers of config/api.py share. They describe documents for OpenAPI;
the documents themselves are read by the parsers of formats.md, not by these."""

import enum
import types
from collections.abc import Iterable
from dataclasses import MISSING, fields
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from ninja import Field, Schema
from pydantic import ConfigDict, create_model

DECIMAL = r"^-?\d+(\.\d+)?$"
DECIMAL_TEXT = Annotated[str, Field(pattern=DECIMAL, examples=["12.5"])]


class Document(Schema):
    # A key the documents do not define is refused (formats.md): say so in the schema.
    model_config = ConfigDict(extra="forbid")


def file_type(hint: Any) -> Any:
    """The type an engine field has in a document: decimals are strings, tuples lists."""
    if get_origin(hint) in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return file_type(inner) | None
    if get_origin(hint) is tuple:
        return list[file_type(get_args(hint)[0])]
    return DECIMAL_TEXT if hint is Decimal else hint


def file_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, tuple):
        return [file_value(v) for v in value]
    return value.value if isinstance(value, enum.Enum) else value


def document_model(
    name: str,
    dataclass: type,
    keys: Iterable[str],
    *,
    required: Iterable[str] | None = None,
    defaults: dict | None = None,
    types: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
    doc: str | None = None,
) -> type[Document]:
    """A document's schema from the engine dataclass its parser fills: for each key,
    the field's type as the file writes it, and its default (`defaults`, else the
    dataclass's); `required` defaults to the fields the dataclass has no default for."""
    hints = get_type_hints(dataclass)
    own = {f.name: f for f in fields(dataclass)}
    if required is None:
        required = {
            k for k, f in own.items() if f.default is MISSING and f.default_factory is MISSING
        }
    spec: dict[str, Any] = dict(before or {})
    for key in keys:
        kind = (types or {}).get(key) or file_type(hints[key])
        if key in required:
            spec[key] = (kind, ...)
        elif defaults is not None and key in defaults:
            spec[key] = (kind, defaults[key])
        else:
            spec[key] = (kind, file_value(own[key].default))
    return create_model(name, __base__=Document, __doc__=doc, **spec, **(after or {}))


class Money(Document):
    amount: str = Field(pattern=DECIMAL, examples=["29.99"])
    currency: str


class Problem(Schema):
    field: str
    message: str
    operator: str | None = None
    plan: str | None = None
    text: str = Field(description="the line import_catalog prints for this problem")


class Error(Schema):
    error: str = Field(description="the message the command line gives for the same input")
    field: str | None = Field(description="the field at fault, as the message names it")
    problems: list[Problem] | None = Field(None, description="a catalog's rows found wrong")
