"""The OpenAPI 3 description of the JSON API (served at ``GET /api/v1/openapi.json``).

Built in Python rather than kept as a JSON file so that the enums (scan results, device
states) come from the code that answers them and cannot drift. The schemathesis tests in
``tests/trust`` fuzz the real server against this document.
"""

from __future__ import annotations

from typing import Any

from kiosk.devices import DEVICE_STATES
from kiosk.visits import ScanResult

MAX_KEY_LENGTH = 128
MAX_DEVICE_LENGTH = 64
MAX_DETAIL_LENGTH = 500


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def openapi_document(version: str = "0.1.0") -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of the scan API, the heartbeat and the health check."""
    unauthorized = _error("The device token is missing or wrong.")
    bad_request = _error("The body is not what the route takes; the message says why.")
    too_large = _error("The body is larger than 64 KiB.")
    unavailable = _error("The database is locked or cannot be written; try again shortly.")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tankkaamo kiosk API",
            "version": version,
            "description": (
                "The API that scanners and door devices use. Every scan ends in one domain "
                "function; a retried request with the same `id` gets the first answer again. "
                "Failed scans (unknown or revoked codes) are rate-limited per device token "
                "and client address, under a ceiling shared by all: a limited client gets 429 "
                "with Retry-After for a few seconds."
            ),
        },
        "paths": {
            "/api/v1/scans": {
                "post": {
                    "operationId": "postScan",
                    "summary": "Check a card in or out",
                    "security": [{"deviceToken": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Scan"}}
                        },
                    },
                    "responses": {
                        "200": _json("ScanAnswer", "What the scan did."),
                        "400": bad_request,
                        "401": unauthorized,
                        "413": too_large,
                        "429": {
                            **_error("Too many failed scans from this device; wait and retry."),
                            "headers": {
                                "Retry-After": {
                                    "description": "Seconds to wait.",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        },
                        "503": unavailable,
                    },
                }
            },
            "/api/v1/devices/heartbeat": {
                "post": {
                    "operationId": "postHeartbeat",
                    "summary": "Report a scanner's or printer's state",
                    "security": [{"deviceToken": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Heartbeat"}
                            }
                        },
                    },
                    "responses": {
                        "200": _json("Ok", "Recorded."),
                        "400": bad_request,
                        "401": unauthorized,
                        "413": too_large,
                        "503": unavailable,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "getHealth",
                    "summary": "Health of the database, scanners and printer",
                    "description": (
                        "Without credentials only `ok` is given; with the device token (or a "
                        "staff session) also the state of the database, scanners and printer."
                    ),
                    "responses": {
                        "200": _json("Health", "People can check in."),
                        "503": {
                            "description": "People cannot check in (the database is down).",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": "#/components/schemas/Health"},
                                            {"$ref": "#/components/schemas/Error"},
                                        ]
                                    }
                                }
                            },
                        },
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "deviceToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "KIOSK_DEVICE_TOKEN (or one in KIOSK_DEVICE_TOKENS_PREVIOUS).",
                }
            },
            "schemas": {
                "Scan": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "minLength": 1,
                            "pattern": r"\S",
                            "description": "The decoded QR text, e.g. TK1-… (never logged).",
                        },
                        "seen_at": {
                            "type": "string",
                            "format": "date-time",
                            "nullable": True,
                            "description": "When the scanner saw the card (ISO-8601 with offset); "
                            "used when within the last 12 hours.",
                        },
                        "id": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_KEY_LENGTH,
                            "nullable": True,
                            "description": "Idempotency key: a retry gets the first answer.",
                        },
                        "device": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_DEVICE_LENGTH,
                            "nullable": True,
                            "description": "The scanner's name (for logs and rate limits).",
                        },
                    },
                },
                "ScanAnswer": {
                    "type": "object",
                    "required": ["result"],
                    "properties": {
                        "result": {"type": "string", "enum": [r.value for r in ScanResult]},
                        "visit_id": {"type": "integer"},
                        "first_name": {"type": "string", "nullable": True},
                    },
                },
                "Heartbeat": {
                    "type": "object",
                    "required": ["device", "kind", "state"],
                    "properties": {
                        "device": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_DEVICE_LENGTH,
                        },
                        "kind": {"type": "string", "enum": ["scanner", "printer"]},
                        "state": {"type": "string", "enum": list(DEVICE_STATES)},
                        "detail": {
                            "type": "string",
                            "nullable": True,
                            "description": f"Free text, cut to {MAX_DETAIL_LENGTH} characters.",
                        },
                    },
                },
                "Ok": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {"ok": {"type": "boolean"}},
                },
                "Health": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {
                        "ok": {"type": "boolean"},
                        "database": {"type": "object"},
                        "scanner": {"type": "object"},
                        "printer": {"type": "object"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }
