"""A released report is served with exactly one <main> landmark (issue 18, accessibility):
reports frozen before report pages had one get it as they are served, without their
stored HTML changing; reports that have one are served as they are."""
from __future__ import annotations

from portal.models import Report, ReportKind
from portal.web import report_page

FROZEN = ('<!doctype html>\n<html lang="sv">\n<head><title>Rapport</title></head>\n'
          '<body class="document">\n<section class="cover"><h1>Alva</h1></section>\n</body>\n</html>\n')


def served(app, html: str) -> str:
    report = Report(kind=ReportKind.CANDIDATE, version=1, language="sv", html=html)
    with app.test_request_context():
        return report_page(report, back="/tillbaka", pdf="/rapport.pdf").get_data(as_text=True)


def test_a_report_frozen_without_main_is_served_with_one(app):
    page = served(app, FROZEN)
    assert page.count("<main>") == 1 and page.count("</main>") == 1
    # The bar stays outside (a navigation landmark of its own); the report is inside.
    assert page.index("doc-bar") < page.index("<main>") < page.index('<section class="cover">')
    assert page.index("</section>") < page.index("</main>") < page.index("</body>")


def test_a_report_with_main_is_served_as_it_is(app):
    html = FROZEN.replace('<section class="cover"><h1>Alva</h1></section>',
                          '<main><section class="cover"><h1>Alva</h1></section></main>')
    page = served(app, html)
    assert page.count("<main") == 1
    assert html.split('<body class="document">')[1] in page
