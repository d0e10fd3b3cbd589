"""JSON API for API keys (admin only). A new key is shown once, in the answer to its create."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from app.accounts import service
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.accounts.schemas import ApiKeyCreate, ApiKeyRead
from app.lib.shapes import shape
from app.web.deps import Db
from app.web.idempotency import create_once


class ApiKeyController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api keys"]
    opt = {"act": Act.MANAGE_KEYS}

    @get("/")
    async def list_keys(self, db: Db, actor: CurrentActor) -> list[ApiKeyRead]:
        return [shape(ApiKeyRead, k) for k in await service.list_api_keys(db)]

    @post("/", status_code=201)
    async def create_key(
        self, request: Request, db: Db, actor: CurrentActor, data: ApiKeyCreate
    ) -> Response[Any]:
        async def create() -> ApiKeyRead:
            key, raw = await service.issue_api_key(db, actor=actor, name=data.name, role=data.role)
            return shape(ApiKeyRead, key, key=raw)

        return await create_once(request, db, create, shown_once="key")

    @post("/{key_id:str}/revoke", status_code=200)
    async def revoke_key(self, db: Db, actor: CurrentActor, key_id: str) -> ApiKeyRead:
        key = await service.withdraw_api_key(db, actor=actor, key_id=key_id)
        return shape(ApiKeyRead, key)
