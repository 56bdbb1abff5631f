"""Sets of businesses nobody tuned on. Only aggregates are checked; the floors are the figures last measured
less 0.02.

- The gym (70 cases, seven languages), written before issue 15's work and read once at its end
  (2026-12-01): decision 0.8286, reason 0.9697, KB 0.5714. The rule-based detection: 0.8143 / 0.6061 /
  0.6786, missed 0.1212. Read again on 2026-12-03 (aggregates, then its errors) while building the English
  gloss for other languages, so it is a development set now: 0.9429 / 0.9697 / 0.8571.
- The bike shop (45 cases), written on 2026-12-03 before that session's first changes (the FAQ tenants) and
  read once at their end: 0.9111 / 0.9524 / 0.80, no wrong answer (the model before them read the same).
  Its errors were read then; it has been a development set since: 0.9111 / 0.9524 / 0.80; 0.9111 / 1.0 /
  0.80 once the glossary learned how customers ask to be put through (2026-12-03, afternoon).
- The bookshop (42 cases), written after that and before the gloss, read once at the end of the work
  (2026-12-03, 8d6616b): decision 0.8095, reason 0.7222, KB 0.75, wrong answers 0.0952, missed 0.1667;
  questions in other languages 7 of 7 answered (the code and model before that session: 0.6905 / 0.7222 /
  0.50 / 0.1190, 2 of 7). One of its errors was a plain bug, fixed after the read: "good friday" was
  missing from the holidays the hours entry does not cover (now 0.8333 / 0.7778 / 0.75 / 0.0714). The other
  errors stay, as issue 15's note lists them. After the glossary learned how customers ask to be put
  through (2026-12-03, afternoon): 0.8333 / 0.8889 / 0.75 / 0.0714.
- The hair salon (47 cases), written on 2026-12-03 before that afternoon's changes and read once at their
  end (03f7d78): decision 0.8936, reason 0.9524, KB 0.7143, wrong answers 0.0638, missed 0.0476; the code
  and model of that morning (f697b75) read the same. A development set since; 0.9362 / 0.9524 / 0.8571,
  wrong answers 0.0426, once the glossary knew the everyday objects of common trades (2026-12-03, second
  session).
- The phone and laptop repair shop (48 cases), written on 2026-12-03 (second session) before any detection
  change of that session and read once at its end, with the committed models of 4a45531: decision 0.75,
  reason 0.8636, KB 0.5714, wrong answers 0.0833, missed 0.1364. Six of its eight questions in other
  languages escalated on field words the glossary lacked ("pantalla", "bateria", "reparatie",
  "Garantie"); with them (read after, so a development set from then on): 0.8542 / 0.8636 / 0.8095, wrong
  answers and missed escalations unchanged.
- The small hotel (48 cases), written after that and before any later change, read once (the models of
  dceb128): decision 0.8333, reason 0.8182, KB 0.8095, wrong answers 0.0625, missed 0.1364. A development
  set since: 0.875 / 0.8182 / 0.9048 once the glossary knew the words of travel and stays ("aeropuerto",
  "erlaubt", "cancellare"); the repair shop then read one compliment as a question (0.8333 / 0.8636 / 0.8095).
- The car repair garage (48 cases), written after the hotel's read and before the travel words, read once
  at the end of that session's work (a2075a7): decision 0.6042, reason 0.6364, KB 0.4286, wrong answers
  0.125, missed 0.2727. A development set since: 0.625 / 0.6818 / 0.4286, wrong answers 0.1042, once a
  rejection in a clause that asks nothing was read ("i'm 25 miles away, that doesn't help"); 0.6875 /
  0.7273 / 0.5238 once the glossary knew the words of home and vehicle trades ("pneus", "Ersatzwagen",
  "airco bijvullen"; 2026-12-03, third session), 0.7083 / 0.7273 / 0.5238 after its review.
- The optician (40 cases), written after the garage's read, read once with the models of 7b581db (the
  change it was written for, requests for a person by their role, was measured on the other sets and not
  kept): decision 0.775, reason 0.7778, KB 0.6667, wrong answers 0.10, missed 0.1667. A development set
  since: 0.80 / 0.8333 / 0.6667, wrong answers 0.075, once a complaint about the answer just sent could no
  longer be outranked by sending that answer again ("it's been 12 days and no text yet"); 0.90 / 0.8333 /
  0.8889 once the glossary knew glasses, lenses and "ready" ("quand mes lunettes seront-elles prêtes ?").
- The florist (48 cases), written on 2026-12-03 (third session) before any detection change of that
  session and read once at its end (the models of 06e4756, after the glossary learned the words of home and
  vehicle trades and of eyewear, none of them the set's own): decision 0.8125, reason 0.8571, KB 0.619,
  wrong answers 0.0833, missed 0.0952. A development set since.
- The dry cleaner and laundry (40 cases, seven languages), written on 2026-12-03 (third session) after the
  florist's read and before any later change, read once at the end of the fifth session's work with the
  models of c061b7c: decision 0.675, reason 0.7222, KB 0.3889, wrong answers 0.15, missed 0.2222. Eleven
  of its eighteen questions escalated, five of them with the right entry closest but unsure of it (a terse
  KB of two alternates per entry: "spilled coffee all over my white blouse, any chance you can get that
  out?" -> stains at 0.19). That session's corpus change ("never mind" messages) was then reverted, because
  it read frustrated problem reports as "never mind" ("ugh, locked out of my account again"); with the
  models it reverted to: 0.65 / 0.7222 / 0.3889 / 0.15. A development set since.
- Since the sixth session's glossary (the general vocabulary of the six other languages, 2026-12-03): the
  gym 0.9429 / 0.9394 / 0.8571 (one request for a person now read as a question), the bike shop 0.9333 /
  0.9524 / 0.85, the garage 0.75 / 0.6818 / 0.619, the florist 0.8333 / 0.8571 / 0.6667.
- The driving school (40 cases, seven languages, a terse KB of two alternates per entry), written on
  2026-12-03 (sixth session) before any change of that session and read once at its end with the models of
  63157f0: decision 0.775, reason 0.8125, KB 0.55, wrong answers 0.10, missed 0.125; the code and models
  before that session (b61d268) read the same. A development set since.
- The campsite (40 cases, seven languages, half of its questions in a language other than the KB's English,
  a terse KB of two alternates per entry), written on 2026-12-03 (sixth session) and left unread until the
  next detection change; read once at the end of the seventh session's (2026-12-04, c4aebad): decision
  0.80, reason 1.0, KB 0.60, no wrong answer, no missed escalation; the code and models before that
  session (363db53) read the same. A development set since.
- Since the seventh session (2026-12-04): the garage's reason 0.7273 once the gloss read accents where they
  tell two words apart; the driving school 0.80 / 0.875 / 0.55 (wrong answers 0.075, missed 0.0625) and the
  bike shop's reason 1.0 once the classifier read emoji as words.
- Since the eighth session (2026-12-04, d42f9bb: requests for a person by role, question clauses read with
  their question mark, names never typo-corrected in the gloss): the gym 0.9571 / 0.9394 / 0.8929, the
  laundry 0.675 / 0.7778 / 0.3889, the repair shop 0.8542 / 0.8636 / 0.8095, the hotel's reason 0.8636, the
  garage 0.7708 / 0.8636 / 0.619 (wrong answers 0.0833), the florist's reason 0.9048, the optician's 0.8889.
- The coworking space (`blind_coworking`, 12 terse entries, 40 cases), written on 2026-12-04 (seventh
  session) and read once at the end of the eighth session's first change (d42f9bb): decision 0.725, reason
  0.8235, KB 0.5909, wrong answers 0.05, missed 0.1176; the code and models before that session read the
  same. A development set since: 0.725 / 0.7647 / 0.6364, wrong answers 0.075, once the glossary knew
  numbers, office words and the words of a complaint (the driving school then 0.825 / 0.9375 / 0.55, wrong
  answers 0.05; the hotel 0.8958; the laundry's reason 0.7222); 0.75 / 0.8235 / 0.6364, wrong answers 0.05,
  once a follow-up had to be more than half about what the answer sent says for it to be sent again;
  0.775 / 0.8824 / 0.6364, wrong answers 0.025, missed 0.0588, once the glossary knew refunds, praise and
  the words of a complaint about a service, with the corpus lines of the ninth session (2026-12-04).
- The escape room (`blind_escape`, 12 terse entries, 40 cases), written on 2026-12-04 (eighth session) after
  its second change and read once at its end (2c33847): decision 0.675, reason 1.0, KB 0.4091, no wrong
  answer, no missed escalation (false escalations 0.5652); the code and models before that session
  (101e473): 0.65 / 0.9412 / 0.3636, no wrong answer. A development set since.
- The tattoo studio (`blind_tattoo`, 12 terse entries, 40 cases), written at the end of the eighth session
  and read once at the end of the ninth session's change (the glossary's refunds, praise and complaint
  words, and 128 corpus lines; 20385a0): decision 0.575, reason 0.7059, KB 0.3182, wrong answers 0.10,
  missed 0.1765 (false escalations 0.6087); the code and models before that session (3e9d8b2): 0.575 /
  0.7647 / 0.3182, wrong answers 0.10. A development set since.
- Since the tenth session (2026-12-04: answerability also reads how far the chosen entry's cosine stands
  above the KB's others, in their spread, `knowledge_index.standing`, and learned that customers ask in the
  KB's own words): wrong answers over these sixteen sets 36 -> 26 of 696 cases, right decisions 577 -> 577.
  Floors re-taken from every set's new figures. Down: the bike shop 0.9111 / 1.0 / 0.80 ("¿puedo devolver
  unas luces que no he usado?" at 0.34), the driving school 0.775 / 0.9375 / 0.55 (its two wrong answers
  escalate instead: no wrong answer left), the coworking space 0.75 / 0.8824 / 0.5909 (a meeting-room
  paraphrase at 0.34). Up: the tattoo studio 0.60 / 0.7647 / 0.3182 (wrong answers 0.075), the laundry
  0.70 / 0.7778 / 0.3889 (0.125), the garage 0.7917 / 0.9091 / 0.619 (0.0625), the optician 0.925 / 1.0 /
  0.8889 (no wrong answer left), the repair shop's reason 0.9091 (0.0417).
- The photography studio (`blind_photo`, 12 terse entries, 40 cases), written at the end of the ninth
  session and read once at the end of the tenth session's change (f19a4fa): decision 0.70, reason 0.8824,
  KB 0.50, wrong answers 0.075, missed 0.1176 (false escalations 0.4348); the code and models before that
  session (5812752) read the same. A development set since.
- The self-storage facility (`blind_storage`, 12 terse entries, 40 cases), written at the end of the tenth
  session and read once in the eleventh (2026-12-04), with the code and models of 7ebe56a: no detection
  change had landed since it was written, and the eleventh session's two experiments were measured on the
  other sets and dropped before the read. Decision 0.625, reason 0.8824, KB 0.2273, wrong answers 0.05, missed 0
  (false escalations 0.6522): the tersest KB of the sets (a question and two alternates of two or three
  words per entry), where 15 of 22 answerable questions escalated. A development set since.
- Since the eleventh session (2026-12-04: the glossary learned 1,218 lines of everyday service vocabulary in
  six languages, the corpus 40 mishaps of the customer's own making as questions, and a message that leans
  toward a person has its statements read apart for the request): right decisions over the seventeen sets
  read before it (1,864 cases with coffee and the bank) 1,671 -> 1,683, wrong answers 56 -> 55 (coffee
  0.9364 -> 0.9273 decision, wrong answers 0.0455 -> 0.0364; the bank one decision fewer). Floors
  re-taken from every set's new figures. Up: the campsite 0.85 / 1.0 / 0.70, the driving school 0.80, the
  escape room 0.70 / 1.0 / 0.4545, the florist 0.8958 / 0.8571 / 0.8095 (its reason down: "le bouquet ne
  ressemblait pas du tout à la photo, je suis très déçue" now reads as a question), the laundry 0.725 /
  0.8333 / 0.4444, the photography studio 0.775 / 0.8824 / 0.6364, the tattoo studio 0.65 / 0.8824 /
  0.4091, the coworking space 0.775 / 0.8824 / 0.6364, the gym's reason 0.9697, the storage facility 0.65
  / 0.9412 / 0.3182 (wrong answers 0.025). Down: the optician 0.90 / 0.9444 / 0.8889, wrong answers 0.025
  ("Verkaufen Sie auch Kontaktlinsenflüssigkeit?" is now glossed and answered with the contact lenses
  entry, as its English would be).
- The kayak and paddleboard rental (`blind_kayak`, 12 terse entries, 40 cases), written at the start of
  the eleventh session after the storage facility's read and before any of that session's kept changes, read
  once at their end: decision 0.75, reason 1.0, KB 0.5455, no wrong answer, no missed escalation (false
  escalations 0.4348); the code and models before that session read 0.725 / 1.0 / 0.50, no wrong answer.
  After the read the language identifier was retrained on the grown corpus and 12 questions about a
  refund's status were added: it reads the same. A development set since.
- Since the twelfth session (2026-12-04: the corpus learned 50 messages that decline a person, "no agent
  needed, thanks", with 40 requests for a person that hold a negation and 37 short questions about what
  the customer or someone else can do): the kayak rental 0.775 / 1.0 / 0.5909 (floors re-taken), coffee one
  decision more; every other set reads the same.
- The print shop (`blind_print`, 12 terse entries, 40 cases), written at the end of the eleventh session and
  read once at the end of the twelfth session's change (104a658): decision 0.60, reason 0.8824, KB 0.3182,
  wrong answers 0.025, missed 0.0588 (false escalations 0.6522); the code and models before that change
  (778756b) read 0.60 / 0.9412 / 0.3182 / 0.025. Its reason one down: "oh great, my name is spelled wrong on
  all 500 cards 🙄" is no longer read as a complaint (it still goes to a person, as an unanswered question).
  15 of its 22 answerable questions escalated, the right entry closest in 11 of them (0.01-0.31): the terse
  KB again. A development set since.
- Since the thirteenth session (2026-12-04: the corpus learned 58 complaints about services told as a fact
  with a verdict, with plain problem reports and questions about the same services as their counterweight):
  right decisions over the twenty-one sets read before it 1,739 -> 1,740 of 1,944, wrong answers 56 -> 57
  (the bank's "was there a problem with my card yesterday" is answered with the damaged card's entry at 0.40
  instead of going to a person as a complaint). Reasons up, floors re-taken: the gym 1.0 ("want to cancel.
  this is the worst gym i have ever been to" is a complaint), the florist 0.9048, the print shop 0.9412, the
  storage facility 1.0. Every other figure reads the same.
- The home cleaning service (`blind_cleaning`, 12 terse entries, 40 cases), written at the end of the twelfth
  session and read once at the end of the thirteenth session's change (645d4d2): decision 0.70, reason
  0.8824, KB 0.3636, wrong answers 0.05, missed 0 (false escalations 0.5217); the code and models before
  that change (3901f4e) read the same. (Its aggregates with an encoder that was not kept had been printed
  once by mistake before: 0.675 / 0.8824 / 0.3636 / 0.075.) A development set since.
- Since the thirteenth session's second change (German and Dutch compounds read by their parts in the gloss,
  "ß" folded to "ss"): the print shop 0.625 / 0.9412 / 0.3636 ("Gibt es eine Mindestbestellmenge?" is
  "is there a minimum order amount?" and answered), the cleaning service 0.725 / 0.9412 / 0.4091
  ("eindschoonmaak" is "end cleaning"); every other set reads the same. Floors re-taken for those two.
- The bakery (`blind_bakery`, 12 terse entries, 40 cases), written in the thirteenth session after the
  cleaning service's read and read once at the end of that session's second change (037c156): decision
  0.55, reason 0.7059, KB 0.2727, **wrong answers 0.20**, missed 0.2941 (false escalations 0.5652); the
  code and models before that change (5607ccc) read the same. Most of its wrong answers are the custom
  cakes entry, which every message about a cake is close to (delivering one, its price, moving an order,
  a complaint about one, the baker who made one). A development set since: 0.575 / 0.7647 / 0.2727, wrong
  answers 0.175, once a follow-up is no longer answered by an entry that shares only the previous
  question's topic ("do you deliver cakes?" then "and what about 25 km away?"); the laundry then 0.75 /
  0.8889 / 0.4444, wrong answers 0.10 ("and a three piece?"), floors re-taken.
- The fourteenth session's change (the gloss's third everyday vocabulary, 924 lines: appliances, food,
  print, places, materials, clothes, service verbs; plurals whose folded stem is not their singular's;
  Spanish "unas" as "some"), models retrained: the bakery 0.60 / 0.7647 / 0.3182, the bike shop 0.9333 /
  1.0 / 0.85, the cleaning service 0.75 / 0.9412 / 0.50 (wrong answers 0.025), the laundry 0.775 / 0.8889 /
  0.50, the print shop 0.725 / 0.9412 / 0.5455, the tattoo studio 0.675 / 0.8824 / 0.4545 (their messages in
  other languages: thirteen of the words were among those their errors held unknown, seen before they were
  written); the campsite
  0.825 / 1.0 / 0.65 and the photography studio 0.75 / 0.8824 / 0.5909, one English question each at 0.348
  (0.354 and 0.352 before) against the 0.35 threshold after the retrain. Floors re-taken for all.
- The locksmith (`blind_locksmith`, 12 terse entries, 40 cases), written at the end of the thirteenth
  session and read once at the end of the fourteenth session's change (f025d7b): decision 0.775, reason
  0.9412, KB 0.5455, wrong answers 0.025, missed 0 (false escalations 0.3913); the code and models before
  that change (e0f0bfb) read the same. A development set since.
- In the fifteenth session (7f759e5, the gloss's verb forms and months, models retrained) the kayak rental's
  reason fell to 0.9412 ("the board you gave us had a crack in it, we could have been hurt" leans 0.02 toward
  a person after the retrain, so its last clause is read apart, as a request); then English typos read as
  the words meant (bb07c17): the gym's KB 0.8571 ("cn i brng a frend 2moro" reads as a farewell once "frend"
  is "friend", as "friend" did before). Floors re-taken for all.
- The home broadband provider (`blind_broadband`, 12 terse entries, 40 cases), written at the end of the
  fourteenth session and read once at the end of the fifteenth session's changes (the gloss's verb forms
  and months, English typos): decision 0.625, reason 0.875, KB 0.4348, wrong answers 0.05, missed
  escalations 0.125 (false escalations 0.5417); the code and models before them (a01d658) read the same.
  A development set since.
- The electricity and gas supplier (`blind_energy`, 14 entries of three or four alternates, 40 cases),
  written after the broadband provider's read. Its figures were first printed, by accident, by a helper
  script that did not skip unread sets, during the fifteenth session's third change (typos in other
  languages, 9c1ca21; per-case results were not printed); that change was kept on the other sets' figures
  alone, then the set was read as a blind set is: decision 0.75, reason 0.9375, KB 0.50, wrong answers 0.10,
  missed escalations 0.0625 (false escalations 0.375), the same with the code before that change (5cceb5e)
  and before the session (a01d658). A development set since.
- The furniture shop (`blind_furniture`, 12 entries of two or three alternates, 40 cases), written at the
  end of the fifteenth session, read once in the sixteenth, which kept no detection change (so on the code it
  was written after: 47ed520, behaviour unchanged since 9c1ca21): decision 0.775, reason 0.9375, KB 0.6364,
  wrong answers 0.05, missed escalations 0.0625 (false escalations 0.3333); the code and models before the
  fifteenth session (a01d658) read the same. A development set since.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from liveagent.detection.evaluate import evaluate

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


FLOORS = ("decision_accuracy", "reason_accuracy", "kb_accuracy")
CEILINGS = ("wrong_answer_rate", "missed_escalation_rate")


@pytest.mark.parametrize(
    ("business", "cases", "floors", "ceilings"),
    [  # business, cases, FLOORS, CEILINGS
        ("blind", 70, (0.93, 0.98, 0.83), (0.02, 0.02)),
        ("blind_bikes", 45, (0.91, 0.98, 0.83), (0.02, 0.02)),
        ("blind_books", 42, (0.81, 0.86, 0.78), (0.07, 0.14)),
        ("blind_salon", 47, (0.91, 0.93, 0.83), (0.07, 0.07)),
        ("blind_repair", 48, (0.83, 0.88, 0.78), (0.07, 0.12)),
        ("blind_hotel", 48, (0.87, 0.84, 0.88), (0.09, 0.16)),
        ("blind_garage", 48, (0.77, 0.88, 0.59), (0.09, 0.12)),
        ("blind_florist", 48, (0.87, 0.88, 0.78), (0.11, 0.12)),
        ("blind_optician", 40, (0.88, 0.92, 0.86), (0.05, 0.08)),
        ("blind_laundry", 40, (0.75, 0.86, 0.48), (0.12, 0.14)),
        ("blind_driving", 40, (0.78, 0.91, 0.58), (0.02, 0.02)),
        ("blind_campsite", 40, (0.80, 0.98, 0.63), (0.02, 0.02)),
        ("blind_coworking", 40, (0.75, 0.92, 0.61), (0.05, 0.08)),
        ("blind_escape", 40, (0.68, 0.98, 0.43), (0.02, 0.02)),
        ("blind_photo", 40, (0.70, 0.86, 0.57), (0.07, 0.14)),
        ("blind_tattoo", 40, (0.65, 0.86, 0.43), (0.10, 0.14)),
        ("blind_storage", 40, (0.63, 0.98, 0.29), (0.05, 0.02)),
        ("blind_kayak", 40, (0.75, 0.98, 0.57), (0.02, 0.02)),
        ("blind_print", 40, (0.70, 0.92, 0.52), (0.05, 0.08)),
        ("blind_cleaning", 40, (0.73, 0.92, 0.48), (0.05, 0.02)),
        ("blind_bakery", 40, (0.60, 0.74, 0.34), (0.20, 0.26)),
        ("blind_locksmith", 40, (0.78, 0.92, 0.57), (0.05, 0.02)),
        ("blind_broadband", 40, (0.60, 0.85, 0.41), (0.07, 0.15)),
        ("blind_energy", 40, (0.73, 0.91, 0.48), (0.12, 0.09)),
        ("blind_furniture", 40, (0.75, 0.91, 0.61), (0.07, 0.09)),
    ],
)  # fmt: skip
def test_detection_on_a_business_nobody_tuned_on(
    business: str, cases: int, floors: tuple[float, ...], ceilings: tuple[float, ...]
) -> None:
    result = evaluate(EVAL / business / "kb.json", EVAL / business / "cases.jsonl")
    assert result["cases"] == cases
    for metric, floor in zip(FLOORS, floors, strict=True):
        assert result[metric] >= floor, (metric, result)
    for metric, ceiling in zip(CEILINGS, ceilings, strict=True):
        assert result[metric] <= ceiling, (metric, result)
