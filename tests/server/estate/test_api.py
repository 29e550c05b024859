"""`/services`: create, read, change, delete, filters, paging, and who may see what."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.errors import ApiError
from pysteward.server.estate import service as estate
from pysteward.server.estate.schemas import ServiceCreate
from pysteward.server.principal import Principal
from pysteward.server.tenancy.models import Role
from pysteward.store import utcnow
from tests.server.conftest import Personas
from tests.server.estate.world import API, add_monitor, add_service, http_monitor


def test_an_admin_creates_a_service_and_reads_it_back(client: TestClient, personas: Personas) -> None:
    created = add_service(
        client,
        personas,
        personas.acme,
        "shop",
        owners=["ops@acme.invalid"],
        repository_paths=["/srv/shop"],
        tags=["web"],
    )
    assert created["environment"] == "production"
    assert created["client_id"] == personas.acme
    shown = client.get(f"{API}/services/{created['id']}", headers=personas.headers("acme_viewer")).json()
    assert shown == created
    assert shown["owners"] == ["ops@acme.invalid"]
    assert shown["repository_paths"] == ["/srv/shop"]
    assert shown["tags"] == ["web"]


def test_an_engineer_may_create_a_service(client: TestClient, personas: Personas) -> None:
    body = {"client_id": personas.globex, "name": "etl"}
    assert client.post(f"{API}/services", json=body, headers=personas.headers("engineer")).status_code == 201


def test_a_duplicate_name_in_the_same_environment_answers_409(client: TestClient, personas: Personas) -> None:
    add_service(client, personas, personas.acme, "shop")
    add_service(client, personas, personas.acme, "shop", environment="staging")
    add_service(client, personas, personas.globex, "shop")
    response = client.post(
        f"{API}/services",
        json={"client_id": personas.acme, "name": "shop"},
        headers=personas.headers("admin"),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "'shop' in 'production'" in response.json()["error"]["message"]


def test_a_service_of_a_missing_client_answers_404(client: TestClient, personas: Personas) -> None:
    response = client.post(
        f"{API}/services", json={"client_id": 9999, "name": "x"}, headers=personas.headers("admin")
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "client 9999 not found"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "x"}, "body.client_id: field required"),
        ({"client_id": 1, "name": "  "}, "body.name: string should have at least 1 character"),
        (
            {"client_id": 1, "name": "x", "environment": ""},
            "body.environment: string should have at least 1 character",
        ),
        (
            {"client_id": 1, "name": "x", "tags": ["a" * 65]},
            "body.tags.0: string should have at most 64 characters",
        ),
        ({"client_id": 1, "name": "x", "owners": "me"}, "body.owners: input should be a valid list"),
        ({"client_id": 1, "name": "x", "colour": "red"}, "body.colour: extra inputs are not permitted"),
    ],
)
def test_an_invalid_service_answers_422_naming_the_field(
    client: TestClient, personas: Personas, body: dict[str, object], message: str
) -> None:
    response = client.post(f"{API}/services", json=body, headers=personas.headers("admin"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["message"] == message


def test_services_are_filtered_by_client_environment_and_tag(client: TestClient, personas: Personas) -> None:
    shop = add_service(client, personas, personas.acme, "shop", tags=["web", "pci"])
    staging = add_service(client, personas, personas.acme, "shop", environment="staging", tags=["web"])
    etl = add_service(client, personas, personas.globex, "etl", tags=["batch"])
    admin = personas.headers("admin")

    def ids(**params: object) -> list[int]:
        response = client.get(f"{API}/services", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [shop["id"], staging["id"], etl["id"]]
    assert ids(client_id=personas.acme) == [shop["id"], staging["id"]]
    assert ids(environment="staging") == [staging["id"]]
    assert ids(tag="web") == [shop["id"], staging["id"]]
    assert ids(tag="pci") == [shop["id"]]
    assert ids(tag="we") == []
    assert ids(client_id=personas.globex, tag="web") == []
    assert ids(tag="batch") == [etl["id"]]


def test_services_are_paged_by_id_with_next_after(client: TestClient, personas: Personas) -> None:
    made = [add_service(client, personas, personas.acme, f"s{i}")["id"] for i in range(5)]
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        params = {"limit": 2} | ({"after": after} if after is not None else {})
        page = client.get(f"{API}/services", params=params, headers=personas.headers("admin")).json()
        pages += 1
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
        assert after == seen[-1]
    assert seen == made
    assert pages == 3


def test_a_full_last_page_has_no_next_after(client: TestClient, personas: Personas) -> None:
    for i in range(2):
        add_service(client, personas, personas.acme, f"s{i}")
    page = client.get(f"{API}/services", params={"limit": 2}, headers=personas.headers("admin")).json()
    assert len(page["items"]) == 2
    assert page["next_after"] is None


def test_a_viewer_sees_only_their_clients_services(client: TestClient, personas: Personas) -> None:
    mine = add_service(client, personas, personas.acme, "shop")
    theirs = add_service(client, personas, personas.globex, "etl")
    viewer = personas.headers("acme_viewer")
    listed = client.get(f"{API}/services", headers=viewer).json()["items"]
    assert [item["id"] for item in listed] == [mine["id"]]
    assert (
        client.get(f"{API}/services", params={"client_id": personas.globex}, headers=viewer).json()["items"]
        == []
    )
    foreign = client.get(f"{API}/services/{theirs['id']}", headers=viewer)
    assert foreign.status_code == 404
    assert foreign.json()["error"]["message"] == f"service {theirs['id']} not found"
    assert "etl" not in foreign.text


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_viewer_cannot_change_services(client: TestClient, personas: Personas, method: str) -> None:
    mine = add_service(client, personas, personas.acme, "shop")
    viewer = personas.headers("acme_viewer")
    if method == "post":
        response = client.post(
            f"{API}/services", json={"client_id": personas.acme, "name": "x"}, headers=viewer
        )
    elif method == "patch":
        response = client.patch(f"{API}/services/{mine['id']}", json={"name": "x"}, headers=viewer)
    else:
        response = client.delete(f"{API}/services/{mine['id']}", headers=viewer)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.get(f"{API}/services/{mine['id']}", headers=viewer).json()["name"] == "shop"


def test_an_unauthenticated_request_answers_401(client: TestClient, personas: Personas) -> None:
    assert client.get(f"{API}/services").status_code == 401


def test_a_patch_changes_only_the_given_fields(client: TestClient, personas: Personas) -> None:
    shop = add_service(client, personas, personas.acme, "shop", tags=["web"], owners=["a"])
    response = client.patch(
        f"{API}/services/{shop['id']}",
        json={"name": "store", "tags": [], "owners": None},
        headers=personas.headers("engineer"),
    )
    assert response.status_code == 200, response.text
    assert response.json() == shop | {"name": "store", "tags": []}


def test_a_patch_onto_an_existing_name_answers_409(client: TestClient, personas: Personas) -> None:
    add_service(client, personas, personas.acme, "shop")
    staging = add_service(client, personas, personas.acme, "shop", environment="staging")
    response = client.patch(
        f"{API}/services/{staging['id']}",
        json={"environment": "production"},
        headers=personas.headers("admin"),
    )
    assert response.status_code == 409
    same = client.patch(
        f"{API}/services/{staging['id']}", json={"name": "shop"}, headers=personas.headers("admin")
    )
    assert same.status_code == 200


def test_deleting_a_service_deletes_its_monitors(client: TestClient, personas: Personas) -> None:
    shop = add_service(client, personas, personas.acme, "shop")
    monitor = add_monitor(client, personas, http_monitor(shop["id"]))
    admin = personas.headers("admin")
    assert client.delete(f"{API}/services/{shop['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/services/{shop['id']}", headers=admin).status_code == 404
    assert client.get(f"{API}/monitors/{monitor['id']}", headers=admin).status_code == 404
    assert client.delete(f"{API}/services/{shop['id']}", headers=admin).status_code == 404


def test_a_client_scoped_staff_principal_cannot_reach_another_client(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    scoped = Principal(
        user_id=personas["engineer"].user_id, role=Role.ENGINEER, client_id=personas.acme, via="local"
    )
    with sessions() as session:
        data = ServiceCreate(client_id=personas.globex, name="etl")
        with pytest.raises(ApiError) as raised:
            estate.create_service(session, principal=scoped, data=data, now=utcnow())
    assert raised.value.status == 404


def test_a_duplicate_created_concurrently_answers_409(
    sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = Principal(user_id=personas["admin"].user_id, role=Role.ADMIN, client_id=None, via="local")
    data = ServiceCreate(client_id=personas.acme, name="shop")
    with sessions() as session:
        estate.create_service(session, principal=admin, data=data, now=utcnow())
    # The other request's row lands between this one's duplicate check and its commit.
    monkeypatch.setattr(estate, "_refuse_duplicate", lambda *args: None)
    with sessions() as session, pytest.raises(ApiError) as raised:
        estate.create_service(session, principal=admin, data=data, now=utcnow())
    assert raised.value.status == 409
