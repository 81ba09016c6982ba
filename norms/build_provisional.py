"""Regenerate the provisional norm tables from a documented, simulated reference population.

    python -m norms.build_provisional              # rewrite norms/data/*.v1.json and *.v2.json
    python -m norms.build_provisional --out DIR    # write somewhere else
    python -m norms.build_provisional --check      # exit 1 if the shipped files differ

The tables are PROVISIONAL: no real person's data went into them. Each group's reference
population is simulated with numpy (PCG64, fixed seeds), and the file stores the sample
mean and SD (ddof=1) of every scale, rounded to 4 decimals. Parameters and the reasons
for them are in ``norms/README.md``; the same values are written into each file's
``method`` and ``source``. Output is byte-for-byte reproducible for a given numpy version
(numpy does not promise identical random streams across versions, NEP 19).

Simulation models
-----------------
Logic, ``logic.number_correct`` (20 items, ``CHANCE`` gives each item's guessing
probability: 10 four-option and 10 five-option items). Knowledge-or-random-guessing model
with beta-distributed true scores (Keats & Lord, 1962; Lord & Novick, 1968, ch. 23)::

    q_j ~ Beta(m * k, (1 - m) * k)                       person j's proportion of items known
    x_ij = 1 if U_ij < q_j, else 1 if V_ij < CHANCE[i]   knows item i, or guesses it right
    raw_j = sum_i x_ij                                    shape (n,), integers 0..20

so the number correct is a mixture of a beta-binomial (known items) and a binomial
(guessed items). ``m`` is the mean proportion known, ``k`` the concentration
(ability spread: smaller k, wider spread).

Personality, ``personality.<D>`` for D in ES, EX, OP, AG, CO (domain means of 5-point
items): ``raw_j ~ Normal(mean_D, sd_D)`` clipped to [1, 5].

Every scale has its own generator, seeded by (group seed, CRC-32 of the scale name), so
adding a scale later does not change the values of the existing ones.

Version 2 (``format_version`` 2, ``<group>.v2.json``) keeps every version 1 scale with
the same numbers (same generators) and adds:

- ``logic.theta``: latent ability of the adaptive logic test (3PL, logistic metric), not
  simulated. The bank's a-priori item parameters define the metric so that the general
  working population is N(0, 1) by construction; the managers' mean and SD are an
  assumption (``GroupSpec.theta``). ``"latent": true``, range [-4, 4], ``n`` null (set by
  definition, not estimated).
- ``personality.<facet id>`` for the 20 facets of ``FACETS``: ``Normal(mean_D,
  FACET_SD_FACTOR * sd_D)`` clipped to [1, 5], the domain's mean and a wider SD.
- reliabilities: domains ``RELIABILITY_DOMAIN``, facets ``RELIABILITY_FACET`` (a-priori
  assumptions), number correct the KR-20 of the simulated item responses.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .build import cronbach_alpha
from .tables import DEFAULT_DIRECTORY, FORMAT, render_document

DATE = "2026-11-26"
N = 1000
VERSION = "1"
VERSION_V2 = "2"
DATE_V2 = "2026-11-26"
N_ITEMS = 20
#: Guessing probability per logic item: 10 four-option items, then 10 five-option items.
CHANCE = (0.25,) * 10 + (0.20,) * 10
PERSONALITY_MIN, PERSONALITY_MAX = 1.0, 5.0
DOMAINS = ("ES", "EX", "OP", "AG", "CO")
DOMAIN_NAMES = {
    "ES": ("emotionell stabilitet", "emotional stability"),
    "EX": ("extraversion", "extraversion"),
    "OP": ("öppenhet", "openness"),
    "AG": ("samarbetsvilja", "agreeableness"),
    "CO": ("samvetsgrannhet", "conscientiousness"),
}
DECIMALS = 4

#: Facet ids of the inventory big5-work (``item_banks.load_inventory().facets``), copied
#: here so that an edit of the inventory cannot silently change the shipped tables; a test
#: checks that they still match.
FACETS: dict[str, tuple[str, ...]] = {
    "ES": ("ES.composure", "ES.recovery", "ES.assurance", "ES.temper"),
    "EX": ("EX.sociability", "EX.contacts", "EX.lead", "EX.energy"),
    "OP": ("OP.ideas", "OP.change", "OP.creativity", "OP.aesthetics"),
    "AG": ("AG.trust", "AG.cooperation", "AG.consideration", "AG.modesty"),
    "CO": ("CO.order", "CO.dependability", "CO.drive", "CO.discipline"),
}
#: Facet SD = factor x domain SD. A domain score is the mean of its 4 facets; with facet
#: inter-correlations rho of about .5-.6 (assumed), var(domain) = var(facet) (1 + 3 rho) / 4,
#: so sd(facet) = sd(domain) / sqrt((1 + 3 rho) / 4) = 1.19-1.26 sd(domain).
FACET_SD_FACTOR = 1.2
#: A-priori reliabilities (internal consistency) until alphas from the consultancy's data
#: replace them; see norms/README.md for the sources.
RELIABILITY_DOMAIN = 0.85  #: domains of 20 statements
RELIABILITY_FACET = 0.70  #: facets of 5 statements
THETA_MIN, THETA_MAX = -4, 4

SOURCE_REFERENCES = (
    "Keats, J. A., & Lord, F. M. (1962). A theoretical distribution for mental test scores. "
    "Psychometrika, 27, 59-72. "
    "Lord, F. M., & Novick, M. R. (1968). Statistical theories of mental test scores. "
    "Addison-Wesley. "
    "John, O. P., & Srivastava, S. (1999). The Big Five trait taxonomy: History, measurement, "
    "and theoretical perspectives. In L. A. Pervin & O. P. John (Eds.), Handbook of "
    "personality (2nd ed., pp. 102-138). Guilford. "
    "Srivastava, S., John, O. P., Gosling, S. D., & Potter, J. (2003). Development of "
    "personality in early and middle adulthood: Set like plaster or persistent change? "
    "Journal of Personality and Social Psychology, 84(5), 1041-1053. "
    "Judge, T. A., Bono, J. E., Ilies, R., & Gerhardt, M. W. (2002). Personality and "
    "leadership: A qualitative and quantitative review. Journal of Applied Psychology, "
    "87(4), 765-780. "
    "Judge, T. A., Colbert, A. E., & Ilies, R. (2004). Intelligence and leadership: A "
    "quantitative review and test of theoretical propositions. Journal of Applied "
    "Psychology, 89(3), 542-552."
)

SOURCE_REFERENCES_V2 = SOURCE_REFERENCES + (
    " Lord, F. M. (1980). Applications of item response theory to practical testing "
    "problems. Erlbaum. "
    "Costa, P. T., Jr., & McCrae, R. R. (1992). Revised NEO Personality Inventory (NEO PI-R) "
    "and NEO Five-Factor Inventory (NEO-FFI) professional manual. Psychological Assessment "
    "Resources. "
    "Soto, C. J., & John, O. P. (2017). The next Big Five Inventory (BFI-2): Developing and "
    "assessing a hierarchical model with 15 facets to enhance bandwidth, fidelity, and "
    "predictive power. Journal of Personality and Social Psychology, 113(1), 117-143. "
    "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
    "Psychometrika, 16(3), 297-334. "
    "Kuder, G. F., & Richardson, M. W. (1937). The theory of the estimation of test "
    "reliability. Psychometrika, 2(3), 151-160. "
    "Harvill, L. M. (1991). Standard error of measurement. Educational Measurement: Issues "
    "and Practice, 10(2), 33-41. "
    "Gottfredson, L. S. (1997). Why g matters: The complexity of everyday life. "
    "Intelligence, 24(1), 79-132."
)


@dataclass(frozen=True)
class LogicSpec:
    """Beta distribution of the proportion of logic items a person knows."""

    known_mean: float  #: m, mean proportion of items known (before guessing)
    concentration: float  #: k = alpha + beta; smaller k means a wider ability spread

    @property
    def alpha(self) -> float:
        return self.known_mean * self.concentration

    @property
    def beta(self) -> float:
        return (1.0 - self.known_mean) * self.concentration


@dataclass(frozen=True)
class GroupSpec:
    group: str
    seed: int
    #: sv/en label shown wherever the table is used. The data are simulated, so the label
    #: says so and never names a real population (issue 11): "Simulated reference group ...
    #: (provisional)" until norms are built from real data (norms.build).
    label: dict[str, str]
    logic: LogicSpec
    personality: dict[str, tuple[float, float]]  #: domain -> (mean, sd) on the 1-5 scale
    assumptions: dict[str, str]  #: why this group differs, sv/en
    theta: tuple[float, float] = (0.0, 1.0)  #: latent logic ability (mean, sd), format 2
    theta_assumption: dict[str, str] | None = None  #: why, sv/en (None: the metric's definition)


GENERAL = GroupSpec(
    group="general",
    seed=20261126,
    label={"sv": "Simulerad referensgrupp (preliminär)", "en": "Simulated reference group (provisional)"},
    logic=LogicSpec(known_mean=0.45, concentration=5.0),
    personality={
        "ES": (3.40, 0.60),
        "EX": (3.40, 0.60),
        "OP": (3.60, 0.55),
        "AG": (3.90, 0.50),
        "CO": (3.80, 0.55),
    },
    assumptions={
        "sv": (
            "Referensgruppen är tänkt som yrkesverksamma vuxna i allmänhet. Logiktestet antas "
            "vara av medelsvårighet för gruppen (i genomsnitt drygt hälften rätt inklusive "
            "gissning). Domänmedelvärdena ligger i det intervall som brukar rapporteras för "
            "femgradiga Big Five-skalor (cirka 3,3-3,9, SD cirka 0,5-0,6), med högre värden "
            "för samarbetsvilja och samvetsgrannhet, vilket är vanligt när påståendena "
            "gäller arbetslivet."
        ),
        "en": (
            "The reference group is meant to be working adults in general. The logic test is "
            "assumed to be of medium difficulty for the group (on average a little over half "
            "correct, guessing included). Domain means lie in the range usually reported for "
            "5-point Big Five scales (about 3.3-3.9, SD about 0.5-0.6), higher for "
            "agreeableness and conscientiousness, as is common for work-context statements."
        ),
    },
)

MANAGERS = GroupSpec(
    group="managers",
    seed=20261127,
    label={"sv": "Simulerad referensgrupp, chefer (preliminär)",
           "en": "Simulated reference group, managers (provisional)"},
    logic=LogicSpec(known_mean=0.50, concentration=5.0),
    personality={
        "ES": (3.55, 0.60),
        "EX": (3.55, 0.60),
        "OP": (3.65, 0.55),
        "AG": (3.90, 0.50),
        "CO": (3.85, 0.55),
    },
    assumptions={
        "sv": (
            "Antaganden jämfört med den allmänna gruppen: något högre logikresultat (andel "
            "kända uppgifter 0,50 i stället för 0,45, ungefär +0,2 SD i antal rätt), "
            "emotionell stabilitet och extraversion +0,15 (ungefär +0,25 SD), öppenhet och "
            "samvetsgrannhet +0,05, samarbetsvilja oförändrad. Riktningen följer metaanalyser "
            "av samband mellan ledarskap och intelligens respektive personlighet (Judge m.fl. "
            "2002, 2004); storleken på skillnaderna är ett antagande, inte en skattning."
        ),
        "en": (
            "Assumptions relative to the general group: slightly higher logic scores (mean "
            "proportion of items known 0.50 instead of 0.45, about +0.2 SD in number correct), "
            "emotional stability and extraversion +0.15 (about +0.25 SD), openness and "
            "conscientiousness +0.05, agreeableness unchanged. The direction follows "
            "meta-analyses of leadership's relation to intelligence and to personality "
            "(Judge et al. 2002, 2004); the size of the differences is an assumption, not an "
            "estimate."
        ),
    },
    theta=(0.25, 0.95),
    theta_assumption={
        "sv": (
            "Medelvärdet och SD för chefer (på den allmänna gruppens skala) är ett antagande. "
            "Riktningen (högre medelvärde) följer "
            "sambandet mellan intelligens och ledarskap (Judge, Colbert & Ilies 2004) och att "
            "mer komplexa yrken har högre genomsnittlig kognitiv förmåga (Gottfredson 1997); "
            "den något mindre spridningen speglar att gruppen är selekterad. Storleken är inte "
            "skattad."
        ),
        "en": (
            "The managers' mean and SD (on the general group's metric) are an assumption. "
            "The direction (a higher mean) follows the "
            "relation of intelligence with leadership (Judge, Colbert & Ilies 2004) and the "
            "higher mean cognitive ability in more complex occupations (Gottfredson 1997); "
            "the slightly smaller spread reflects a selected group. The size is not an "
            "estimate."
        ),
    },
)

GROUPS: dict[str, GroupSpec] = {spec.group: spec for spec in (GENERAL, MANAGERS)}


def scale_rng(seed: int, scale: str) -> np.random.Generator:
    """Generator for one scale of one group: seeded by (group seed, CRC-32 of the name)."""
    return np.random.default_rng([seed, zlib.crc32(scale.encode("utf-8"))])


def simulate_logic_items(spec: LogicSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Item responses on the 20-item logic test, shape (n, N_ITEMS), booleans (True = correct).

    Knowledge-or-random-guessing with q ~ Beta(alpha, beta) (see the module docstring).
    """
    chance = np.asarray(CHANCE)
    known_share = rng.beta(spec.alpha, spec.beta, size=n)
    knows = rng.random((n, N_ITEMS)) < known_share[:, None]
    guesses_right = rng.random((n, N_ITEMS)) < chance[None, :]
    return knows | guesses_right


