"""The default NLU: the intent classifier, developer and system entities, and per-intent slot taggers.

``extract`` returns every entity it finds, possibly overlapping when types
differ ("5,000 sq ft" is a @sys.area and holds a @sys.number). A match whose
``slot`` is set was placed by the intent's learned tagger and fills that
parameter; the dialogue engine fills the other parameters by entity type.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Collection, Iterable, Sequence

from chatops.engine.agent import Agent, Intent, TrainingPhrase
from chatops.engine.nlu import EntityMatch, IntentScore
from chatops.engine.nlu.augment import augment, value_pools
from chatops.engine.nlu.borrow import Lender
from chatops.engine.nlu.candidates import CandidateShares, phrase_twins
from chatops.engine.nlu.extended import FINDERS, ExtendedEntities
from chatops.engine.nlu.gazetteer import Gazetteer
from chatops.engine.nlu.identifiers import Identifiers
from chatops.engine.nlu.intents import IntentClassifier, ranked
from chatops.engine.nlu.system import ANY, find_system
from chatops.engine.nlu.tagger import Sentence, SlotTagger, bio_labels, bio_spans, whole_items
from chatops.engine.nlu.text import Token, tokenize
from chatops.engine.nlu.tokenfeatures import token_features
from chatops.engine.nlu.values import ValueGazetteer

FOLDS = 2


def classifiable(intent: Intent) -> bool:
    """Fallback intents, intents without phrases and ignored ones (priority < 0) are never classified."""
    return bool(intent.phrases) and not intent.fallback and intent.priority >= 0


def system_kinds(intent: Intent) -> frozenset[str]:
    """The system entities the intent's parameters take (@sys.any is the tagger's, not a parser's)."""
    return frozenset(p.entity for p in intent.parameters if p.entity.startswith("sys.") and p.entity != ANY)


def single_valued(intent: Intent) -> frozenset[str]:
    """The parameters that hold one value: the tagger gives each of them at most one span of a turn."""
    return frozenset(p.name for p in intent.parameters if not p.is_list)


def phrase_spans(phrase: TrainingPhrase) -> list[tuple[int, int, str]]:
    spans, position = [], 0
    for part in phrase.parts:
        if part.parameter:
            spans.append((position, position + len(part.text), part.parameter))
        position += len(part.text)
    return spans


class NLUModel:
    def __init__(
        self, agent: Agent, classifier: IntentClassifier | None, taggers: dict[str, SlotTagger],
        values: ValueGazetteer | None = None,
    ) -> None:
        self.agent = agent
        self.classifier = classifier
        self.taggers = taggers
        self.gazetteer = Gazetteer(agent.entities)
        self.identifiers = Identifiers(agent.entities)
        self.extended = ExtendedEntities({p.entity for intent in agent.intents.values() for p in intent.parameters})
        self.values = values or ValueGazetteer([(words, slot) for _, words, slot in annotated_values(agent.intents.values())])
        self.shares = CandidateShares(classifier.intents if classifier else [], phrase_twins(agent.intents.values()))
        self.kinds = {name: system_kinds(intent) for name, intent in agent.intents.items()}
        self.single = {name: single_valued(intent) for name, intent in agent.intents.items()}

    def classify(self, text: str, *, candidates: Collection[str] | None = None, at_least: float = 0.0) -> list[IntentScore]:
        """Intents by confidence; ``candidates`` are those whose input contexts are active (see ``nlu.candidates``)."""
        if self.classifier is None:
            return []
        names, probs = self.classifier.probabilities(self.identifiers.hide(text))
        if candidates is not None:
            names, probs = self.shares.confidences(probs, frozenset(candidates))
        return ranked(names, probs, at_least)

    def known(self, text: str, tokens: list[Token], now: datetime | None, kinds: frozenset[str] | None) -> list[EntityMatch]:
        """Developer entities and the system entities of ``kinds`` (None: all), the tagger's hints.

        The system parsers are most of a turn's extraction cost, and most
        intents take none of their values: they run only for the kinds asked
        for, in training (the tagger's hints) as in serving.
        """
        if kinds is not None and not kinds:
            system: list[EntityMatch] = []
        else:
            system = [*find_system(text, now, kinds), *self.extended.find(text, tokens)]
            if kinds is not None:
                system = [m for m in system if m.entity in kinds]
        return sorted([*self.gazetteer.find(text, tokens), *system], key=lambda m: (m.start, -m.end))

    def extract(self, text: str, *, intent: str | None = None, now: datetime | None = None) -> list[EntityMatch]:
        """Every entity when ``intent`` is None; else the system entities its parameters take and the developer ones."""
        tokens = tokenize(text)
        matches = self.known(text, tokens, now, self.kinds.get(intent) if intent else None)
        tagger = self.taggers.get(intent or "")
        if tagger is None or not tokens:
            return matches
        features = token_features(tokens, self.hints(tokens, matches, self.values))
        spans = whole_items(tokens, bio_spans(tokens, tagger.tag(features, single=self.single[intent or ""])))
        return self._assign(text, matches, spans, self.agent.intents[intent or ""])

    def _assign(self, text: str, matches: list[EntityMatch], spans: list[tuple[int, int, str]], intent: Intent) -> list[EntityMatch]:
        """Give tagged spans to their parameters: a free-form value as is, a typed one through its match."""
        result = list(matches)
        for start, end, slot in spans:
            parameter = intent.parameter(slot)
            entity = parameter.entity if parameter else ANY
            if entity == ANY:
                result.append(EntityMatch(ANY, start, end, text[start:end], text[start:end], slot=slot))
                continue
            typed = [i for i, m in enumerate(result) if m.entity == entity and m.slot is None and m.start < end and start < m.end]
            if typed:
                best = min(typed, key=lambda i: abs(result[i].start - start) + abs(result[i].end - end))
                result[best] = dataclasses.replace(result[best], slot=slot)
        return sorted(result, key=lambda m: (m.start, -m.end))

    def resolve(self, text: str, entity: str, *, now: datetime | None = None) -> EntityMatch | None:
        stripped = text.strip()
        if not stripped:
            return None
        if entity == ANY:
            start = text.index(stripped)
            return EntityMatch(ANY, start, start + len(stripped), stripped, stripped)
        # A developer entity, or the agent's own entries of an extended system entity (ES's "sys.geo-city" entity file).
        found = self.gazetteer.find(text, only=entity)
        if entity in FINDERS:
            found += self.extended.resolve(text, entity)
        elif entity.startswith("sys."):
            found += [m for m in find_system(text, now) if m.entity == entity]
        return max(found, key=lambda m: m.end - m.start, default=None)


    @staticmethod
    def hints(tokens: Sequence[Token], matches: Sequence[EntityMatch], values: ValueGazetteer) -> list[list[str]]:
        """Per token, the entity types of the matches covering it and the slots of seen values."""
        result = values.hints(tokens)
        for match in matches:
            for i, token in enumerate(tokens):
                if token.start < match.end and match.start < token.end and match.entity not in result[i]:
                    result[i].append(match.entity)
        return result


