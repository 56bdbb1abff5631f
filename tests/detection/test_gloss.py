"""A message in a language the English encoder cannot read is read through its word-by-word English gloss:
retrieval by meaning then works across languages, and what the KB does not answer still goes to a person."""

from __future__ import annotations

import pytest

from liveagent.detection import KbEntry, KnowledgeIndex, detect
from liveagent.detection.embeddings import default_encoder
from liveagent.detection.gloss import english_gloss, readable_text
from liveagent.detection.knowledge_index import ENCODER_READS
from liveagent.settings import EscalationSettings

# A KB in English of a business none of the glossary's words were chosen for (a climbing hall).
KB = KnowledgeIndex(
    [
        KbEntry("kb-price", "How much does a membership cost?", ("membership prices",), "$39 a month."),
        KbEntry("kb-cancel", "How do I cancel my membership?", ("end my membership",), "In the app."),
        KbEntry("kb-hours", "What are your opening hours?", ("when are you open",), "7 am to 11 pm daily."),
        KbEntry("kb-rent", "Can I rent shoes and a harness?", ("gear hire",), "Shoes $4, harness $3."),
    ]
)


def test_the_gloss_is_english_word_by_word_and_keeps_what_it_does_not_know() -> None:
    assert (
        english_gloss("combien coûte l'abonnement par mois ?") == "how much cost the subscription per month?"
    )
    # inflections by their stem ("alugam" and "alugar"), names and numbers as written
    assert english_gloss("vocês alugam bicicletas na Lisboa 24?") == "you rent bikes in the lisboa 24?"
    # a typo, one edit from a word of the message's language; "personne n'" is "nobody", not "a person"
    assert english_gloss("comment anuler mon abonement ?") == "how cancel my subscription?"
    assert english_gloss("personne n'a répondu").startswith("nobody has")
    assert english_gloss("how much is it?") is None  # English: nothing to gloss
    assert english_gloss("zxq wvv") is None  # no word the glossary knows


def test_a_name_is_never_read_as_a_typo_of_a_word() -> None:
    # "México" is one edit from "médico" (doctor), "Porto" from "perto" (near): capitalised mid-sentence,
    # they are names and stay as written.
    assert english_gloss("¿envían a México?") == "ship to mexico?"
    assert english_gloss("qual é o prazo de entrega para o Porto?").endswith("for the porto?")
    # Opening a sentence a word is capitalised anyway, and German capitalises every noun: both corrected.
    assert english_gloss("Anuler mon abonnement ?") == "cancel my subscription?"
    assert english_gloss("Wo ist meine Bestelung?") == "where is my order?"


def test_a_word_is_read_with_its_accents_where_they_tell_two_words_apart() -> None:
    # French "a" is "has" and "à" is "to"; German "wurde" is "was" and "würde" "would": both in one message.
    assert english_gloss("il a cassé mon vélo à la maison") == "it has broken my bike to the home"
    assert english_gloss("Es wurde geliefert, aber ich würde es gern zurückgeben").startswith("it was")
    assert "I would it gladly" in english_gloss("Es wurde geliefert, aber ich würde es gern zurückgeben")
    # Typed without its accent, the word reads as the glossary's unaccented one ("sur" is "on"): customers
    # often leave accents out, and nothing tells which was meant.
    assert english_gloss("vous êtes sûr ?") == "you are sure?"
    assert english_gloss("le livre sur la table") != english_gloss("le livre sûr la table")
    # An inversion split word by word keeps each part's accents ("seront-elles prêtes à midi").
    assert english_gloss("seront-elles prêtes à midi ?") == "will be they ready to noon?"


def test_the_gloss_knows_the_everyday_objects_of_common_trades() -> None:
    # A repair shop's customers abroad: before these words the gloss left "pantalla", "bateria" and
    # "reparatie" as they were, and the questions went to a person.
    assert english_gloss("¿cuánto cuesta cambiar la pantalla de un móvil?") == (
        "how much cost change the screen of a mobile phone?"
    )
    assert (
        english_gloss("hoe lang duurt een reparatie ongeveer?") == "how long does it take a repair roughly?"
    )
    assert english_gloss("Gibt es eine Garantie auf die Reparatur?").startswith("is there a warranty")
    assert english_gloss("hoe kan ik een afspraak maken?") == "how can I a appointment make?"
    assert english_gloss("Sind Hunde im Hotel erlaubt?") == "are dogs in the hotel allowed?"
    assert english_gloss("¿cómo llego desde el aeropuerto al hotel?").endswith(
        "from the airport to the hotel?"
    )
    # A word with two everyday senses is left out: in Spanish "cámara" is a camera and a bike's inner tube,
    # in French "vol" a flight and a theft, "compris" included and understood.
    assert "camera" not in english_gloss("me cobraron el doble por cambiar una cámara")
    assert english_gloss("on m'a volé ma carte").endswith("stolen my card")
    assert "included" not in english_gloss("j'ai compris, merci")
    # A word of another language does not answer for one of the message's own: "mala" is bad in Spanish.
    assert english_gloss("muy mala atención, estoy harto").startswith("very bad")