def simulate_logic(spec: LogicSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Number correct on the 20-item logic test, shape (n,), integers in [0, N_ITEMS]."""
    return simulate_logic_items(spec, n, rng).sum(axis=1)


def simulate_domain(mean: float, sd: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Personality domain means on the 1-5 scale, shape (n,): Normal(mean, sd) clipped to [1, 5]."""
    return np.clip(rng.normal(mean, sd, size=n), PERSONALITY_MIN, PERSONALITY_MAX)


def _stats(sample: np.ndarray) -> tuple[float, float]:
    return round(float(sample.mean()), DECIMALS), round(float(sample.std(ddof=1)), DECIMALS)


def _method(spec: GroupSpec, n: int) -> dict[str, str]:
    def fmt(x: float, lang: str) -> str:
        text = f"{x:.2f}"
        return text.replace(".", ",") if lang == "sv" else text

    domains = {
        lang: "; ".join(
            f"{DOMAIN_NAMES[d][i]} ({d}) {'medelvärde' if lang == 'sv' else 'mean'} "
            f"{fmt(spec.personality[d][0], lang)}, SD {fmt(spec.personality[d][1], lang)}"
            for d in DOMAINS
        )
        for i, lang in enumerate(("sv", "en"))
    }
    logic = spec.logic
    sv = (
        f"PRELIMINÄR NORM, INTE BASERAD PÅ VERKLIGA DATA. Normen bygger på en simulerad "
        f"referenspopulation (n = {n}) som genereras av norms/build_provisional.py med numpy "
        f"(PCG64, frö {spec.seed}). Logiktest: 20 uppgifter (10 med fyra och 10 med fem "
        f"svarsalternativ). Varje simulerad person kan en andel q av uppgifterna, där q är "
        f"betafördelad (alfa {fmt(logic.alpha, 'sv')}, beta {fmt(logic.beta, 'sv')}, medelvärde "
        f"{fmt(logic.known_mean, 'sv')}); övriga uppgifter gissas med sannolikheten 1/4 "
        f"respektive 1/5. Råpoängen är antal rätt. Personlighet: domänmedelvärden på skalan "
        f"1-5 dras ur normalfördelningar och begränsas till 1-5: {domains['sv']}. Tabellen "
        f"anger stickprovets medelvärde och standardavvikelse per skala. Percentiler räknas "
        f"med normalfördelningsapproximation (för antal rätt med mittpunktskonvention: andelen "
        f"under poängen plus hälften av dem på poängen). {spec.assumptions['sv']} Normen ska "
        f"ersättas av normer från byråns egna data."
    )
    en = (
        f"PROVISIONAL NORM, NOT BASED ON REAL DATA. Derived from a simulated reference "
        f"population (n = {n}) generated by norms/build_provisional.py with numpy (PCG64, "
        f"seed {spec.seed}). Logic test: 20 items (10 with four and 10 with five options). "
        f"Each simulated person knows a share q of the items, q beta-distributed (alpha "
        f"{logic.alpha:.2f}, beta {logic.beta:.2f}, mean {logic.known_mean:.2f}); other items "
        f"are guessed with probability 1/4 or 1/5. The raw score is the number correct. "
        f"Personality: domain means on the 1-5 scale drawn from normal distributions and "
        f"clipped to 1-5: {domains['en']}. The table stores the sample mean and standard "
        f"deviation of each scale. Percentiles use the normal approximation (for number "
        f"correct with the mid-point convention: percentage below the score plus half of "
        f"those at the score). {spec.assumptions['en']} To be replaced by norms built from "
        f"the consultancy's own data."
    )
    return {"sv": sv, "en": en}


def _source(spec: GroupSpec) -> str:
    return (
        f"No real respondents: simulated reference population, norms/build_provisional.py, "
        f"seed {spec.seed}. Parameter values are assumptions of the "
        f"Second Opinion project (see norms/README.md), chosen with reference to: "
        f"{SOURCE_REFERENCES}"
    )


def build_table(spec: GroupSpec, n: int = N) -> dict:
    """Simulate the group's reference population and return the norm-table document."""
    scales: dict[str, dict] = {}
    name = "logic.number_correct"
    mean, sd = _stats(simulate_logic(spec.logic, n, scale_rng(spec.seed, name)))
    scales[name] = {
        "distribution": "normal", "mean": mean, "sd": sd,
        "min": 0, "max": N_ITEMS, "discrete": True,
    }
    for domain in DOMAINS:
        name = f"personality.{domain}"
        mu, sigma = spec.personality[domain]
        mean, sd = _stats(simulate_domain(mu, sigma, n, scale_rng(spec.seed, name)))
        scales[name] = {
            "distribution": "normal", "mean": mean, "sd": sd,
            "min": int(PERSONALITY_MIN), "max": int(PERSONALITY_MAX), "discrete": False,
        }
    return {
        "format": FORMAT,
        "format_version": 1,
        "group": spec.group,
        "version": VERSION,
        "label": dict(spec.label),
        "provisional": True,
        "n": n,
        "date": DATE,
        "method": _method(spec, n),
        "source": _source(spec),
        "scales": scales,
    }


# --------------------------------------------------------------------------- version 2


def _fmt(x: float, lang: str, decimals: int = 2) -> str:
    text = f"{x:.{decimals}f}"
    return text.replace(".", ",") if lang == "sv" else text


def logic_kr20(spec: GroupSpec, n: int = N) -> float:
    """KR-20 of the simulated logic item responses (same draws as the number-correct scale)."""
    items = simulate_logic_items(spec.logic, n, scale_rng(spec.seed, "logic.number_correct"))
    return cronbach_alpha(items.astype(float))


def _method_v2(spec: GroupSpec, n: int, kr20: float) -> dict[str, str]:
    mu, sigma = spec.theta
    logic = spec.logic
    domains = {
        lang: "; ".join(
            f"{DOMAIN_NAMES[d][i]} ({d}) {'medelvärde' if lang == 'sv' else 'mean'} "
            f"{_fmt(spec.personality[d][0], lang)}, SD {_fmt(spec.personality[d][1], lang)}"
            for d in DOMAINS
        )
        for i, lang in enumerate(("sv", "en"))
    }
    theta_note = spec.theta_assumption or {
        "sv": "För den allmänna gruppen gäller detta per definition.",
        "en": "For the general group this holds by definition.",
    }
    sv = (
        f"PRELIMINÄR NORM, INTE BASERAD PÅ VERKLIGA DATA. Formatversion 2. "
        f"Logikförmåga (logic.theta): latent förmåga i det adaptiva logiktestet (3PL-modell, "
        f"logistisk skala). Uppgiftsbankens a priori-parametrar definierar skalan så att "
        f"yrkesverksamma i allmänhet har fördelningen N(0, 1), tills parametrarna kalibreras "
        f"på verkliga data. Denna grupp: medelvärde {_fmt(mu, 'sv')}, SD {_fmt(sigma, 'sv')} "
        f"(inte simulerat). {theta_note['sv']} Percentilen avser fördelningen av den latenta "
        f"förmågan, inte av EAP-punktskattningar (som dras mot priorns medelvärde); "
        f"konfidensintervallet räknas från skattningens standardfel. "
        f"Övriga skalor bygger på en simulerad referenspopulation (n = {n}) som genereras av "
        f"norms/build_provisional.py med numpy (PCG64, frö {spec.seed}). Antal rätt "
        f"(logic.number_correct, för resultat från den tidigare poängsättningen): 20 uppgifter "
        f"(10 med fyra och 10 med fem svarsalternativ); varje simulerad person kan en "
        f"betafördelad andel q av uppgifterna (alfa {_fmt(logic.alpha, 'sv')}, beta "
        f"{_fmt(logic.beta, 'sv')}, medelvärde {_fmt(logic.known_mean, 'sv')}) och gissar "
        f"resten; reliabilitet (KR-20) {_fmt(kr20, 'sv')}, beräknad på de simulerade svaren "
        f"och alltså en följd av modellens antaganden. Personlighet: domänmedelvärden på "
        f"skalan 1-5 dras ur normalfördelningar och begränsas till 1-5: {domains['sv']}. "
        f"Varje domän har fyra facetter med fem påståenden vardera; facetterna simuleras med "
        f"domänens medelvärde och {_fmt(FACET_SD_FACTOR, 'sv', 1)} gånger dess SD (en domän är "
        f"medelvärdet av fyra facetter som antas korrelera cirka 0,5-0,6). Reliabilitet "
        f"(intern konsistens) antas a priori till {_fmt(RELIABILITY_DOMAIN, 'sv')} för domäner "
        f"(20 påståenden) och {_fmt(RELIABILITY_FACET, 'sv')} för facetter (5 påståenden), i "
        f"linje med publicerade värden för Big Five-formulär (NEO PI-R: Costa & McCrae 1992; "
        f"BFI-2: Soto & John 2017), tills alfa från byråns egna data finns. Tabellen anger "
        f"stickprovets medelvärde och standardavvikelse per skala. Percentiler räknas med "
        f"normalfördelningsapproximation (för antal rätt med mittpunktskonvention). "
        f"Konfidensintervall: poängen plus/minus z gånger mätfelet (standardfel från IRT, "
        f"annars SD gånger roten ur 1 minus reliabiliteten), begränsat till skalan och "
        f"omräknat till percentiler. {spec.assumptions['sv']} Facetterna följer sin domän. "
        f"Normen ska ersättas av normer från byråns egna data."
    )
    en = (
        f"PROVISIONAL NORM, NOT BASED ON REAL DATA. Format version 2. Logic ability "
        f"(logic.theta): latent ability on the adaptive logic test (3PL model, logistic "
        f"metric). The item bank's a-priori parameters define the metric so that the general "
        f"working population is N(0, 1), until the parameters are calibrated on real data. "
        f"This group: mean {mu:.2f}, SD {sigma:.2f} (not simulated). {theta_note['en']} The "
        f"percentile refers to the distribution of the latent ability, not of EAP point "
        f"estimates (which are shrunk toward the prior mean); the confidence band comes from "
        f"the estimate's standard error. The other scales are derived from a simulated "
        f"reference population (n = {n}) generated by norms/build_provisional.py with numpy "
        f"(PCG64, seed {spec.seed}). Number correct (logic.number_correct, for results from "
        f"the earlier scoring): 20 items (10 with four and 10 with five options); each "
        f"simulated person knows a beta-distributed share q of the items (alpha "
        f"{logic.alpha:.2f}, beta {logic.beta:.2f}, mean {logic.known_mean:.2f}) and guesses "
        f"the rest; reliability (KR-20) {kr20:.2f}, computed from the simulated responses and "
        f"so a consequence of the model's assumptions. Personality: domain means on the 1-5 "
        f"scale drawn from normal distributions and clipped to 1-5: {domains['en']}. Each "
        f"domain has four facets of five statements; facets are simulated with their "
        f"domain's mean and {FACET_SD_FACTOR:.1f} times its SD (a domain is the mean of four "
        f"facets assumed to correlate about .5-.6). Reliability (internal consistency) is "
        f"assumed a priori: {RELIABILITY_DOMAIN:.2f} for domains (20 statements) and "
        f"{RELIABILITY_FACET:.2f} for facets (5 statements), in line with published values "
        f"for Big Five inventories (NEO PI-R: Costa & McCrae 1992; BFI-2: Soto & John 2017), "
        f"until alphas from the consultancy's own data are available. The table stores the "
        f"sample mean and standard deviation of each scale. Percentiles use the normal "
        f"approximation (for number correct with the mid-point convention). Confidence "
        f"bands: the score plus/minus z times the standard error of measurement (the IRT "
        f"standard error, otherwise SD times the square root of 1 minus the reliability), "
        f"clipped to the scale and converted to percentiles. {spec.assumptions['en']} Facets "
        f"follow their domain. To be replaced by norms built from the consultancy's own data."
    )
    return {"sv": sv, "en": en}


def _source_v2(spec: GroupSpec) -> str:
    return (
        f"No real respondents: simulated reference population, norms/build_provisional.py, "
        f"seed {spec.seed}; the logic.theta parameters are set by definition "
        f"(general) or by assumption (other groups). Parameter values are assumptions of the "
        f"Second Opinion project (see norms/README.md), chosen with reference to: "
        f"{SOURCE_REFERENCES_V2}"
    )


def build_table_v2(spec: GroupSpec, n: int = N) -> dict:
    """The group's format-2 table: the v1 scales plus theta, facets and reliabilities."""
    v1 = build_table(spec, n)["scales"]
    kr20 = round(logic_kr20(spec, n), 2)

    def simulated(entry: dict, reliability: float) -> dict:
        return {**entry, "latent": False, "n": n, "reliability": reliability}

    mu, sigma = spec.theta
    scales: dict[str, dict] = {
        "logic.theta": {
            "distribution": "normal", "mean": mu, "sd": sigma,
            "min": THETA_MIN, "max": THETA_MAX, "discrete": False, "latent": True, "n": None,
        },
        "logic.number_correct": simulated(v1["logic.number_correct"], kr20),
    }
    for domain in DOMAINS:
        scales[f"personality.{domain}"] = simulated(v1[f"personality.{domain}"], RELIABILITY_DOMAIN)
        d_mean, d_sd = spec.personality[domain]
        facet_sd = round(FACET_SD_FACTOR * d_sd, 2)
        for facet in FACETS[domain]:
            name = f"personality.{facet}"
            mean, sd = _stats(simulate_domain(d_mean, facet_sd, n, scale_rng(spec.seed, name)))
            scales[name] = {
                "distribution": "normal", "mean": mean, "sd": sd,
                "min": int(PERSONALITY_MIN), "max": int(PERSONALITY_MAX), "discrete": False,
                "latent": False, "n": n, "reliability": RELIABILITY_FACET,
            }
    return {
        "format": FORMAT,
        "format_version": 2,
        "group": spec.group,
        "version": VERSION_V2,
        "label": dict(spec.label),
        "provisional": True,
        "n": n,
        "date": DATE_V2,
        "method": _method_v2(spec, n, kr20),
        "source": _source_v2(spec),
        "scales": scales,
    }


#: Serialise a norm-table document exactly as it is stored (shared with norms.build).
render = render_document


def file_name(spec: GroupSpec, version: str = VERSION) -> str:
    return f"{spec.group}.v{version}.json"


def build_all() -> dict[str, str]:
    """{file name: file text} for every provisional group, versions 1 and 2."""
    files = {file_name(spec): render(build_table(spec)) for spec in GROUPS.values()}
    files |= {file_name(spec, VERSION_V2): render(build_table_v2(spec)) for spec in GROUPS.values()}
    return files


def write_tables(directory: Path | str = DEFAULT_DIRECTORY) -> list[Path]:
    """Write every provisional table into ``directory`` (created if missing); return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in build_all().items():
        path = directory / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m norms.build_provisional",
        description="Regenerate the provisional (simulated) norm tables.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_DIRECTORY, help="output directory")
    parser.add_argument(
        "--check", action="store_true",
        help="write nothing; exit 1 if the files in --out differ from a fresh build",
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = [
            name for name, text in build_all().items()
            if not (args.out / name).is_file() or (args.out / name).read_bytes() != text.encode("utf-8")
        ]
        for name in stale:
            print(f"out of date: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_tables(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
