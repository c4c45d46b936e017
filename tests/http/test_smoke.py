def test_instance_json_lists_databases(client):
    response = client.get("/.json")
    assert response.status_code == 200
    names = [d["name"] for d in response.json()["databases"]]
    assert names == ["extra database", "fixtures"]