def test_plurals_inversions_and_words_with_two_senses() -> None:
    # A plural Snowball leaves whole ("pneus": "pneu" + s) and a French inversion ("seront-elles") were left
    # as they were, and the encoder could not read the message.
    assert english_gloss("vocês trocam pneus?") == "you exchange tyre?"
    assert english_gloss("quand mes lunettes seront-elles prêtes ?") == "when my glasses will be they ready?"
    # French "prêt" is a loan; only its feminine forms are surely "ready".
    assert english_gloss("je voudrais un prêt").endswith("a loan")
    # Spanish "cama" (bed) is left out: "cámara" has its stem.
    assert "bed" not in english_gloss("me cobraron el doble por cambiar una cámara")
    # Words with a second everyday sense read as that sense: a list, not "ready"; slow, not lenses; "I
    # receive", not a receipt; "werd" (Dutch: was) does not take German "werden" (will).
    assert english_gloss("¿tienen una lista de precios?") == "have a list of price?"
    assert "lenses" not in english_gloss("sono lenti a rispondere")
    assert english_gloss("no recibo los correos").startswith("not I receive")
    assert "will" not in english_gloss("mijn kaart werd geweigerd")
    assert english_gloss("un agent s'il vous plaît").endswith("please")


# A heating engineer's KB: a trade none of the dev or blind sets is about.
HEATING = KnowledgeIndex(
    [
        KbEntry("kb-boiler", "Do you service boilers?", ("annual boiler check",), "Yes: $90 a year."),
        KbEntry("kb-leak", "Can you fix a leak?", ("water leaking",), "We come out within 4 hours."),
        KbEntry("kb-quote", "Do you give free quotes?", ("how much will it cost",), "Free after a visit."),
        KbEntry("kb-hours", "What are your opening hours?", ("when are you open",), "8 am to 6 pm."),
    ]
)


def test_the_encoder_reads_the_message_itself_when_it_can() -> None:
    encoder = default_encoder()
    assert (
        readable_text("when are you open on sunday?", encoder, ENCODER_READS)
        == "when are you open on sunday?"
    )
    assert readable_text("wann habt ihr am sonntag geöffnet?", encoder, ENCODER_READS) == (
        "when you have you on the sunday open?"
    )


@pytest.mark.parametrize(
    ("kb", "text", "kb_id"),
    [
        (KB, "combien coûte l'abonnement par mois ?", "kb-price"),
        (KB, "hoe kan ik mijn lidmaatschap opzeggen?", "kb-cancel"),
        (KB, "wann habt ihr am sonntag geöffnet?", "kb-hours"),
        (KB, "vocês alugam sapatos?", "kb-rent"),
        # the words of home and vehicle trades (the glossary knew none of them before 2026-12-03)
        (HEATING, "¿reparan fugas de agua?", "kb-leak"),
        (HEATING, "repareren jullie lekkages?", "kb-leak"),
        (HEATING, "Machen Sie auch Wartung für Heizkessel?", "kb-boiler"),
        (HEATING, "vocês fazem revisão de caldeiras?", "kb-boiler"),
        (HEATING, "fate preventivi gratuiti?", "kb-quote"),
    ],
)
def test_questions_in_other_languages_are_answered_from_an_english_kb(
    kb: KnowledgeIndex, text: str, kb_id: str
) -> None:
    decision = detect(text, [], EscalationSettings(), kb)
    assert not decision.escalate and decision.kb_id == kb_id, decision


def test_a_question_in_another_language_the_kb_does_not_answer_still_escalates() -> None:
    decision = detect("¿tienen clases para niños los sábados?", [], EscalationSettings(), KB)
    assert decision.escalate and decision.reason == "question_not_found", decision


