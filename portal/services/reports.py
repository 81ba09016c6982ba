"""Feedback reports: the client report (decision support) and the candidate's own
feedback report (design.md, section 6).

A report is built in two steps. :func:`build_content` gathers everything the report
shows from the stored data into one JSON-able dict, with every text already resolved in
the report's language (names, level texts, interpretations), plus a stamp of the versions
it was made from. :func:`render_html` turns that dict into HTML (one template per kind)
and :func:`portal.pdf.render_pdf` into a PDF, with the app's templates and translations
from the ``renderer`` the caller passes (``portal.web.renderer``). Releasing stores the content beside the HTML
and PDF, so a released report can be rendered again from its own content, identically,
whatever changes later (:func:`regenerate_pdf`).

Until a consultant releases it a report is a draft: built live, stored nowhere. A release
is frozen; a change is released as a new version. Services flush and never commit.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from importlib import metadata

import sqlalchemy as sa
from sqlalchemy.orm import Session, load_only

from item_banks import Inventory

from .. import synthesis as synthesis_model
from .. import report_texts as rt
from ..pdf import render_pdf as pdf_from_html
from ..competencies import localized
from ..models import (
    Candidate,
    CandidateComment,
    Report,
    ReportKind,
    Synthesis,
    User,
)
from . import audit, branding, checks, logic_results, names, profiles, webhooks
from .evidence import evidence_matrix
from .norm_tables import norm_info, norm_table_for_ref
from .rendering import Renderer
from .results import current_results, raised_flags
from .scoring import LOGIC_SCALE

LANGUAGES = ("sv", "en")
#: Longest accepted reply from the candidate (characters).
MAX_COMMENT = 2000


class ReportError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def report_language(candidate: Candidate, kind: ReportKind) -> str:
    """The client report is in the assignment's language; the candidate's in the language
    they chose for the test (else the invitation's)."""
    if kind is ReportKind.CLIENT:
        lang = candidate.assignment.language
    else:
        lang = candidate.chosen_language or (candidate.invitations[-1].language if candidate.invitations else "sv")
    return lang if lang in LANGUAGES else "sv"


def _app_version() -> str:
    try:
        return metadata.version("second-opinion")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _scale_result(result, *, name: str, lang: str, texts: dict, target: tuple | None = None) -> dict:
    level = rt.level_key(result.percentile)
    return {
        "scale": result.scale, "name": name,
        "percentile": round(result.percentile), "low": _round(result.percentile_low),
        "high": _round(result.percentile_high), "band_level": result.band_level,
        "level": level, "level_name": rt.text(texts["levels"]["names"][level], lang),
        "target": list(target) if target else None,
        "norm_group": result.norm_group, "norm_ref": result.norm_ref, "provisional": bool(result.norm_provisional),
    }


def _round(value):
    return None if value is None else round(value)


def _logic(result, *, kind: ReportKind, lang: str, texts: dict, target: tuple | None) -> dict:
    """The logic test's entry. A complete test: percentile, band, level and its meaning.
    A test cut off by the time limit (``logic_results``): ``percentile``/``low``/``high``
    are the ability on the answered questions (None if not stored), ``timed`` the timed
    score, which has no band; no level text, since neither figure alone is a plain
    measurement of the candidate's level."""
    summary = logic_results.summarise(result)
    name = rt.text(texts["logic"]["name"], lang)
    reached = {"incomplete": not summary.complete, "n_answered": summary.n_answered,
               "max_items": summary.max_items, "n_unreached": summary.n_unreached}
    if summary.complete:
        entry = _scale_result(result, name=name, lang=lang, texts=texts, target=target)
        entry["meaning"] = rt.text(texts["logic"][kind.value][entry["level"]], lang)
        return {**entry, **reached, "timed": None}
    measured = summary.measured
    return {
        "scale": result.scale, "name": name,
        "percentile": _round(measured.percentile) if measured else None,
        "low": _round(measured.low) if measured else None, "high": _round(measured.high) if measured else None,
        "band_level": result.band_level, "level": None, "level_name": None, "meaning": None,
        "target": list(target) if target else None,
        "norm_group": result.norm_group, "norm_ref": result.norm_ref, "provisional": bool(result.norm_provisional),
        **reached, "timed": {"percentile": _round(summary.timed.percentile)},
    }


def _personality(results: dict, inventory: Inventory, lang: str, texts: dict, targets: dict) -> list[dict]:
    def entry(scale) -> dict | None:
        result = results.get(f"personality.{scale.id}")
        if result is None or result.percentile is None:
            return None
        out = _scale_result(result, name=localized(scale.name, lang), lang=lang, texts=texts,
                            target=targets.get(result.scale))
        out.update(_interpretation(scale, out["level"], lang, texts))
        return out

    domains = []
    for domain in inventory.domains:
        if (d := entry(domain)) is not None:
            d["facets"] = [f for f in map(entry, domain.facets) if f is not None]
            domains.append(d)
    return domains


def _interpretation(scale, level: str, lang: str, texts: dict) -> dict:
    """Plain-language meaning of a level: the scale's high or low description at the
    ends, its middle-range text in between, and the developmental text. (The scale's
    "what to verify" text is a prompt for the consultant: it stays out of every report.)"""
    own = texts["scales"][scale.id]
    if level in ("high", "above_average"):
        meaning, develop = localized(scale.high, lang), rt.text(own["develop_high"], lang)
    elif level in ("low", "below_average"):
        meaning, develop = localized(scale.low, lang), rt.text(own["develop_low"], lang)
    else:
        meaning, develop = rt.text(own["mid"], lang), None
    return {"meaning": meaning, "develop": develop}


def _stamp(results: dict, profile_version: int | None, texts: dict) -> dict:
    banks = sorted({f"{r.bank_id} {r.bank_version}" for r in results.values()})
    norms = sorted({r.norm_ref for r in results.values()})
    engines = sorted({r.engine_version for r in results.values()})
    return {"item_banks": banks, "norms": norms, "engine": engines, "profile_version": profile_version,
            "report_texts": texts["version"], "app": _app_version()}


def _norm_tables(results: dict) -> dict:
    """The norm tables the results were normed against (``norm_tables.norm_info``), so the
    report says which are local or provisional and why; ``simulated_norms``: some
    provisional table is simulated (the report-text notice), not built from our data."""
    tables = [norm_info(norm_table_for_ref(ref)) for ref in sorted({r.norm_ref for r in results.values()})]
    tables = [t for t in tables if t is not None]
    return {"norm_tables": tables,
            "simulated_norms": any(t["provisional"] and not t["from_data"] for t in tables)
            or any(r.norm_provisional and norm_table_for_ref(r.norm_ref) is None for r in results.values())}


def build_content(session: Session, candidate: Candidate, kind: ReportKind, *, now: datetime,
                  inventory: Inventory, renderer: Renderer) -> dict:
    """Everything the report shows, as data in the report's language (see module doc);
    ``inventory`` is the app's personality inventory (``resources.inventory``)."""
    lang = report_language(candidate, kind)
    texts = rt.load_texts()
    results = current_results(session, candidate)
    profile = profiles.current_profile(session, candidate.assignment)
    # The profile's targets are the client's yardstick: never shown in the candidate's report.
    client = kind is ReportKind.CLIENT
    targets = dict(profile.personality_targets or {}) if profile and client else {}
    logic = results.get(LOGIC_SCALE)
    logic_entry = None
    if logic is not None and logic.percentile is not None:
        minimum = profile.logic_min_percentile if profile and client else None
        logic_entry = _logic(logic, kind=kind, lang=lang, texts=texts, target=(minimum, 100) if minimum else None)
    personality = _personality(results, inventory, lang, texts, targets)
    flags = [code for code in raised_flags(session, candidate) if code in texts["validity"]]
    content = {
        "kind": kind.value, "language": lang, "date": now.date().isoformat(),
        "assignment": {"title": candidate.assignment.title, "client": candidate.assignment.client.name},
        "candidate": {"name": candidate.name},
        "logic": logic_entry, "personality": personality,
        "provisional_norms": any(r.norm_provisional for r in results.values()),
        **_norm_tables(results),
        "validity_flags": flags,
        "stamp": _stamp(results, profile.version if profile else None, texts),
        # Frozen with the report, logo as a data: URI, so a later change of branding
        # leaves a released report as it was.
        "brand": branding.report_brand(session, renderer.config),
    }
    if kind is ReportKind.CLIENT:
        content.update(_client_part(session, candidate, lang, profile, inventory, renderer))
        content["stamp"]["synthesis_model"] = synthesis_model.MODEL_VERSION
        content["verification"] = _verification(session, candidate, logic) if logic_entry else None
    else:
        content.update(_feedback(logic_entry, personality, lang, texts))
    return content


#: The candidate report lists at most this many strengths and areas to develop.
FEEDBACK_LIMIT = 3


def _feedback(logic_entry: dict | None, personality: list[dict], lang: str, texts: dict) -> dict:
    """The candidate's clearest strengths and areas to develop, at most
    :data:`FEEDBACK_LIMIT` of each, every one with one piece of advice.

    Strengths: the scales at "above average" or "high" (an incomplete logic test has no
    level, so never counts), furthest above the middle first, each with its ``strength``
    advice. Areas to develop: the other scales that have a developmental text (both ends
    of a personality scale have one), furthest from the middle first. Ties keep the
    report's order (logic test, then each domain followed by its facets), so the choice is
    the same every time the same results are reported."""
    scales = ([logic_entry] if logic_entry else []) + [s for d in personality for s in [d, *d["facets"]]]
    strong = sorted((s for s in scales if s["level"] in ("high", "above_average")),
                    key=lambda s: -s["percentile"])[:FEEDBACK_LIMIT]
    chosen = {s["scale"] for s in strong}
    develop = sorted((s for s in scales if s.get("develop") and s["scale"] not in chosen),
                     key=lambda s: -abs(s["percentile"] - 50))[:FEEDBACK_LIMIT]
    return {
        "strengths": [{"scale": s["scale"], "name": s["name"], "meaning": s["meaning"],
                       "advice": rt.text(_strength_text(s["scale"], texts), lang)} for s in strong],
        "development": [{"scale": s["scale"], "name": s["name"], "develop": s["develop"]} for s in develop],
    }


def _strength_text(scale: str, texts: dict) -> dict:
    if scale == LOGIC_SCALE:
        return texts["logic"]["strength"]
    return texts["scales"][scale.removeprefix("personality.")]["strength"]


def _verification(session: Session, candidate: Candidate, logic) -> dict:
    """Whether the logic result in the report was verified by a supervised test
    (``services.verification``): the latest finished verification of this very attempt,
    with its verdict and versions; ``{"verified": False}`` when there is none, so that the
    report says the result stands unverified. (Client reports released before this key
    existed say nothing about verification, as when they were released.)"""
    from item_banks.verification import VERIFICATION_LENGTH

    from . import verification

    order = verification.latest_finished(session, candidate)
    if order is None or order.logic_attempt_id != logic.attempt_id:
        return {"verified": False}
    result = next((r for r in order.attempt.results if r.scale == LOGIC_SCALE), None)
    return {
        "verified": True, "date": order.finished_at.date().isoformat(), "length": VERIFICATION_LENGTH,
        "verdict": order.verdict, "alpha": order.alpha, "p": round(order.p_value, 3),
        "percentile": _round(result.percentile) if result else None,
        "low": _round(result.percentile_low) if result else None,
        "high": _round(result.percentile_high) if result else None,
        "bank": f"{order.bank_id} {order.bank_version}", "engine": order.engine_version,
        "verification": order.verification_version,
    }


def _source_name(evidence, lang: str, renderer: Renderer) -> str:
    with renderer.language(lang):
        return renderer.gettext(names.EVIDENCE_SOURCES[evidence.key])


def _scale_name(scale: str, lang: str, inventory: Inventory, renderer: Renderer) -> str:
    with renderer.language(lang):
        return names.scale_name(scale, lang, inventory, renderer.gettext)


def _client_competency(row, comp, lang: str, inventory: Inventory, renderer: Renderer) -> dict:
    """One competency of the client report: each source with what it alone says, named
    (test scales by name, interviewers and referees counted) and with the reasons it
    counts less; the combined level and the probability of reaching the target; a
    disagreement as a finding (which source is higher). No interview prompts, follow-up
    scripts or rater remarks: those are the consultant's (``report_texts.AUDIENCES``)."""
    by_key = {e.key: e for e in row.evidence}
    higher = lower = None
    if row.assessment is not None and row.assessment.discrepant:
        higher, lower = (_source_name(by_key[key], lang, renderer) for key in row.assessment.discrepant)
    return {
        "key": row.key, "name": localized(comp.name, lang) if comp else row.key,
        "definition": localized(comp.definition, lang) if comp else "",
        "target": row.target, "weight": row.weight, "must": row.must,
        "sources": [{"key": e.key, "source": e.source, "name": _source_name(e, lang, renderer),
                     "scales": [_scale_name(s, lang, inventory, renderer) for s in e.scales],
                     "level": round(row.alone[e.key][0], 2), "sd": round(row.alone[e.key][1], 2),
                     "n": e.n, "discounts": list(e.discounts)} for e in row.evidence],
        "level": None if row.level is None else round(row.level, 2),
        "sd": None if row.sd is None else round(row.sd, 2),
        "probability": None if row.probability is None else round(row.probability, 3),
        "disagree": bool(higher), "higher": higher, "lower": lower,
        "client_level": row.client_level, "client_comparison": row.client_comparison,
    }


def _client_part(session: Session, candidate: Candidate, lang: str, profile, inventory: Inventory,
                 renderer: Renderer) -> dict:
    library = profiles.all_competencies(session)
    matrix = evidence_matrix(session, candidate)
    competencies = [_client_competency(row, library.get(row.key), lang, inventory, renderer)
                    for row in matrix.rows]
    fit = None
    if matrix.fit:
        names = {c["key"]: c["name"] for c in competencies}
        fit = {"n": matrix.fit["n"], "expected_met": round(matrix.fit["expected_met"], 1),
               "met_low": matrix.fit["met_low"], "met_high": matrix.fit["met_high"],
               "musts": [{"name": names.get(m["key"], m["key"]), "probability": round(m["probability"], 3),
                          "status": m["status"]} for m in matrix.fit["musts"]],
               "musts_without_evidence": [names.get(k, k) for k in matrix.fit["musts_without_evidence"]]}
    synthesis = session.scalar(sa.select(Synthesis).where(Synthesis.candidate_id == candidate.id))
    decided_by = session.get(User, synthesis.decided_by_id) if synthesis and synthesis.decided_by_id else None
    refs = [r for r in checks.references(session, candidate) if r.consent_at is not None]
    reply = comment(session, candidate)
    consultants = [u.name or u.email for u in candidate.assignment.consultants]
    return {
        "consultants": consultants,
        "profile": {"version": profile.version if profile else None,
                    "logic_min_percentile": profile.logic_min_percentile if profile else None},
        "competencies": competencies, "fit": fit,
        "references": [{"referee": r.referee_name, "relation": r.relation, "period": r.period,
                        "summary": r.summary} for r in refs],
        "background": [{"kind": b.kind, "status": b.status.value,
                        "checked_on": b.checked_on.isoformat() if b.checked_on else None}
                       for b in checks.checklist(session, candidate)],
        "synthesis": None if synthesis is None or not synthesis.judgement else {
            "judgement": synthesis.judgement, "strengths": synthesis.strengths, "risks": synthesis.risks,
            "recommendation": synthesis.recommendation,
            "decided_by": (decided_by.name or decided_by.email) if decided_by else "",
            "decided_on": synthesis.decided_at.date().isoformat() if synthesis.decided_at else None,
            "profile_version": synthesis.profile_version},
        "has_first_opinion": any(c["client_level"] for c in competencies),
        "candidate_comment": reply.text if reply else None,
    }


def _template(content: dict) -> str:
    """Reports keep the template they were released with, so that they render byte for
    byte as released: client reports released before the synthesis model synthesis-2 (no
    ``stamp.synthesis_model``) and candidate reports released before report texts version
    2 (every strength and area to develop listed, versions on the cover)."""
    stamp = content.get("stamp", {})
    if content["kind"] == ReportKind.CLIENT.value and not stamp.get("synthesis_model"):
        return "reports/client_v1.html"
    if content["kind"] == ReportKind.CANDIDATE.value and stamp.get("report_texts", 1) < 2:
        return "reports/candidate_v1.html"
    return f"reports/{content['kind']}.html"


def _stylesheet_url(renderer: Renderer) -> str:
    """The report stylesheet's address for the HTML view (a PDF embeds it instead)."""
    return renderer.static_url("report.css")


def render_html(content: dict, *, renderer: Renderer, pdf: bool = False, draft: bool = False) -> str:
    """The report as a standalone HTML document, in the report's own language."""
    template = _template(content)
    stylesheet = _stylesheet_url(renderer)
    with renderer.language(content["language"]):
        return renderer.template(template, r=content, texts=rt.load_texts(),
                               lang=content["language"], pdf=pdf, draft=draft, stylesheet_url=stylesheet)


def render_pdf(content: dict, *, renderer: Renderer, draft: bool = False) -> bytes:
    return pdf_from_html(render_html(content, renderer=renderer, pdf=True, draft=draft))


def content_hash(content: dict, *, draft: bool = False) -> str:
    """A fingerprint of what a report shows: its content, template and draft mark. The
    same content renders the same document, so the hash can stand for the PDF."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{_template(content)}|{draft}|{canonical}".encode()).hexdigest()


class DraftCache:
    """Draft PDFs by content hash, in the worker's memory: a consultant who opens the
    same draft again (or a colleague who opens it too) waits for WeasyPrint once.

    Bounded by entries and age; nothing is written to disk, so an erasure leaves no
    copy behind for longer than ``max_age`` (``forget`` drops a candidate's drafts at
    once in the worker that erased them). A miss is never wrong: the draft is rendered
    again, so several workers or hosts each keep their own cache.
    """

    def __init__(self, max_entries: int = 32, max_age: timedelta = timedelta(minutes=10)):
        self.max_entries, self.max_age = max_entries, max_age
        self._entries: OrderedDict[str, tuple[int, float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[1] > self.max_age.total_seconds():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: str, candidate_id: int, pdf: bytes) -> None:
        with self._lock:
            self._entries[key] = (candidate_id, time.monotonic(), pdf)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, candidate_id: int) -> None:
        with self._lock:
            for key in [k for k, (cid, _, _) in self._entries.items() if cid == candidate_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


DRAFTS = DraftCache()


def draft_pdf(content: dict, candidate_id: int, *, renderer: Renderer) -> tuple[bytes, str]:
    """(PDF, content hash) of a draft, rendered only when this content was not rendered
    in the last minutes (``DRAFTS``)."""
    key = content_hash(content, draft=True)
    pdf = DRAFTS.get(key)
    if pdf is None:
        pdf = render_pdf(content, renderer=renderer, draft=True)
        DRAFTS.put(key, candidate_id, pdf)
    return pdf, key


def released(session: Session, candidate: Candidate, kind: ReportKind | None = None) -> list[Report]:
    """Released versions, newest first (of one kind, or both)."""
    query = sa.select(Report).where(Report.candidate_id == candidate.id)
    if kind is not None:
        query = query.where(Report.kind == kind)
    return list(session.scalars(query.order_by(Report.kind, Report.version.desc())))


def latest(session: Session, candidate: Candidate, kind: ReportKind) -> Report | None:
    return session.scalar(sa.select(Report).where(Report.candidate_id == candidate.id, Report.kind == kind)
                          .order_by(Report.version.desc()).limit(1))


def latest_of(session: Session, candidate_ids: list[int] | tuple[int, ...], kind: ReportKind) -> dict[int, Report]:
    """Per candidate id, the newest released report of ``kind`` (for lists: one query, and
    without the stored HTML, PDF and content, which stay unloaded until asked for)."""
    newest = (sa.select(Report.candidate_id, sa.func.max(Report.version).label("version"))
              .where(Report.candidate_id.in_(list(candidate_ids)), Report.kind == kind)
              .group_by(Report.candidate_id).subquery())
    rows = session.scalars(
        sa.select(Report).join(newest, sa.and_(Report.candidate_id == newest.c.candidate_id,
                                               Report.version == newest.c.version))
        .where(Report.kind == kind)
        .options(load_only(Report.id, Report.candidate_id, Report.kind, Report.version, Report.released_at)))
    return {r.candidate_id: r for r in rows}


def release(session: Session, candidate: Candidate, kind: ReportKind, *, user_id: int, now: datetime,
            inventory: Inventory, renderer: Renderer) -> Report:
    """Freeze the current draft as the next version: content, HTML, PDF and its hash."""
    content = build_content(session, candidate, kind, now=now, inventory=inventory, renderer=renderer)
    if content["logic"] is None and not content["personality"]:
        raise ReportError("no_results")
    if kind is ReportKind.CLIENT and content.get("synthesis") is None:
        raise ReportError("no_synthesis")
    data = render_pdf(content, renderer=renderer)
    previous = latest(session, candidate, kind)
    report = Report(candidate_id=candidate.id, kind=kind, version=(previous.version + 1) if previous else 1,
                    language=content["language"], content=content, stamp=content["stamp"],
                    html=render_html(content, renderer=renderer), pdf=data, pdf_sha256=hashlib.sha256(data).hexdigest(),
                    released_by_id=user_id, released_at=now)
    session.add(report)
    session.flush()
    audit.record(session, user_id=user_id, action="release", object_type=f"report_{kind.value}",
                 object_id=report.id, detail={"candidate": candidate.id, "version": report.version,
                                              "sha256": report.pdf_sha256}, now=now)
    webhooks.report_released(session, candidate, report, now=now)
    return report


def regenerate_pdf(report: Report, *, renderer: Renderer) -> bytes:
    """The PDF rendered again from the report's stored content (same bytes as released)."""
    return render_pdf(report.content, renderer=renderer)


DOWNLOAD_PREFIX = {("sv", ReportKind.CLIENT): "kundrapport", ("sv", ReportKind.CANDIDATE): "aterkoppling",
                   ("en", ReportKind.CLIENT): "client-report", ("en", ReportKind.CANDIDATE): "feedback-report"}


def download_name(report: Report) -> str:
    """E.g. ``kundrapport-12-v2.pdf``: the report's kind in its language, the candidate's id
    and the version, never a personal name (file names travel in e-mails and shared folders)."""
    prefix = DOWNLOAD_PREFIX.get((report.language, report.kind), f"report-{report.kind.value}")
    return f"{prefix}-{report.candidate_id}-v{report.version}.pdf"


def served_html(report: Report, *, back: str, pdf: str, renderer: Renderer,
                reply: CandidateComment | None = None, reply_pdf: str | None = None) -> str:
    """A released report's stored HTML as a page, with a bar to go back and to download
    the PDF added as it is served (and a ``<main>`` landmark round a report frozen without
    one), and after it the candidate's reply as a dated addendum
    when there is one the frozen report does not hold (``reply_addendum``). The stored
    HTML itself stays as released. ``portal.web.report_page`` serves it."""
    with renderer.language(report.language):
        bar = renderer.template("reports/_bar.html", back=back, pdf=pdf)
        addendum = renderer.template("reports/_reply_addendum.html", report=report, reply=reply,
                                     reply_pdf=reply_pdf) if reply is not None else ""
    html = report.html
    if "<main" not in html:
        # Released before report pages had a <main> landmark (issue 18): the page gets one
        # around the frozen document as it is served; the stored HTML stays as released.
        html = html.replace('<body class="document">', '<body class="document"><main>', 1)
        head, body_end, tail = html.rpartition("</body>")
        html = head + "</main>" + body_end + tail if body_end else html + "</main>"
    html = html.replace('<body class="document">', '<body class="document">' + bar, 1)
    if addendum:
        head, body_end, tail = html.rpartition("</body>")
        html = head + addendum + body_end + tail if body_end else html + addendum
    return html


def comment(session: Session, candidate: Candidate) -> CandidateComment | None:
    """The candidate's reply to their feedback report, if any."""
    return session.scalar(sa.select(CandidateComment).where(CandidateComment.candidate_id == candidate.id))


def reply_addendum(report: Report, reply: CandidateComment | None) -> CandidateComment | None:
    """The candidate's reply as an addendum to a released client report: the reply when
    the frozen report does not already hold it word for word (it was written or changed
    after the release). The client sees it with the report, dated, on the report's page
    and as a PDF of its own; the frozen report and its SHA-256 stay as released."""
    if report.kind is not ReportKind.CLIENT or reply is None:
        return None
    return reply if report.content.get("candidate_comment") != reply.text else None


def replies_of(session: Session, candidate_ids) -> dict[int, CandidateComment]:
    """The candidates' replies by candidate id, in one query."""
    if not candidate_ids:
        return {}
    return {c.candidate_id: c for c in session.scalars(
        sa.select(CandidateComment).where(CandidateComment.candidate_id.in_(list(candidate_ids))))}


def render_reply_pdf(report: Report, reply: CandidateComment, *, renderer: Renderer) -> bytes:
    """The addendum as a one-page PDF in the report's language: the candidate's reply,
    its dates, and which frozen report (version, SHA-256) it belongs to."""
    with renderer.language(report.language):
        html = renderer.template("reports/reply_addendum.html", report=report, reply=reply, lang=report.language,
                                 pdf=True, stylesheet_url=_stylesheet_url(renderer))
    return pdf_from_html(html)


def reply_download_name(report: Report) -> str:
    """E.g. ``kundrapport-12-v2-svar.pdf``: the report's file name with the reply's mark."""
    suffix = "svar" if report.language == "sv" else "reply"
    return download_name(report).removesuffix(".pdf") + f"-{suffix}.pdf"


def mark_reply_answered(session: Session, candidate: Candidate, *, user_id: int, now: datetime) -> CandidateComment:
    """A consultant has answered the candidate's reply (off the portal: a call or an
    e-mail); a later change of the reply makes it unanswered again."""
    row = comment(session, candidate)
    if row is None:
        raise ReportError("no_comment")
    row.answered_at, row.answered_by_id = now, user_id
    session.flush()
    audit.record(session, user_id=user_id, action="answer", object_type="report_candidate",
                 object_id=candidate.id, now=now)
    return row


def save_comment(session: Session, candidate: Candidate, text: str, *, now: datetime) -> CandidateComment:
    text = (text or "").strip()
    if not text:
        raise ReportError("comment_empty")
    if len(text) > MAX_COMMENT:
        raise ReportError("comment_too_long")
    if latest(session, candidate, ReportKind.CANDIDATE) is None:
        raise ReportError("not_released")
    row = comment(session, candidate)
    if row is None:
        row = CandidateComment(candidate_id=candidate.id, text=text, created_at=now, updated_at=now)
        session.add(row)
    else:
        row.text, row.updated_at = text, now
    session.flush()
    audit.record(session, user_id=None, action="comment", object_type="report_candidate",
                 object_id=candidate.id, now=now)
    return row
