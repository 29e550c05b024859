"""Placeholder router, replaced by the domain's real routes."""

from fastapi import APIRouter

router = APIRouter()
