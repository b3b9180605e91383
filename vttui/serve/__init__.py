"""vttui as a service: a VT4AI-compatible REST API and MCP tools over vttui's client.

``create_app(config, settings=...)`` builds the FastAPI app; ``uvicorn vttui.serve:app``
builds it from the environment and the config file (see :mod:`vttui.serve.config`).
Nothing heavy is imported until the app is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .factory import create_app as create_app

__all__ = ["app", "create_app"]

_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    global _app
    if name == "create_app":
        from .factory import create_app

        return create_app
    if name == "app":
        if _app is None:
            from .factory import app_from_env

            _app = app_from_env()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
