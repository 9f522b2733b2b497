import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from catalog.document import (
    GB_PLACES,
    MONEY_PLACES,
    PERCENT_PLACES,
    RATE_PLACES,
    REGION_NAME_LENGTH,
    iso_currencies,
    where_to_buy,
)
from planner.engine.bounds import http_url_error
from planner.engine.staleness import STALE_AFTER, is_stale


def new_version_token() -> str:
    return secrets.token_hex(4)


def validate_currency(value: str) -> None:
    if value not in iso_currencies():
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code"), params={"value": value}
        )


def validate_http_url(value: str) -> None:
    """The one rule for every catalog URL field: http(s) only (see bounds.http_url_error)."""
    if http_url_error(value):
        raise ValidationError(_("Only http:// and https:// addresses are allowed."))


def _money(**kwargs) -> DecimalField:
    return models.DecimalField(max_digits=8 + MONEY_PLACES, decimal_places=MONEY_PLACES, **kwargs)


def _gb(**kwargs) -> DecimalField:
    return models.DecimalField(max_digits=8 + GB_PLACES, decimal_places=GB_PLACES, **kwargs)


def _percent(**kwargs) -> DecimalField:
    return models.DecimalField(
        max_digits=3 + PERCENT_PLACES,
        decimal_places=PERCENT_PLACES,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


def _currency(**kwargs) -> models.CharField:
    return models.CharField(_("currency"), max_length=3, validators=[validate_currency], **kwargs)


class Network(models.TextChoices):
    G3 = "3G", "3G"
    G4 = "4G", "4G"
    G5 = "5G", "5G"


class Activation(models.TextChoices):
    FIRST_USE = "first_use", _("on first use")
    INSTALL = "install", _("on install")
    PURCHASE = "purchase", _("on purchase")


class OperatorKind(models.TextChoices):
    MNO = "mno", _("network operator")
    MVNO = "mvno", _("virtual network operator")
    RESELLER = "reseller", _("travel eSIM brand")


class CatalogVersion(models.Model):
    """One row per change of the catalog; the newest is the version in force.

    The planner reports it as `catalog_version` and caches the loaded catalog by it.
    """

    created_at = models.DateTimeField(default=timezone.now)
    token = models.CharField(max_length=16, default=new_version_token, editable=False)
    note = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the catalog in force is the shipped sample rather than verified data;
    # pages label it so a traveller does not take sample prices for real ones.
    sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pk"]
        get_latest_by = "pk"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.pk}-{self.token}"

    @classmethod
    def current(cls) -> "CatalogVersion | None":
        return cls.objects.order_by("-pk").first()

    @classmethod
    def bump(cls, note: str, *, user=None, sample: bool | None = None) -> "CatalogVersion":
        if sample is None:
            current = cls.current()
            sample = bool(current and current.sample)
        return cls.objects.create(note=note[:200], changed_by=user, sample=sample)


class Region(models.Model):
    name = models.CharField(
        max_length=REGION_NAME_LENGTH,
        unique=True,
        help_text=_('Upper case, as written after "@" in a catalog file, e.g. EU_RLAH.'),
    )
    countries = CountryField(multiple=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OperatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)


