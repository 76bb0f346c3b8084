"""Default crisis lines (editable in the admin) and evidence-informed suggestions.

Facts from ../shared/SAFETY-PLAN.md. Never a harmful "replacement" behaviour, never a promise step.
"""

from django.db import migrations

CRISIS_RESOURCES = [
    # (country, kind, method, name, number, keyword, url, hours, details)
    (
        "US",
        "crisis",
        "call_text",
        "988 Suicide & Crisis Lifeline",
        "988",
        "",
        "https://988lifeline.org/chat/",
        "24/7",
        "Call or text 988, or chat online. Veterans: press 1, or text 838255.",
    ),
    ("US", "crisis", "text", "Crisis Text Line", "741741", "HOME", "", "24/7", ""),
    ("US", "emergency", "call", "Emergency services", "911", "", "", "24/7", ""),
    ("GB", "crisis", "call", "Samaritans", "116123", "", "", "24/7", "Free to call."),
    ("GB", "emergency", "call", "Emergency services", "999", "", "", "24/7", "112 also works."),
    ("AU", "crisis", "call", "Lifeline", "131114", "", "", "24/7", ""),
    ("AU", "emergency", "call", "Emergency services", "000", "", "", "24/7", ""),
    ("CA", "crisis", "call_text", "9-8-8 Suicide Crisis Helpline", "988", "", "", "24/7", "Call or text 9-8-8."),
    ("CA", "emergency", "call", "Emergency services", "911", "", "", "24/7", ""),
]

SUGGESTIONS = {
    "warning_signs": [
        ("Not sleeping, or sleeping much more than usual", ""),
        ("Pulling away from people", ""),
        ("Feeling trapped or like a burden", ""),
        ("Drinking or using more than usual", ""),
        ("Thinking the same painful thoughts over and over", ""),
    ],
    "coping": [
        ("Slow breathing: breathe out for longer than I breathe in", ""),
        (
            "Cold water on my face, or holding an ice cube",
            "Cold can slow the heart: check first with people who have heart problems or an eating disorder.",
        ),
        ("A short burst of hard exercise (running, fast stairs)", "Check it is safe for the person's health."),
        ("Play loud music I like", ""),
        ("Grounding: 5 things I see, 4 I touch, 3 I hear, 2 I smell, 1 I taste", ""),
        ("Take a shower or a bath", ""),
        ("Go for a walk", ""),
        ("Spend time with my pet", ""),
    ],
    "social_places": [
        ("A café or coffee shop", ""),
        ("The library", ""),
        ("A park or other public place with people around", ""),
        ("A community centre or place of worship", ""),
    ],
    "means_safety": [
        ("Firearms stored away from home with someone I trust, for now", ""),
        ("Medicines locked up, with only a small supply at home", ""),
        ("Someone I trust keeps the key or code", ""),
        ("Unused medicines returned to a pharmacy", ""),
    ],
    "reasons": [
        ("My family", ""),
        ("My pet", ""),
        ("Things I want to do in the future", ""),
    ],
}


def seed(apps, schema_editor):
    CrisisResource = apps.get_model("plans", "CrisisResource")
    Suggestion = apps.get_model("plans", "Suggestion")
    for position, (country, kind, method, name, number, keyword, url, hours, details) in enumerate(CRISIS_RESOURCES):
        CrisisResource.objects.create(
            country=country,
            kind=kind,
            method=method,
            name=name,
            number=number,
            text_keyword=keyword,
            url=url,
            hours=hours,
            details=details,
            position=position,
        )
    for section, items in SUGGESTIONS.items():
        for position, (text, caution) in enumerate(items):
            Suggestion.objects.create(section=section, text=text, caution=caution, position=position, language="en")


def unseed(apps, schema_editor):
    apps.get_model("plans", "CrisisResource").objects.all().delete()
    apps.get_model("plans", "Suggestion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