def annotated_values(intents: Iterable[Intent]) -> list[tuple[int, tuple[str, ...], str]]:
    """(jackknife fold, lower-cased words, parameter) of every annotation, tokenised once for all the folds."""
    values = []
    for intent in intents:
        for i, phrase in enumerate(intent.phrases):
            text = phrase.text
            values.extend((i % FOLDS, tuple(t.lower for t in tokenize(text[s:e])), slot) for s, e, slot in phrase_spans(phrase))
    return values


_Seen = dict[tuple[frozenset[str], int, TrainingPhrase], Sentence | None]


def _sentences(
    model: NLUModel, intent: Intent, folds: list[ValueGazetteer], phrases: Sequence[tuple[int, TrainingPhrase]], seen: _Seen,
) -> list[Sentence]:
    """Tagger sentences of ``phrases`` (jackknife fold, phrase), with the hints ``intent``'s tagger will see.

    A sentence depends on the phrase, its fold and the system kinds the intent
    takes, not on the intent: ``seen`` keeps them, as a phrase lent to dozens
    of small intents (``borrow``) would otherwise be featurised by each.
    """
    kinds = model.kinds[intent.name]
    sentences = []
    for i, phrase in phrases:
        key = (kinds, i, phrase)
        if key not in seen:
            text = phrase.text
            tokens = tokenize(text)
            seen[key] = None
            if tokens:
                hinted = model.hints(tokens, model.known(text, tokens, None, kinds), folds[i])
                seen[key] = Sentence(tokens, token_features(tokens, hinted), bio_labels(tokens, phrase_spans(phrase)))
        if (sentence := seen[key]) is not None:
            sentences.append(sentence)
    return sentences


def train(agent: Agent, **options: object) -> NLUModel:
    """Train on the agent's phrases; fallback intents' phrases are examples of "none of these"."""
    intents = [i for i in agent.intents.values() if classifiable(i)]
    hide = Identifiers(agent.entities).hide
    examples = [(intent.name, hide(phrase.text)) for intent in intents for phrase in intent.phrases]
    negatives = [hide(p.text) for i in agent.intents.values() if i.fallback for p in i.phrases]
    classifier = IntentClassifier.train(examples, negatives=negatives) if examples else None
    model = NLUModel(agent, classifier, {})
    annotations = annotated_values(intents)
    folds = [ValueGazetteer([(words, slot) for fold, words, slot in annotations if fold != k]) for k in range(FOLDS)]
    pools = value_pools(agent, intents)
    lender = Lender(intents)
    corpora, seen = {}, {}
    for intent in intents:
        if any(part.parameter for phrase in intent.phrases for part in phrase.parts):
            free_form = {p.name for p in intent.parameters if p.entity == ANY}
            phrases = [*intent.phrases, *augment(intent, pools, free_form=free_form)]
            own = [(i % FOLDS, phrase) for i, phrase in enumerate(phrases)]
            others = [(i % FOLDS, phrase) for i, phrase in lender.borrowed(intent)]
            corpora[intent.name] = _sentences(model, intent, folds, [*own, *others], seen)
    model.taggers.update(zip(corpora, SlotTagger.train_many(list(corpora.values()))))
    return model
