from django.contrib import admin

from .models import DocumentRequirement, Fee, Figure, FilingWindow, InstructionRule, MotiveRule


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "procedure",
        "motive",
        "amount_cents",
        "effective_from",
        "effective_until",
        "source",
    ]
    list_filter = ["kind", "procedure"]


@admin.register(FilingWindow)
class FilingWindowAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "opens_months_before",
        "late_months_before",
        "effective_from",
        "effective_until",
    ]


@admin.register(MotiveRule)
class MotiveRuleAdmin(admin.ModelAdmin):
    list_display = ["motive", "has_resources_step", "monthly_resources_cents", "effective_from"]


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "required", "order", "effective_from", "effective_until"]
    search_fields = ["code", "label_fr", "label_en", "label_ar"]


@admin.register(InstructionRule)
class InstructionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "implicit_refusal_months",
        "complement_days",
        "attestation_months",
        "renew_days_before",
        "effective_from",
    ]


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "value", "effective_from", "effective_until", "source"]
    list_filter = ["name"]
