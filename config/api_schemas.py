"""Schemas the routers of config/api.py share. They describe documents for OpenAPI;
the documents themselves are read by the parsers of formats.md, not by these."""

from ninja import Field, Schema
from pydantic import ConfigDict

DECIMAL = r"^-?\d+(\.\d+)?$"


class Document(Schema):
    # A key the documents do not define is refused (formats.md): say so in the schema.
    model_config = ConfigDict(extra="forbid")


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
