from django.urls import reverse

from tests import factories as f


def test_login_then_logout(client, db):
    user = f.UserFactory(username="wang", role="admin", is_superuser=True)
    response = client.post(reverse("login"), {"username": "wang", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == user
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_a_chinese_message(client, db):
    f.UserFactory(username="wang", role="admin")
    response = client.post(reverse("login"), {"username": "wang", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, db):
    f.UserFactory(username="wang", role="admin", is_superuser=True)
    for _ in range(5):
        client.post(reverse("login"), {"username": "wang", "password": "guess"})
    response = client.post(reverse("login"), {"username": "wang", "password": f.PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
