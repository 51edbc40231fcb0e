"""The organisation tree and the people in it."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from jingpei.core import crypto
from jingpei.orgs.choices import ETHNICITY_CHOICES, Gender, OrgKind, PoliticalStatus, RankLevel


class OrganizationQuerySet(MP_NodeQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def in_subtree(self, org: Organization):
        return self.filter(path__startswith=org.path)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # treebeard's manager builds its own MP_NodeQuerySet, which would drop our methods (``active``).
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A node of the tree: district, township, village, party branch, unit or enterprise.

    Materialised path (django-treebeard ``MP_Node``): a subtree is ``path LIKE 'prefix%'``, one range
    scan of the ``varchar_pattern_ops`` index on PostgreSQL. Structure changes go through
    ``orgs.services`` under the tree lock.
    """

    steplen = 4  # 36^4 = 1.68M children a node, paths of 4 chars a level

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    code = models.CharField(_("编码"), max_length=50, blank=True)
    # searched by substring (``contains``), sorted after ``kind``: no B-tree index would serve them
    pinyin = models.CharField(max_length=400, blank=True)
    initials = models.CharField(max_length=120, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("组织")
        indexes = [
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["depth", "name"], name="org_depth_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def parent(self) -> Organization | None:
        return Organization.objects.filter(path=self.parent_path()).first() if self.depth > 1 else None

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    @classmethod
    def paths_through(cls, path: str) -> list[str]:
        """``path`` and the paths of every organisation above it, from the top (a grant on any of them
        covers ``path``; a rule or chain set on any of them applies to it)."""
        return [path[:i] for i in range(cls.steplen, len(path) + 1, cls.steplen)]

    @property
    def child_cut(self) -> int:
        """The length of a child's path: any descendant's path cut to it names the child it lies under
        (and the node's own path stays whole), so figures group by child with one slice or ``Substr``."""
        return len(self.path) + self.steplen


class Category(models.Model):
    """A category of trainee (党政一把手, 驻村第一书记…). Data, not code: offices add their own."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("人员类别")

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def in_orgs(self, condition: Q):
        """People with a membership in organisations matching ``condition`` (on ``org__…`` fields)."""
        return self.filter(Exists(Membership.objects.filter(condition, person=OuterRef("pk"))))

    def in_subtree(self, org: Organization):
        return self.in_orgs(Q(org__path__startswith=org.path))


class Person(models.Model):
    """A cadre, party member or other trainee. ID and phone numbers are stored encrypted, searchable
    by keyed hash (exact) and by their masked form (last digits); see ``jingpei.core.crypto``."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_cipher = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, editable=False)  # unique: Meta.constraints
    id_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.NONE
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    rank_level = models.CharField(_("职级"), max_length=20, choices=RankLevel.choices, blank=True)
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    primary_org = models.ForeignKey(
        Organization, verbose_name=_("所在组织"), on_delete=models.PROTECT, related_name="primary_people"
    )
    pinyin = models.CharField(max_length=300, blank=True)
    initials = models.CharField(max_length=80, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        # Only the indexes a query uses: every one costs each insert (an import writes 100k people).
        # Hashes are looked up by equality, so no LIKE (varchar_pattern_ops) twin as ``unique=True`` or
        # ``db_index=True`` would add on PostgreSQL; names are searched by substring (``contains``) and
        # ID numbers by their last digits (``endswith``), which no B-tree serves; ordering by pinyin
        # uses person_sort_idx.
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="person_id_hash_unique")]
        indexes = [
            models.Index(fields=["pinyin", "id"], name="person_sort_idx"),
            models.Index(fields=["phone_hash"], name="person_phone_hash_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def reveal_id_number(self) -> str:
        """The plain ID number. Call only through ``orgs.access.reveal_person_numbers`` (audited)."""
        return crypto.decrypt(self.id_cipher)

    def reveal_phone(self) -> str:
        return crypto.decrypt(self.phone_cipher)


class Membership(models.Model):
    """A person's place in the tree; exactly one membership of a person is primary."""

    # No index of their own: membership_unique (person, org) and membership_org_idx (org, person) lead
    # with them.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships", db_index=False)
    is_primary = models.BooleanField(_("主要组织"), default=False)
    title = models.CharField(_("在该组织的职务"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "org"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_primary=True), name="membership_one_primary"
            ),
        ]
        indexes = [models.Index(fields=["org", "person"], name="membership_org_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.org_id}"


class PersonCategory(models.Model):
    """A person's category in one year: categories overlap and change year by year."""

    # Indexed by person_category_unique (person, category, year) and person_category_year_idx
    # (category, year), which lead with them.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="people", db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "category", "year"], name="person_category_unique")
        ]
        indexes = [models.Index(fields=["category", "year"], name="person_category_year_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.category_id}:{self.year}"


class PersonRank(models.Model):
    """A rank a person held from a date: a row per recorded promotion (or first record with its date).
    Rules for a rank (550 学时 in 5 years for county-level leaders) give the newly promoted a grace
    period, and promotion *within* the rule's ranks (副职 to 正职) is not entering them: only the history
    tells the two apart. People whose rank was recorded without a date have no row (no grace)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ranks",
                               db_index=False)  # person_rank_unique (person, since)
    rank_level = models.CharField(_("职级"), max_length=20, choices=RankLevel.choices)
    since = models.DateField(_("任职级时间"))

    class Meta:
        ordering = ["person", "since"]
        constraints = [models.UniqueConstraint(fields=["person", "since"], name="person_rank_unique")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.rank_level}@{self.since}"
