"""API v1 described once. A view declares its shapes with `@operation` (the answers)
and `@arguments` (what it reads); `@arguments` also loads the request through the
same schema. The OpenAPI document is written by apispec from the app's /api/v1 rules
and those declarations, so parsing, answering and documenting read one description.

Decorator order on a view: the route, `@operation`, the role check, `@arguments`
(a caller without a valid token gets 401 before any 422).
"""

import functools
import re
from collections.abc import Iterable

import marshmallow as ma
from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, request
from flask_babel import gettext
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from ..validation import ValidationErrors
from .fields import N_, Answer

DESCRIPTIONS = {400: "Malformed body", 401: "Missing or bad token",
                403: "The token's role may not do this", 404: "Not found", 409: "Conflict",
                422: "Invalid fields"}
NOT_AN_OBJECT = N_("The body must be a JSON object.")
_VARIABLE = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")  # <converter:name> or <name>


class Error(Answer):
    error = ma.fields.String()
    message = ma.fields.String()


class ValidationError(Error):
    field_messages = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), attribute="fields",
        data_key="fields", metadata={"description": "From field name to message"})


def error_responses(*codes: int) -> dict:
    """The usual error answers, for `operation(responses=...)`."""
    return {code: (DESCRIPTIONS[code], ValidationError if code == 422 else Error)
            for code in codes}


def operation(summary: str, *, roles: Iterable[str] = (), responses: dict,
              public: bool = False, body: type[ma.Schema] | None = None):
    """Declares what a view answers: `responses` maps a status to (description,
    schema), the schema a marshmallow shape (a class, or an instance with many=True),
    a raw JSON schema dict, or None. `roles` are named in the description. `body` is
    for a view that loads its body through that schema itself (the check-in call)."""

    def decorate(view):
        doc = view.__dict__.setdefault("openapi", {})
        doc.update(summary=summary, roles=sorted(roles), responses=responses, public=public)
        if body is not None:
            doc["arguments"] = (body, "json")
        return view

    return decorate


def undocumented_twin(view):
    """A view that answers, on the same path and method, what a documented view's
    converter refused (an id that is no id): the documented operation describes it."""
    view.openapi = {"twin": True}
    return view


# -- loading requests ------------------------------------------------------------------

def field_messages(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as one message per dotted field name."""
    out: dict[str, str] = {}
    for key, value in messages.items():
        name = prefix.rstrip(".") if key == "_schema" and prefix else f"{prefix}{key}"
        if isinstance(value, dict):
            out |= field_messages(value, f"{name}.")
        else:
            out[name] = str(value[0] if isinstance(value, list) else value)
    return out


class _Parser(FlaskParser):
    """Bodies are read as JSON whatever their Content-Type, and must be objects (400
    otherwise); bad fields raise ValidationErrors (422 with `fields`)."""

    def load_json(self, req, schema):
        try:
            data = req.get_json(silent=True, force=True)
        except RecursionError:  # nested deeper than the JSON parser can follow
            data = None
        if not isinstance(data, dict):
            raise BadRequest(gettext(NOT_AN_OBJECT))
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = next(iter(error.messages.values()), {})  # {location: messages}
        errors = ValidationErrors(field_messages(messages))
        # What did load, for the domain rules to look at too (arguments(also=...)).
        errors.valid_data = error.valid_data if isinstance(error.valid_data, dict) else {}
        raise errors


parser = _Parser(unknown=None)


@parser.location_loader("multipart")
def _multipart(req, schema):
    """A multipart form's fields and files together."""
    return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)


@parser.location_loader("json_or_empty")
def _json_or_empty(req, schema):
    return parser.load_json(req, schema) if req.get_data() else {}


def load(schema: ma.Schema, location: str = "json"):
    """The request's body (or query string) loaded through `schema`."""
    return parser.parse(schema, request, location=location)


def arguments(schema: type[ma.Schema], location: str = "json", also=None):
    """Loads the request through `schema` and passes it to the view as `args`; the
    document describes the body (or the query parameters) from the same schema.

    `also(valid_data, **view_kwargs)`: the view's domain rules (raising ValidationErrors),
    run on the fields that did load when others did not, so that one answer names every
    bad field instead of the domain's problems coming in a second wave."""
    instance = schema()

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            try:
                loaded = load(instance, location)
            except ValidationErrors as errors:
                if also is not None:
                    _add_domain_errors(errors, also, kwargs)
                raise
            return view(*args, args=loaded, **kwargs)

        wrapped.openapi = dict(getattr(view, "openapi", {}),
                               arguments=(schema, location))
        return wrapped

    return decorate


def _add_domain_errors(errors: ValidationErrors, also, view_kwargs: dict) -> None:
    try:
        also(dict(getattr(errors, "valid_data", None) or {}), **view_kwargs)
    except ValidationErrors as more:
        for name, message in more.fields.items():
            errors.fields.setdefault(name, message)


# -- the document ----------------------------------------------------------------------

class _AnswersHaveEveryField(BasePlugin):
    def schema_helper(self, name, definition, schema=None, **kwargs):
        cls = schema if isinstance(schema, type) else type(schema)
        if not issubclass(cls, Answer):
            return None
        return {"required": [key for key in definition.get("properties", {})
                             if key not in cls.OPTIONAL]}


def _content(schema) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _operation(doc: dict, path_params: list) -> dict:
    op: dict = {"summary": doc["summary"], "responses": {}}
    if doc["roles"]:
        op["description"] = f"Roles: {', '.join(doc['roles'])}."
    if doc["public"]:
        op["security"] = []
    params = list(path_params)
    schema, location = doc.get("arguments", (None, None))
    if location == "query":
        params.append({"in": "query", "schema": schema})
    elif location == "multipart":
        op["requestBody"] = {"required": True,
                             "content": {"multipart/form-data": {"schema": schema}}}
    elif schema is not None:
        op["requestBody"] = {"required": location == "json"} | _content(schema)
    if params:
        op["parameters"] = params
    for status, (description, answer) in sorted(doc["responses"].items()):
        op["responses"][str(status)] = {"description": description} | (
            _content(answer) if answer is not None else {})
    return op


def _path(app: Flask, rule) -> tuple[str, list]:
    """The rule's path as OpenAPI writes it ({event_id}), and its path parameters."""
    converters = app.url_map.converters
    params = [{"name": name, "in": "path", "required": True, "schema": {
        "type": "integer" if issubclass(converters[converter or "default"], IntegerConverter)
        else "string"}} for converter, name in _VARIABLE.findall(rule.rule)]
    return _VARIABLE.sub(r"{\2}", rule.rule), params


def build_document(app: Flask) -> dict:
    spec = APISpec(
        title="Event registration, check-in and networking API", version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(), _AnswersHaveEveryField()],
        servers=[{"url": "/"}], security=[{"bearer": []}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=Error)
    spec.components.schema("ValidationError", schema=ValidationError)
    documented, twins = {}, set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path, params = _path(app, rule)
        doc = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if doc is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no @operation")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if doc.get("twin"):
                twins.add((path, method.lower()))
            else:
                documented.setdefault(path, {})[method.lower()] = _operation(doc, params)
    missing_twins = {t for t in twins if t[1] not in documented.get(t[0], {})}
    if missing_twins:
        raise LookupError(f"undocumented twins with no documented operation: {missing_twins}")
    for path in sorted(documented):
        spec.path(path=path, operations=documented[path])
    return spec.to_dict()


def openapi_document(app: Flask) -> dict:
    """The document, written once per app (on the first request for it)."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = build_document(app)
    return app.extensions["openapi"]
