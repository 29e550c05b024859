"""CI configuration: GitHub Actions workflows and GitLab CI.

YAML is read as a node tree (`yaml.compose` with the safe loader) rather than `safe_load`: scalars keep
their text, so `python-version: 3.10` stays `3.10` instead of the float 3.1, and every node knows its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pysteward.engine.runtime._collect import (
    Collector,
    items,
    line_of,
    load_yaml,
    mapping,
    scalar_lines,
    scalars,
)
from pysteward.engine.runtime._docker import add_image, image_python_tag, substitute
from pysteward.engine.runtime._model import DeclarationKind

_EXPRESSION = re.compile(r"\$\{\{\s*(?P<scope>matrix|env)\.(?P<key>[\w-]+)\s*\}\}")
_PYTHON_KEYS = ("python-version", "python_version", "python")
_GITLAB_VERSION_KEY = re.compile(r"^PY(?:THON)?_?VERSIONS?$", re.IGNORECASE)
_GITLAB_RESERVED = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "cache"}
)

Values = dict[str, list[yaml.ScalarNode]]


def github_workflow(c: Collector, path: Path) -> None:
    """`python-version` of setup-python steps and `strategy.matrix`, with `${{ matrix.* }}` resolved."""
    root = mapping(load_yaml(c, path))
    workflow_env = mapping(root.get("env"))
    for job_node in mapping(root.get("jobs")).values():
        job = mapping(job_node)
        matrix = _matrix(mapping(mapping(job.get("strategy")).get("matrix")))
        for key in _PYTHON_KEYS:
            for node in matrix.get(key, []):
                _github_value(c, path, node)
        env = {**workflow_env, **mapping(job.get("env"))}
        for step in items(job.get("steps")):
            value = mapping(mapping(step).get("with")).get("python-version")
            if isinstance(value, yaml.ScalarNode):
                _github_reference(c, path, value, matrix, env)
        container = job.get("container")
        image = mapping(container).get("image") if isinstance(container, yaml.MappingNode) else container
        if isinstance(image, yaml.ScalarNode):
            _github_image(c, path, image, matrix)


def _matrix(matrix: dict[str, yaml.Node]) -> Values:
    values: Values = {key: scalars(node) for key, node in matrix.items() if key not in ("include", "exclude")}
    for entry in items(matrix.get("include")):
        for key, node in mapping(entry).items():
            values.setdefault(key, []).extend(scalars(node))
    return values


def _github_value(c: Collector, path: Path, node: yaml.ScalarNode) -> None:
    for line, text in scalar_lines(node):
        if "${{" in text:
            c.warn(path, line, f"cannot resolve the expression {text!r}")
        else:
            c.add_token(DeclarationKind.GITHUB_ACTIONS, text, path, line)


def _github_reference(
    c: Collector, path: Path, node: yaml.ScalarNode, matrix: Values, env: dict[str, yaml.Node]
) -> None:
    text = str(node.value).strip()
    match = _EXPRESSION.fullmatch(text)
    if match is None:
        _github_value(c, path, node)
    elif match.group("scope") == "matrix" and match.group("key") in matrix:
        for item in matrix[match.group("key")]:
            _github_value(c, path, item)
    elif match.group("scope") == "env" and isinstance(
        variable := env.get(match.group("key")), yaml.ScalarNode
    ):
        _github_value(c, path, variable)
    else:
        c.warn(path, line_of(node), f"cannot resolve the expression {text!r}")


def _github_image(c: Collector, path: Path, node: yaml.ScalarNode, matrix: Values) -> None:
    text = str(node.value).strip()
    if image_python_tag(text) is None:
        return
    match = _EXPRESSION.search(text)
    if match is None:
        add_image(c, DeclarationKind.GITHUB_ACTIONS, path, line_of(node), text)
        return
    for value in matrix.get(match.group("key"), []) if match.group("scope") == "matrix" else []:
        resolved = text.replace(match.group(0), str(value.value))
        add_image(c, DeclarationKind.GITHUB_ACTIONS, path, line_of(value), resolved)
    if match.group("scope") != "matrix" or match.group("key") not in matrix:
        c.warn(path, line_of(node), f"cannot resolve the expression in {text!r}")


def gitlab_ci(c: Collector, path: Path) -> None:
    """`image: python:3.x` (global, default and per job) and `parallel.matrix` Python version variables."""
    root = mapping(load_yaml(c, path))
    global_vars = _variables(root.get("variables"))
    default_image = root.get("image") or mapping(root.get("default")).get("image")
    _gitlab_image(c, path, default_image, global_vars, {})
    for key, job_node in root.items():
        if key in _GITLAB_RESERVED:
            continue
        job = mapping(job_node)
        matrix: Values = {}
        for entry in items(mapping(job.get("parallel")).get("matrix")):
            for name, node in mapping(entry).items():
                matrix.setdefault(name, []).extend(scalars(node))
        for name, nodes in matrix.items():
            if _GITLAB_VERSION_KEY.match(name):
                for node in nodes:
                    _gitlab_token(c, path, node)
        variables = {**global_vars, **_variables(job.get("variables"))}
        _gitlab_image(c, path, job.get("image"), variables, matrix)


def _variables(node: yaml.Node | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in mapping(node).items():
        # A variable is a scalar or, in newer GitLab, an object with a `value`.
        scalar = value if isinstance(value, yaml.ScalarNode) else mapping(value).get("value")
        if isinstance(scalar, yaml.ScalarNode):
            result[name] = str(scalar.value)
    return result


def _gitlab_token(c: Collector, path: Path, node: yaml.ScalarNode) -> None:
    for line, text in scalar_lines(node):
        c.add_token(DeclarationKind.GITLAB_CI, text, path, line)


def _gitlab_image(
    c: Collector, path: Path, node: yaml.Node | None, variables: dict[str, str], matrix: Values
) -> None:
    image = mapping(node).get("name") if isinstance(node, yaml.MappingNode) else node
    if not isinstance(image, yaml.ScalarNode):
        return
    text = str(image.value).strip()
    resolved, missing = substitute(text, variables)
    if not missing:
        add_image(c, DeclarationKind.GITLAB_CI, path, line_of(image), resolved)
        return
    expandable = [name for name in missing if name in matrix]
    # A version variable's values were recorded already; an image per value would repeat them.
    for name in [n for n in expandable[:1] if not _GITLAB_VERSION_KEY.match(n)]:
        for value in matrix[name]:
            expanded, _ = substitute(resolved, {name: str(value.value)})
            add_image(c, DeclarationKind.GITLAB_CI, path, line_of(value), expanded)
    if not expandable and image_python_tag(resolved) is not None:
        c.warn(path, line_of(image), f"cannot resolve {', '.join(missing)} in {text!r}")
