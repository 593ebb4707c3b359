from django.urls import reverse


def test_interface_is_chinese_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "登录" in response.content.decode()


def test_english_can_be_chosen_with_the_language_switch(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"))
    assert "Log in to 235 Liaison" in response.content.decode()
