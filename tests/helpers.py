"""Drive the candidate journey through a Flask test client, as a browser would."""
from __future__ import annotations

import re

from conftest import csrf_from, step_of

OPTION_RE = re.compile(r'name="option" value="([^"]+)"')
RESPONSE_RE = re.compile(r'name="response" value="(\d+)"')
STATEMENT_RE = re.compile(r'<input type="radio" name="([^"]+)" value="1"')
PAGE_RE = re.compile(r'name="page" value="(\d+)"')


class Candidate:
    def __init__(self, client, link: str):
        self.client = client
        self.link = link
        self.page = None

    def get(self, url: str):
        self.page = self.client.get(url, follow_redirects=True)
        return self.page

    def post(self, url: str, data: dict, follow=True):
        data = {"csrf_token": csrf_from(self.page), **data}
        self.page = self.client.post(url, data=data, follow_redirects=follow)
        return self.page

    @property
    def step(self):
        return step_of(self.page)

    @property
    def html(self) -> str:
        return self.page.get_data(as_text=True)

    def open(self):
        return self.get(self.link)

    def accept_welcome(self):
        assert self.step == "welcome", self.step
        return self.post("/test/welcome", {"consent": "y"})

    def to_practice(self):
        assert self.step == "instructions", self.step
        return self.post("/test/instructions", {})

    def do_practice(self, choose=0):
        while self.step == "practice":
            if "data-feedback" in self.html:
                self.get("/test/practice")
                continue
            position = re.search(r'name="position" value="(\d+)"', self.html).group(1)
            self.post("/test/practice", {"position": position, "option": str(choose)})
        assert self.step == "ready", self.step

    def start_test(self):
        return self.post("/test/start", {})

    def item_form(self):
        assert self.step == "item", self.step
        return RESPONSE_RE.search(self.html).group(1), OPTION_RE.findall(self.html)

    def answer_item(self, index=0):
        response, options = self.item_form()
        return self.post("/test/item", {"response": response, "option": options[index]})

    def answer_all_items(self):
        n = 0
        while self.step == "item":
            self.answer_item()
            n += 1
        return n

    def inventory_page(self, value=4, skip=()):
        assert self.step == "inventory", self.step
        ids = STATEMENT_RE.findall(self.html)
        page = PAGE_RE.search(self.html).group(1)
        data = {sid: str(value) for sid in ids if sid not in skip}
        data["page"] = page
        return self.post("/test/inventory", data)

    def finish_inventory(self, value=4):
        pages = 0
        while self.step == "inventory":
            self.inventory_page(value)
            pages += 1
        return pages

    def through_practice(self):
        self.open()
        self.accept_welcome()
        self.to_practice()
        self.do_practice()
        return self