@pytest.mark.parametrize(
    "text",
    [
        "mag ik met een echte medewerker chatten?",
        "Vorrei parlare con un operatore, grazie",
        # being put through to someone: read as questions before the glossary knew these idioms
        "passez-moi un vendeur, s'il vous plaît",
        "können Sie mich bitte mit einem Kollegen verbinden?",
    ],
)
def test_requests_for_a_person_in_other_languages_are_read_by_their_meaning(text: str) -> None:
    decision = detect(text, [], EscalationSettings(), KB)
    assert decision.escalate and decision.reason == "agent_requested", decision


def test_the_gloss_knows_numbers_and_the_words_of_a_complaint() -> None:
    # Missing before 2026-12-04: "ocho" stayed "ocho", and "decepcionado" or "lächerlich" stayed as written.
    assert english_gloss("¿tienen mesa para ocho personas?") == "have table for eight people?"
    assert english_gloss("estou muito decepcionado, isso é inaceitável") == (
        "I am very disappointed, that is unacceptable"
    )
    assert english_gloss("sehr enttäuscht, das ist lächerlich") == "very disappointed, the is ridiculous"
    assert english_gloss("c'est dégoûtant, je suis furieux").startswith("c is disgusting")


def test_the_gloss_knows_refunds_and_praise_and_never_turns_a_word_around() -> None:
    # Missing before 2026-12-04 (ninth session): no language's word for a refund was known, nor "perfect";
    # "unmöglich" read as "possible" and "tenéis" as "shoes".
    for text in ("quiero un reembolso", "quero um reembolso", "je veux un remboursement",
                 "ich möchte eine Rückerstattung", "voglio un rimborso", "ik wil een terugbetaling"):  # fmt: skip
        assert "refund" in english_gloss(text).split(), text
    assert english_gloss("perfetto, grazie") == "perfect, thanks"
    assert english_gloss("das ist unmöglich").endswith("impossible")
    assert english_gloss("¿tenéis servicio a domicilio?") == "have service to home?"


def test_a_complaint_in_another_language_is_read_as_one() -> None:
    decision = detect("je suis déçu, c'est inacceptable", [], EscalationSettings(), KB)
    assert decision.escalate and decision.reason == "complaint", decision


def test_a_question_in_another_language_is_not_taken_for_a_request_for_a_person() -> None:
    # Glossed with a word it did not know ("is there a drucker for kunden?"), it read as asking for someone.
    decision = detect("gibt es einen Drucker für Kunden?", [], EscalationSettings(), KB)
    assert decision.escalate and decision.reason == "question_not_found", decision


def test_what_happened_to_an_order_is_not_a_request_to_be_put_through() -> None:
    # "pasar con" is "put through to" only with a person to be put through to ("me pasa con ...").
    decision = detect("¿qué pasa con mi pedido?", [], EscalationSettings(), KB)
    assert decision.reason != "agent_requested", decision


def test_a_kb_written_in_another_language_is_read_through_its_gloss_too() -> None:
    spanish = KnowledgeIndex(
        [
            KbEntry("kb-horario", "¿Cuál es el horario de apertura?", ("¿cuándo abren?",), "De 9 a 20 h."),
            KbEntry("kb-envio", "¿Cuánto tarda el envío?", ("¿cuándo llega mi pedido?",), "De 2 a 4 días."),
            KbEntry("kb-cancelar", "¿Cómo cancelo mi suscripción?", ("dar de baja",), "En tu cuenta."),
        ]
    )
    for text, kb_id in [
        ("¿a qué hora cierran los sábados?", "kb-horario"),
        ("how long does shipping take?", "kb-envio"),
        ("quiero cancelar la suscripción", "kb-cancelar"),
    ]:
        decision = detect(text, [], EscalationSettings(), spanish)
        assert not decision.escalate and decision.kb_id == kb_id, (text, decision)


def test_the_gloss_knows_the_everyday_words_of_services_and_leaves_out_those_with_two_senses() -> None:
    # Added on 2026-12-04 (eleventh session): general service vocabulary (buildings, clothes, damage, family,
    # weather, storage, events) in six languages; none of these words was known before.
    assert english_gloss("la camisa volvió con una mancha") == "the shirt came back with a stain"
    assert english_gloss("Mein Hemd ist verfärbt zurückgekommen") == "my shirt is discoloured came back"
    assert "holiday" in english_gloss("la tienda está cerrada por vacaciones").split()
    assert english_gloss("ons gebouw heeft geen lift") == "our building has no lift"
    # Spanish "caja" is a box and the till: neither it nor "cajas" (its stem) is read as a box.
    assert "boxes" not in english_gloss("pagué en caja con tarjeta")


