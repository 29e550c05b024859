"""Errors answer in the caller's language: HTML pages for the console, JSON for the API and documents."""

from __future__ import annotations


def test_a_missing_page_is_an_html_page_naming_the_problem(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text


def test_the_api_and_json_documents_answer_errors_as_json(client):
    for path in ("/api/v1/no-such-thing", "/status/not-a-number.json"):
        answer = client.get(path)
        assert answer.headers["content-type"] == "application/json", path
        assert answer.json()["error"]["code"] in {"not_found", "invalid"}, path


def test_an_invalid_form_on_a_page_is_an_html_page_with_the_field(client):
    login = client.post("/login", data={"email": "someone@example.invalid"})  # no password
    assert login.status_code == 422
    assert login.headers["content-type"].startswith("text/html")
    assert "password" in login.text