class Operator(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    country = CountryField(null=True, blank=True, help_text=_("Empty for a travel eSIM brand."))
    kind = models.CharField(max_length=10, choices=OperatorKind)
    website = models.URLField(max_length=500, blank=True, validators=[validate_http_url])
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Residents-only plans say "residents of the operator's country": see Plan.clean.
        if (
            self.pk
            and not self.country
            and Plan.objects.filter(operator=self.pk, residents_only=True).exists()
        ):
            raise ValidationError(
                {"country": _("This operator has residents-only plans, which need its country.")}
            )


class PlanQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(retired_at__isnull=True, operator__retired_at__isnull=True)

    def retired(self):
        return self.filter(Q(retired_at__isnull=False) | Q(operator__retired_at__isnull=False))

    def covering(self, countries: Iterable[str]):
        # One EXISTS per country: a plan must cover all of them, and the
        # (country, plan) index answers each one.
        qs = self
        for country in set(countries):
            qs = qs.filter(
                models.Exists(
                    CoverageCountry.objects.filter(plan=models.OuterRef("pk"), country=country)
                )
            )
        return qs

    def on_network_in(self, country: str, network: str):
        return self.filter(
            models.Exists(
                CoverageCountry.objects.filter(
                    plan=models.OuterRef("pk"), country=country, entry__network=network
                )
            )
        )

    def _elsewhere(self, country: str) -> models.Exists:
        return models.Exists(
            CoverageCountry.objects.filter(plan=models.OuterRef("pk")).exclude(country=country)
        )

    def local_to(self, country: str):
        """Plans whose coverage is this one country alone."""
        return self.filter(~self._elsewhere(country))

    def regional_for(self, country: str):
        return self.filter(self._elsewhere(country))

    def with_country_facts(self, country: str, *, today):
        """What a country page shows of each plan, in the same query: the network in
        that country, how many countries it covers, and whether a promotion runs today."""
        here = CoverageCountry.objects.filter(plan=models.OuterRef("pk"), country=country)
        count = (
            CoverageCountry.objects.filter(plan=models.OuterRef("pk"))
            .order_by()
            .values("plan")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            network_here=models.Subquery(here.values("entry__network")[:1]),
            country_count=models.Subquery(count),
            promotion_today=models.Exists(
                Promotion.objects.filter(
                    plan=models.OuterRef("pk"), starts__lte=today, ends__gte=today
                )
            ),
        )

    def stale(self, *, today=None):
        """The SQL twin of `planner.engine.staleness.is_stale`: never checked, or
        checked more than STALE_AFTER before today (tests/catalog/test_staleness.py)."""
        today = today or timezone.localdate()
        return self.filter(Q(verified_on__isnull=True) | Q(verified_on__lt=today - STALE_AFTER))

    def recently_verified(self, *, today=None):
        """Exactly the plans `stale` leaves out."""
        today = today or timezone.localdate()
        return self.filter(verified_on__gte=today - STALE_AFTER)

    def rates_needed(self) -> set[str]:
        """The twin of `planner.engine.model.rates_needed` over these plans."""
        needed = set(self.order_by().values_list("currency", flat=True).distinct())
        if CoverageEntry.objects.filter(plan__in=self, eu_fair_use=True).exists():
            needed.add("EUR")
        return needed

    def unpriced(self, per_base: Iterable[str]):
        """Plans the planner cannot price with these rates (it leaves them out)."""
        codes = list(per_base)
        missing = ~Q(currency__in=codes)
        if "EUR" not in codes:
            missing |= Q(
                models.Exists(
                    CoverageEntry.objects.filter(plan=models.OuterRef("pk"), eu_fair_use=True)
                )
            )
        return self.filter(missing)

    def with_price_per_gb(self):
        # SQLite divides two whole-number decimals as integers; a float cast avoids
        # that, and the result only orders plans and is shown rounded to cents.
        per_gb = ExpressionWrapper(
            Cast("price", models.FloatField()) / F("data_gb"),
            output_field=models.DecimalField(max_digits=20, decimal_places=MONEY_PLACES),
        )
        return self.annotate(
            price_per_gb=Case(When(data_gb__gt=0, then=per_gb), default=Value(None))
        )

    def with_base_price(self, per_base: dict[str, Decimal]):
        """`base_price` = price in the rates' base currency, so plans in different
        currencies sort together; a currency without a rate sorts last."""
        out = models.DecimalField(max_digits=24, decimal_places=8)
        whens = [
            When(
                currency=code,
                then=ExpressionWrapper(
                    Cast("price", models.FloatField()) / Value(float(rate)), output_field=out
                ),
            )
            for code, rate in per_base.items()
        ]
        per_gb = ExpressionWrapper(F("base_price") / F("data_gb"), output_field=out)
        return self.annotate(
            base_price=Case(*whens, default=Value(None), output_field=out)
        ).annotate(base_price_per_gb=Case(When(data_gb__gt=0, then=per_gb), default=Value(None)))


class Plan(models.Model):
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="plans")
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    price = _money(validators=[MinValueValidator(0)])
    currency = _currency()
    validity_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    data_gb = _gb(
        null=True, blank=True, validators=[MinValueValidator(0)], help_text=_("Empty = unlimited.")
    )
    daily_gb = _gb(
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("The most high-speed data a purchase supplies on one day."),
    )
    hotspot = models.BooleanField(default=False)
    max_devices = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    voice = models.BooleanField(default=False, help_text=_("A phone number with calls and SMS."))
    esim = models.BooleanField(default=True)
    vat_percent = _percent(default=Decimal(0))
    max_purchases = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    new_customer_only = models.BooleanField(default=False)
    residents_only = models.BooleanField(
        default=False,
        help_text=_(
            "Sold only to residents of the operator's country (a local address, bank "
            "account or ID); the operator needs a country."
        ),
    )
    subscription = models.BooleanField(
        default=False,
        help_text=_("Renews by itself every validity period until cancelled."),
    )
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    activation = models.CharField(max_length=10, choices=Activation, default=Activation.FIRST_USE)
    top_up = models.BooleanField(default=False)
    ekyc = models.BooleanField(_("eKYC"), default=False, help_text=_("Identity check needed."))
    throttle_kbps = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True, validators=[validate_http_url])
    buy_url = models.URLField(
        _("buy URL"),
        max_length=500,
        blank=True,
        validators=[validate_http_url],
        help_text=_("Where a traveller buys it; empty = the operator's website."),
    )
    verified_on = models.DateField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["operator__name", "name", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(
                condition=Q(validity_days__gte=1), name="plan_validity_positive"
            ),
            models.CheckConstraint(
                condition=Q(data_gb__isnull=True) | Q(data_gb__gte=0), name="plan_data_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(daily_gb__isnull=True) | Q(daily_gb__gt=0), name="plan_daily_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_devices__gte=1), name="plan_max_devices_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_purchases__isnull=True) | Q(max_purchases__gte=1),
                name="plan_max_purchases_positive",
            ),
            models.CheckConstraint(
                condition=Q(vat_percent__gte=0) & Q(vat_percent__lte=100), name="plan_vat_percent"
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_from__lte=F("available_until")),
                name="plan_availability_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:plan", args=[self.slug])

    @property
    def is_offered(self) -> bool:
        """The row-by-row twin of `Plan.objects.offered()`."""
        return self.retired_at is None and self.operator.retired_at is None

    @property
    def where_to_buy(self) -> str:
        return where_to_buy(self.buy_url, self.operator.website)

    @property
    def is_stale(self) -> bool:
        return is_stale(self.verified_on, timezone.localdate())

    def duplicate(self) -> "Plan":
        """A copy of the plan with its coverage and promotions, under a free slug
        ("<slug>-copy", "<slug>-copy-2", ...), named "<name> (copy)" and retired, so it
        is edited before it is offered. Prefetch `coverage_entries__countries` and
        `promotions` when copying many."""
        entries = list(self.coverage_entries.all())
        promotions = list(self.promotions.all())
        slug = f"{self.slug}-copy"[:100]
        n = 2
        while Plan.objects.filter(slug=slug).exists():
            slug = f"{self.slug}-copy-{n}"[:100]
            n += 1
        copy = Plan.objects.get(pk=self.pk)
        copy.pk = None
        copy.slug = slug
        copy.name = f"{self.name} (copy)"[:200]
        copy.retired_at = timezone.now()
        copy.save(force_insert=True)
        for entry in entries:
            new_entry = _copied(entry, plan_id=copy.pk)
            new_entry.save(force_insert=True)
            CoverageCountry.objects.bulk_create(
                CoverageCountry(entry=new_entry, plan=copy, country=row.country)
                for row in entry.countries.all()
            )
        Promotion.objects.bulk_create(_copied(promo, plan_id=copy.pk) for promo in promotions)
        return copy

    def clean(self) -> None:
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError({"available_until": _("Must not be before available from.")})
        # The same rule as the catalog file's (catalog.document): residents of where?
        if self.residents_only and self.operator_id and not self.operator.country:
            raise ValidationError(
                {
                    "residents_only": _(
                        "%(operator)s has no country, so it has no residents-only plans: "
                        "give the operator its country first."
                    )
                    % {"operator": self.operator}
                }
            )


