"""Concept folding for retrieval: the words customers use for the same support concept, in the languages we
serve (English, Spanish, Portuguese, French, German, Italian), become one English term before stemming.

Both the knowledge base and the query go through it, so "¿abren los domingos?" meets "Are you open on
weekends?" and "forgot my pw" meets "reset my password". The lists are about customer support in general
(orders, delivery, returns, payment, accounts, opening hours, subscriptions, places), not about one
tenant's entries or products; a tenant's own vocabulary (its products, in its customers' languages) belongs
in its knowledge-base alternates, which the dense and lexical readings both use.
Input is folded text (lowercase, no accents): see `text.fold`.
"""

from __future__ import annotations

import re

# Multi-word forms first: they are rewritten before tokens are read.
_PHRASES: dict[str, str] = {
    # accounts
    r"log ?(in|into|on)|sign ?(in|on)|iniciar sesion|fazer login|se connecter|einloggen|anmelden|accedere": (
        "login"
    ),
    r"mot de passe|contra ?sena": "password",
    # returns and exchanges
    r"(send|ship|mail|bring|take) (it |them |this |that |one |a \w+ )?back|give (it )?back": "return",
    # time it takes ("how soon", "how fast" ask what "how long" asks)
    r"\bhow (soon|fast|quick|quickly|long)\b|\bcuanto tarda\w*|quanto tempo|combien de temps|"
    r"wie lange": "howlong",
    r"\b(get|make it|arrive|be) (to|here|there) ?(me|us)?\b|\bget to me\b": "arrive",
    # weekends and holidays
    r"fin(es)? de semana|fim de semana|week ?-?end|wochenende|fine settimana": "weekend",
    # moving house means a new delivery address
    r"\b(new|moving|moved) (to a )?(apartment|flat|house|home|place|address)\b|\bmudanza\b|\bdemenage\w*": (
        "moved address"
    ),
    # gift cards
    r"tarjeta(s)? (de )?regalo|cart[ao]o(s)? (de )?presente|carte(s)? cadeau|buono regalo": "gift card",
    # holidays: opening hours and delivery dates on these days are usually not what the KB states
    r"\b(new year'?s?( eve| day)?|bank holiday|public holiday|labou?r day|memorial day|independence day|"
    r"4th of july|fourth of july|boxing day|black friday|dia festivo|jour ferie|ano nuevo|ano novo|"
    r"nouvel an|capodanno|good friday|easter (monday|sunday)|whit (monday|sunday)|ascension day|"
    r"all saints'? day|veterans'? day|presidents'? day|juneteenth|viernes santo|sexta-?feira santa|"
    r"vendredi saint|venerdi santo|goede vrijdag|lunes de pascua|lundi de paques|tweede paasdag|"
    r"todos los santos|nochebuena|nochevieja|oudejaarsavond|saint-sylvestre)\b": "holiday",
    # abroad
    r"\b(abroad|overseas|outside the (us|usa|states|country)|another country|other countries)\b": (
        "international"
    ),
}
_PHRASE_PATTERNS = [(re.compile(pattern), f" {term} ") for pattern, term in _PHRASES.items()]

