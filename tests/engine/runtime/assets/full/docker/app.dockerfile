FROM ghcr.invalid/astral-sh/uv:python3.13-bookworm-slim