def _copied(row: models.Model, **changes) -> models.Model:
    """A new, unsaved row with `row`'s column values but its primary key, and `changes`."""
    values = {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if not field.primary_key
    }
    return type(row)(**{**values, **changes})


class CoverageEntry(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="coverage_entries")
    position = models.PositiveSmallIntegerField(default=0)
    network = models.CharField(max_length=2, choices=Network, default=Network.G4)
    cap_gb = _gb(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The most included data in these countries together; empty = no cap."),
    )
    eu_fair_use = models.BooleanField(
        _("EU fair use cap"),
        default=False,
        help_text=_("Cap computed from the price by Regulation (EU) 2022/612 instead of a number."),
    )
    overage_per_gb = _money(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Price per GB beyond the caps, in the plan's currency."),
    )
    # Region names the file wrote as "@NAME", space separated, so export can write them back.
    # Unbounded: the file may name any number of regions in one entry.
    regions = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name_plural = _("coverage entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(eu_fair_use=False) | Q(cap_gb__isnull=True),
                name="coverage_one_kind_of_cap",
            ),
            models.CheckConstraint(
                condition=Q(cap_gb__isnull=True) | Q(cap_gb__gte=0),
                name="coverage_cap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(overage_per_gb__isnull=True) | Q(overage_per_gb__gte=0),
                name="coverage_overage_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.network} #{self.position}"

    def clean(self) -> None:
        if self.eu_fair_use and self.cap_gb is not None:
            raise ValidationError(_("Either a cap in GB or the EU fair use cap, not both."))


class CoverageCountry(models.Model):
    """One row per plan and country: "which plans cover X" is an index lookup, and the
    unique constraint holds "a country stands in at most one entry of a plan"."""

    entry = models.ForeignKey(CoverageEntry, on_delete=models.CASCADE, related_name="countries")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="coverage_countries")
    country = CountryField()

    class Meta:
        ordering = ["country"]
        verbose_name_plural = _("coverage countries")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "country"], name="coverage_country_once_per_plan"
            ),
        ]
        indexes = [models.Index(fields=["country", "plan"], name="coverage_country_plan_idx")]

    def __str__(self) -> str:
        return str(self.country)