_WORDS: dict[str, tuple[str, ...]] = {
    "password": ("pw", "pwd", "passwd", "passcode", "contrasena", "senha", "passwort", "kennwort"),
    "login": ("logon", "signin", "connexion"),
    "open": (
        "abren", "abre", "abrir", "abierto", "abiertos", "abertos", "aberto", "abrem", "ouvert", "ouverts",
        "ouvre", "ouvrez", "geoffnet", "offnen", "offnet", "aperto", "aperti", "apre", "aprite",
    ),
    "close": ("cierran", "cierra", "cerrado", "fecham", "fechado", "ferme", "fermez", "schliessen",
              "geschlossen", "chiude", "chiuso", "chiudete"),
    "hour": ("hora", "horas", "horario", "horarios", "heure", "heures", "horaire", "horaires", "uhr",
             "uhrzeit", "offnungszeiten", "ora", "orari", "orario"),
    "monday": ("lunes", "segunda", "lundi", "montag", "lunedi"),
    "tuesday": ("martes", "terca", "mardi", "dienstag", "martedi"),
    "wednesday": ("miercoles", "quarta", "mercredi", "mittwoch", "mercoledi"),
    "thursday": ("jueves", "quinta", "jeudi", "donnerstag", "giovedi"),
    "friday": ("viernes", "sexta", "vendredi", "freitag", "venerdi"),
    "saturday": ("sabado", "sabados", "samedi", "samstag", "samstags", "sabato"),
    "sunday": ("domingo", "domingos", "dimanche", "sonntag", "sonntags", "domenica"),
    "ship": ("envio", "envios", "enviar", "envian", "enviam", "envoyer", "envoi", "versand", "versenden",
             "spedizione", "spedire", "spedite", "send", "sent", "sends", "sending", "dispatch"),
    "deliver": ("delivery", "deliveries", "entrega", "entregar", "entregam", "livraison", "livrer", "livrez",
                "lieferung", "liefern", "consegna", "consegnare"),
    "return": ("devolver", "devolucion", "devolucao", "retour", "retourner", "ruckgabe", "zurucksenden",
               "reso", "restituire"),
    "refund": ("reembolso", "remboursement", "rembourser", "ruckerstattung", "erstattung", "rimborso"),
    "cost": ("precio", "cuesta", "cuestan", "preco", "custa", "custo", "prix", "coute", "kostet", "kosten",
             "preis", "prezzo", "costa", "fee", "fees", "price", "prices", "pricing", "charge"),
    "pay": ("pagar", "pago", "pagamento", "payer", "paiement", "bezahlen", "zahlen", "zahlung", "pagare"),
    "cancel": ("cancelar", "annuler", "kundigen", "stornieren", "annullare", "disdire"),
    "subscription": ("suscripcion", "assinatura", "abonnement", "abo", "abbonamento"),
    "address": ("direccion", "endereco", "adresse", "indirizzo"),
    "change": ("update", "edit", "modify", "cambiar", "mudar", "alterar", "changer", "modifier", "andern",
               "cambiare", "modificare"),
    "order": ("pedido", "pedidos", "encomenda", "commande", "bestellung", "ordine"),
    "track": ("rastrear", "seguimiento", "rastreio", "rastreamento", "suivi", "verfolgen",
              "sendungsverfolgung", "tracciare", "tracking"),
    "discount": ("descuento", "desconto", "reduction", "remise", "rabatt", "sconto"),
    "email": ("correo", "mail", "courriel"),
    "holiday": ("holidays", "christmas", "xmas", "thanksgiving", "easter", "hanukkah", "diwali", "navidad",
                "natal", "noel", "weihnachten", "natale", "pascua", "pascoa", "paques", "ostern", "pasqua",
                "feriado", "feriados", "festivo", "festivos", "ferie", "feiertag", "feiertage", "silvester",
                "karfreitag", "ostermontag", "pasquetta", "pentecost", "pentecote", "pfingsten", "pinksteren",
                "pentecostes", "toussaint", "allerheiligen", "ognissanti", "heiligabend", "kerstmis", "kerst",
                "hemelvaart", "himmelfahrt", "ferragosto", "epiphany", "epifania"),
    "international": (
        # Countries and regions customers name when they ask whether you deliver there.
        "europe", "eu", "uk", "england", "scotland", "ireland", "france", "germany", "spain", "portugal",
        "italy", "netherlands", "belgium", "switzerland", "austria", "sweden", "norway", "denmark",
        "finland", "poland", "greece", "canada", "mexico", "brazil", "argentina", "chile", "colombia",
        "peru", "australia", "zealand", "japan", "china", "korea", "india", "singapore", "israel",
        "turkey", "africa", "asia", "dubai", "emirates",
    ),
}  # fmt: skip
WORD_CONCEPTS: dict[str, str] = {
    variant: concept for concept, variants in _WORDS.items() for variant in variants
}


def fold_concepts(folded: str) -> str:
    """Rewrite multi-word forms to their concept term; single words are mapped by `WORD_CONCEPTS`."""
    for pattern, term in _PHRASE_PATTERNS:
        folded = pattern.sub(term, folded)
    return folded


# Concepts that qualify a question so much that an entry not mentioning them does not answer it:
# "are you open on Thanksgiving?" is not answered by the usual opening hours.
QUALIFIERS = frozenset({"holiday"})
