"""The OpenAPI 3.1 document, made from the operations and their pydantic models.

Nothing here is written by hand per endpoint: paths, parameters, bodies, responses and
schemas all come from webapp.api's declarations, so the document cannot drift."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from webapp.deps import CSRF_HEADER, IDEMPOTENCY_HEADER, SESSION_COOKIE
from webapp.routing import Operation
from webapp.schemas import MAX_ID, ErrorResponse

REF = "#/components/schemas/{model}"
ERROR_MEANING = {
    400: "Malformed request: not JSON, or a header missing",
    401: "Not logged in, or the session ended",
    403: "Not allowed: owners only, or the CSRF check failed",
    404: "No such shop, product or movement among the caller's",
    409: "Refused by the ledger's rules, or a conflicting duplicate",
    422: "A field is invalid; `field` names it",
    503: "The session store is unreachable",
}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value, never JSON null."""
    options = schema.get("anyOf")
    if options is None:
        return schema
    kept = [o for o in options if o.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(dict(prop))
        prop.pop("title", None)
        description = prop.pop("description", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _path_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": True,
    "description": "new for each create, the same when retrying it",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ref}}}


def build(operations: list[Operation], *, title: str, version: str) -> dict[str, Any]:
    inputs: list[type[BaseModel]] = [op.body for op in operations if op.body is not None]
    outputs: list[type[BaseModel]] = [op.response for op in operations if op.response]
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in inputs]
    outputs.append(ErrorResponse)
    wanted += [(m, "serialization") for m in outputs]
    keyed, definitions = models_json_schema(wanted, ref_template=REF)
    refs = {(model, mode): schema["$ref"] for (model, mode), schema in keyed.items()}
    error = _json(refs[(ErrorResponse, "serialization")])

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, error)

    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": (
                "The shop's stock over JSON, for the Telegram Mini App and other clients. "
                "Log in with POST /session (Telegram initData); send the CSRF token from "
                f"the session as {CSRF_HEADER} on every change and an {IDEMPOTENCY_HEADER} "
                'on every create. Errors are {"error": {"code", "message", "field"}}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
                "csrf": {"type": "apiKey", "in": "header", "name": CSRF_HEADER},
            },
        },
    }


Refs = dict[tuple[Any, JsonSchemaMode], Any]  # (model, mode) → its $ref


def _operation(op: Operation, refs: Refs, error: dict[str, Any]) -> dict[str, Any]:
    parameters = [_path_parameter(name) for name in op.path_params]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if op.idempotency_key:
        parameters.append(IDEMPOTENCY_PARAMETER)
    entry: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": _responses(op, refs, error),
        "security": ([{"session": [], "csrf": []}] if op.changes_state else [{"session": []}])
        if op.needs_session
        else [],
    }
    if op.description:
        entry["description"] = op.description
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": _json(refs[(op.body, "validation")]),
        }
    return entry


def _responses(op: Operation, refs: Refs, error: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if op.media_type != "application/json":
        responses[str(op.status)] = {
            "description": "OK",
            "content": {op.media_type: {"schema": {"type": "string"}}},
        }
    elif op.response is not None:
        responses[str(op.status)] = {
            "description": "OK",
            "content": _json(refs[(op.response, "serialization")]),
        }
        if op.replay_status is not None:
            responses[str(op.replay_status)] = {
                "description": "The first result of this Idempotency-Key, again",
                "content": _json(refs[(op.response, "serialization")]),
            }
    else:
        responses[str(op.status)] = {"description": "Done"}
    for status in sorted({*op.errors, 503} if op.needs_session else set(op.errors)):
        responses[str(status)] = {"description": ERROR_MEANING[status], "content": error}
    return responses