class Promotion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="promotions")
    name = models.CharField(max_length=200, blank=True)
    discount_percent = _percent(default=Decimal(0))
    bonus_gb = _gb(default=Decimal(0), validators=[MinValueValidator(0)])
    starts = models.DateField()
    ends = models.DateField()
    limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("How many purchases of the plan in one trip may get it; empty = all."),
    )
    new_customer_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "starts", "ends"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="promotion_discount_percent",
            ),
            models.CheckConstraint(
                condition=Q(bonus_gb__gte=0), name="promotion_bonus_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(starts__lte=F("ends")), name="promotion_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=1), name="promotion_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.discount_percent}% {self.starts}–{self.ends}"

    def runs_on(self, day) -> bool:
        return self.starts <= day <= self.ends

    def clean(self) -> None:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("A promotion cannot end before it starts.")})


class PlanChange(models.Model):
    """A change of a plan's price or terms: who, when, and the changed fields before and after."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("admin")
        IMPORT = "import", _("import")
        ACTION = "action", _("admin action")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="changes")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["plan", "-changed_at"], name="plan_change_plan_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def fields(self) -> list[str]:
        return sorted(self.before.keys() | self.after.keys())


class RateSetQuerySet(models.QuerySet):
    def in_force(self) -> "RateSet | None":
        # The newest recorded set is in force: an import of older rates replaces
        # newer ones on purpose, and export writes back what the planner used.
        return self.order_by("-pk").prefetch_related("rates").first()

    def with_in_force(self):
        """`is_in_force` on each set, in the same query as the sets."""
        newest = RateSet.objects.order_by("-pk").values("pk")[:1]
        return self.annotate(
            is_in_force=ExpressionWrapper(
                Q(pk=models.Subquery(newest)), output_field=models.BooleanField()
            )
        )


class RateSet(models.Model):
    base = _currency()
    as_of = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RateSetQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.base} {self.as_of or ''}".strip()

    @property
    def per_base(self) -> dict[str, Decimal]:
        return {rate.currency: rate.per_base for rate in self.rates.all()}


class Rate(models.Model):
    rate_set = models.ForeignKey(RateSet, on_delete=models.CASCADE, related_name="rates")
    currency = _currency()
    per_base = models.DecimalField(
        max_digits=12 + RATE_PLACES,
        decimal_places=RATE_PLACES,
        help_text=_("Units of this currency per one unit of the base currency."),
    )

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["rate_set", "currency"], name="rate_currency_once_per_set"
            ),
            models.CheckConstraint(condition=Q(per_base__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.per_base}"


class CatalogImport(models.Model):
    """An uploaded catalog file awaiting confirmation in admin, and afterwards its record."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        APPLIED = "applied", _("applied")

    created_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content = models.TextField(editable=False)
    replace = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PREVIEWED)
    # The version the preview was computed against: confirming after someone else
    # changed the catalog would apply a different change than the one shown.
    based_on = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


# The group of migration 0002: staff who maintain the catalog, and so may update it
# through the API with a token.
CATALOG_EDITORS = "catalog editor"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that authenticate: not revoked, of an active catalog editor."""
        return self.filter(
            revoked_at__isnull=True, user__is_active=True, user__groups__name=CATALOG_EDITORS
        )


class ApiToken(models.Model):
    """A staff member's key for PUT /api/v1/catalog. Only its SHA-256 is stored: the
    key is shown once, when it is created, and a lost key is revoked and replaced."""

    PREFIX = "rp_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("what the token is for"))
    # A 256-bit random key needs no slow hash: no dictionary can guess it, and a
    # digest lookup must stay one indexed query per request.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def issue(self) -> str:
        """Give the token a new key and return it; the caller shows it once."""
        key = self.PREFIX + secrets.token_urlsafe(32)
        self.digest = self.hash(key)
        self.hint = key[:10]
        return key

    @classmethod
    def authenticate(cls, key: str) -> "ApiToken | None":
        token = cls.objects.usable().select_related("user").filter(digest=cls.hash(key)).first()
        if token is not None:
            cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token