def test_german_and_dutch_compounds_are_read_by_their_parts() -> None:
    # German and Dutch write compounds closed, and no glossary holds them all: "Versandkosten" is read as
    # its parts, in their order, where the glossary knows each; "ß" is read as "ss", so "Schülerermäßigung"
    # is one word (it had been split at the "ß" and read as nothing).
    assert "shipping cost" in english_gloss("Wie hoch sind die Versandkosten?")
    assert "delivery cost" in english_gloss("wat zijn de bezorgkosten?")
    assert english_gloss("Gibt es eine Schülerermäßigung?") == "is there a student discount?"
    # A word the glossary holds whole is read whole; parts of three letters are not split off ("Konto-aus-zug"
    # is no "account from train"), and a part before the last is read as written, not by a stem the stemmer
    # reads into it ("Mitglieds-bei-trag" is no "member at wear").
    assert english_gloss("Wann sind die Öffnungszeiten?") == "when are the opening hours?"
    assert "train" not in english_gloss("Wo finde ich meinen Kontoauszug?")
    assert "wear" not in english_gloss("Wie hoch ist der Mitgliedsbeitrag?")
    # And the question is answered: "maandabonnement" had left it to a person.
    decision = detect("wat kost een maandabonnement?", [], EscalationSettings(), KB)
    assert not decision.escalate and decision.kb_id == "kb-price", decision


def test_plurals_whose_folded_stem_is_not_their_singulars_are_read_as_it() -> None:
    # With accents folded away, the stemmer parts some plurals from their singular ("cartoes" stems to
    # "carto", "cartao" to "carta"): they are read by their singular's ending.
    assert english_gloss("vendem anéis?") == "sell ring?"
    assert english_gloss("quanto custam os cartões?").endswith(" card?")
    assert " garden" in english_gloss("os apartamentos têm jardins?")
    assert english_gloss("los niños quedaron muy felices").endswith(" happy")
    # Spanish "unas" (some) is not "uñas" (nails) once folded; "uñas" still is.
    assert english_gloss("¿tenéis unas mesas libres?").split()[1] == "some"
    assert " nails " in english_gloss("¿hacéis uñas de gel?")


def test_the_gloss_knows_the_things_and_services_of_everyday_trades() -> None:
    # The third everyday vocabulary (appliances, food, print, materials, clothes, places, service verbs):
    # none of these was known before it.
    assert "oven" in english_gloss("¿el piso tiene horno?")
    assert "vacuum cleaner" in english_gloss("hebben jullie een stofzuiger?")
    assert "dishwasher" in english_gloss("la cucina ha la lavastoviglie?")
    assert "umbrella" in english_gloss("Kann man bei Ihnen einen Regenschirm leihen?")
    assert "file" in english_gloss("je vous envoie le fichier par mail ?")
    assert "beginner" in english_gloss("c'è un corso per principianti?")


def test_the_gloss_knows_the_forms_of_common_verbs_and_the_months() -> None:
    # Irregular forms a Snowball stem does not join to their verb (French "prenez" to "prendre", German
    # participles "bestellt", "geliefert"), the first persons of the languages that drop the pronoun, and
    # the months: none of these was known before.
    assert english_gloss("vous prenez la carte ?") == "you take the card?"
    assert "received" in english_gloss("nous n'avons pas reçu le colis")
    assert "ordered" in english_gloss("ich habe am Montag bestellt")
    assert "delivered" in english_gloss("es wurde noch nicht geliefert")
    assert "delivered" in english_gloss("het pakket is nog niet geleverd")
    assert "I order" in english_gloss("siempre pido lo mismo")
    assert "we know" in english_gloss("non sappiamo ancora la data")
    assert "june" in english_gloss("vocês abrem em junho?")
    assert "september" in english_gloss("¿hacéis envíos en septiembre?")


def test_a_typo_in_another_language_is_read_as_the_word_meant_and_only_as_one_of_its_first_letter() -> None:
    assert english_gloss("¿cuánto cuessta el envío?") == "how much cost the shipping?"
    assert english_gloss("vocês aberm no domingo?") == "you open in the sunday?"  # two letters swapped
    assert english_gloss("Kannn ich morgen vorbeikommen?").startswith("can I")  # a four-letter word meant
    assert "arrives" in english_gloss("quando arriav il pacco?")
    # "Rauch" (smoke) is one edit from "auch" (also): not read as it, the first letter differs
    assert "also" not in english_gloss("das Zimmer roch nach Rauch")
