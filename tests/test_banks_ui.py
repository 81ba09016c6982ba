"""Bank tooling for people: the `banks` CLI and the admin bank browser."""
from __future__ import annotations

import json
import re

import pytest

from item_banks import load_logic_bank


def test_validate_shipped_banks_ok(runner):
    result = runner.invoke(args=["banks", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK") == 2


def test_validate_reports_the_b_distribution(runner):
    result = runner.invoke(args=["banks", "validate", "--report"])
    assert result.exit_code == 0, result.output
    bands = re.findall(r"\[([+-]\d\.\d), ([+-]\d\.\d)\)\s+(?:\d+\s+){4}(\d+)", result.output)
    assert bands, result.output
    total = sum(int(n) for *_, n in bands)
    assert total == len(load_logic_bank().items)
    lows = {float(low) for low, _, _ in bands}
    assert min(lows) <= -2.0 and max(lows) >= 1.5  # spread over the ability range


def test_validate_reports_file_item_and_problem(runner, tmp_path):
    bank = load_logic_bank()
    data = json.loads(bank.path.read_text(encoding="utf-8"))
    victim = next(i for i in data["items"] if not i["practice"])
    victim["key"] = 99
    broken = tmp_path / "broken_bank.json"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["banks", "validate", str(broken)])
    assert result.exit_code == 1
    assert re.search(rf"broken_bank\.json.*{re.escape(victim['id'])}.*key", result.output)


def test_validate_unreadable_json(runner, tmp_path):
    broken = tmp_path / "bad.json"
    broken.write_text('{"format": "second-opinion/logic-bank",', encoding="utf-8")
    result = runner.invoke(args=["banks", "validate", str(broken)])
    assert result.exit_code == 1 and "bad.json" in result.output and "line" in result.output


@pytest.mark.parametrize("lang, question", [("sv", "härnäst"), ("en", "comes next")])
def test_show_renders_an_item_as_the_candidate_sees_it(runner, tmp_path, lang, question):
    bank = load_logic_bank()
    series = next(i for i in bank.items if i.type == "number_series")
    result = runner.invoke(args=["banks", "show", series.id, "--lang", lang])
    assert result.exit_code == 0, result.output
    assert series.stem_text(lang).splitlines()[0] in result.output
    assert question in result.output
    assert f"Key: {'ABCDEFGH'[series.key]}" in result.output
    page = tmp_path / "item.html"
    result = runner.invoke(args=["banks", "show", series.id, "--lang", lang, "--html", str(page)])
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and series.stem_text(lang).splitlines()[0] in html


def test_show_figure_item_as_html(runner, tmp_path):
    bank = load_logic_bank()
    figures = [i for i in bank.items if i.figure]
    assert figures, "the shipped bank has matrix items"
    page = tmp_path / "matrix.html"
    result = runner.invoke(args=["banks", "show", figures[0].id, "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml;base64,") == 1 + len(figures[0].options)


def test_generate_reproduces_the_shipped_bank_bit_for_bit(runner, tmp_path):
    out = tmp_path / "bank.json"
    result = runner.invoke(args=["banks", "generate", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == load_logic_bank().path.read_bytes()
    other = tmp_path / "other.json"
    assert runner.invoke(args=["banks", "generate", "--seed", "7", "--output", str(other)]).exit_code == 0
    assert other.read_bytes() != out.read_bytes()


def test_show_unknown_item(runner):
    result = runner.invoke(args=["banks", "show", "NOPE-999"])
    assert result.exit_code != 0 and "No item NOPE-999" in result.output


@pytest.fixture
def consultant_client(make_user, login_as):
    make_user("c@example.com")
    return login_as("c@example.com", check=False)


def test_bank_browser_requires_login(client):
    for url in ("/admin/banks", "/admin/banks/inventory", "/admin/banks/items/X"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_bank_browser_lists_and_filters(consultant_client):
    bank = load_logic_bank()
    html = consultant_client.get("/admin/banks").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/banks/items/', html)) == len(bank.items)
    some_type = bank.types[0]
    html = consultant_client.get(f"/admin/banks?type={some_type}").get_data(as_text=True)
    listed = re.findall(r'href="/admin/banks/items/([^"]+)"', html)
    assert listed and all(bank.get(i).type == some_type for i in listed)
    assert len(listed) == sum(1 for i in bank.items if i.type == some_type)
    html = consultant_client.get("/admin/banks?set=practice").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/banks/items/', html)) == len(bank.practice)


def test_bank_browser_filters_by_difficulty(consultant_client):
    bank = load_logic_bank()
    html = consultant_client.get("/admin/banks?difficulty=hard").get_data(as_text=True)
    listed = re.findall(r'href="/admin/banks/items/([^"]+)"', html)
    assert listed and all(0.5 <= bank.get(i).irt["b"] < 1.5 for i in listed)


def test_bank_item_page_shows_key_and_features(consultant_client):
    bank = load_logic_bank()
    item = bank.items[0]
    response = consultant_client.get(f"/admin/banks/items/{item.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-key="{item.key}"' in html
    for name in item.features:
        assert f"<dt>{name}</dt>" in html
    assert consultant_client.get("/admin/banks/items/NOPE").status_code == 404


def test_inventory_browser_lists_every_statement(consultant_client):
    from item_banks import load_inventory

    inventory = load_inventory()
    html = consultant_client.get("/admin/banks/inventory").get_data(as_text=True)
    for statement in inventory.statements:
        assert f"<td>{statement.id}</td>" in html
