def test_it_renders_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Roamplan" in response.content
