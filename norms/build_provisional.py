"""Regenerate the provisional norm tables from a documented, simulated reference population.

    python -m norms.build_provisional              # rewrite norms/data/*.v1.json
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
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .tables import DEFAULT_DIRECTORY, FORMAT, FORMAT_VERSION

DATE = "2026-11-26"
N = 1000
VERSION = "1"
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
    label: dict[str, str]
    logic: LogicSpec
    personality: dict[str, tuple[float, float]]  #: domain -> (mean, sd) on the 1-5 scale
    assumptions: dict[str, str]  #: why this group differs, sv/en


GENERAL = GroupSpec(
    group="general",
    seed=20261126,
    label={"sv": "Yrkesverksamma, allmän grupp", "en": "General working population"},
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
    label={"sv": "Chefer", "en": "Managers"},
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
)

GROUPS: dict[str, GroupSpec] = {spec.group: spec for spec in (GENERAL, MANAGERS)}


def scale_rng(seed: int, scale: str) -> np.random.Generator:
    """Generator for one scale of one group: seeded by (group seed, CRC-32 of the name)."""
    return np.random.default_rng([seed, zlib.crc32(scale.encode("utf-8"))])


def simulate_logic(spec: LogicSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Number correct on the 20-item logic test, shape (n,), integers in [0, N_ITEMS].

    Knowledge-or-random-guessing with q ~ Beta(alpha, beta) (see the module docstring).
    """
    chance = np.asarray(CHANCE)
    known_share = rng.beta(spec.alpha, spec.beta, size=n)
    knows = rng.random((n, N_ITEMS)) < known_share[:, None]
    guesses_right = rng.random((n, N_ITEMS)) < chance[None, :]
    return (knows | guesses_right).sum(axis=1)


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
        "format_version": FORMAT_VERSION,
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


def render(document: dict) -> str:
    """Serialise a norm-table document exactly as it is stored (UTF-8 text)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def file_name(spec: GroupSpec) -> str:
    return f"{spec.group}.v{VERSION}.json"


def build_all() -> dict[str, str]:
    """{file name: file text} for every provisional group."""
    return {file_name(spec): render(build_table(spec)) for spec in GROUPS.values()}


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
