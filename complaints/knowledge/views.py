"""Pages of the knowledge base: lists with search, details (an article counts a read), edits (a new
version), retire/restore, old versions; the intake panel; counting a template's use.

Everyone signed in reads; supervisors, managers and administrators write (``can_manage``, 403
otherwise). Articles and templates share the views, told apart by ``KINDS``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints.models import Category
from config.errors import DomainError

from . import services
from .forms import ArticleForm, ReplyTemplateForm, SearchForm
from .models import Article, ReplyTemplate, TemplateStage
from .placeholders import PLACEHOLDERS
from .selectors import article_search, category_resolve, template_search

PER_PAGE = 30


@dataclass(frozen=True)
class Kind:
    code: str  # "article" or "template": the URL names' prefix
    model: type
    form: type
    search: object
    label: str
    label_plural: str
    new_label: str


KINDS = {
    "article": Kind(
        "article",
        Article,
        ArticleForm,
        article_search,
        gettext_lazy("Article"),
        gettext_lazy("Knowledge articles"),
        gettext_lazy("New article"),
    ),
    "template": Kind(
        "template",
        ReplyTemplate,
        ReplyTemplateForm,
        template_search,
        gettext_lazy("Reply template"),
        gettext_lazy("Reply templates"),
        gettext_lazy("New template"),
    ),
}


def _category_choices():
    return [
        (c.code, "— " * (c.level - 1) + f"{c.code} {c.display_name}")
        for c in Category.objects.filter(is_active=True).order_by("code")
    ]


def _entry(kind: Kind, pk):
    return get_object_or_404(kind.model.objects.select_related("category", "updated_by"), pk=pk)


def _manager_required(request):
    if not services.can_manage(request.user):
        raise PermissionDenied


@login_required
def entry_list(request, kind="article"):
    kind = KINDS[kind]
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    manage = services.can_manage(request.user)
    category = category_resolve(data.get("category"))
    filters = {
        "category": category,
        "q": data.get("q", ""),
        "effective_only": not (manage and data.get("all")),
    }
    if kind.code == "article":
        filters["kind"] = data.get("kind", "")
    else:
        filters["stage"] = data.get("stage", "")
    page = Paginator(kind.search(**filters).select_related("updated_by"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "knowledge/list.html",
        {
            "kind": kind,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "categories": _category_choices(),
            "chosen_category": category.code if category else "",
            "manage": manage,
            "filtered": any(data.get(name) for name in ("q", "category", "kind", "stage", "all")),
        },
    )


@login_required
def entry_detail(request, pk, kind="article"):
    kind = KINDS[kind]
    entry = _entry(kind, pk)
    manage = services.can_manage(request.user)
    if not entry.is_active and not manage:
        raise Http404
    if kind.code == "article":
        services.article_count_read(article=entry)
        entry.read_count += 1
    return render(
        request,
        "knowledge/detail.html",
        {
            "kind": kind,
            "entry": entry,
            "shown": entry,
            "versions": list(entry.versions.select_related("edited_by", "category")),
            "manage": manage,
            "placeholders": PLACEHOLDERS if kind.code == "template" else None,
        },
    )


@login_required
def entry_version(request, pk, version, kind="article"):
    """An earlier (or the current) version as it read then."""
    kind = KINDS[kind]
    entry = _entry(kind, pk)
    manage = services.can_manage(request.user)
    if not entry.is_active and not manage:
        raise Http404
    shown = get_object_or_404(entry.versions.select_related("category", "edited_by"), version=version)
    return render(
        request,
        "knowledge/detail.html",
        {
            "kind": kind,
            "entry": entry,
            "shown": shown,
            "old_version": shown.version != entry.version,
            "versions": list(entry.versions.select_related("edited_by", "category")),
            "manage": manage,
            "placeholders": PLACEHOLDERS if kind.code == "template" else None,
        },
    )


@login_required
def entry_edit(request, pk=None, kind="article"):
    """Create (no ``pk``) or edit: an edit saves a new version, the old one stays readable."""
    _manager_required(request)
    kind = KINDS[kind]
    entry = _entry(kind, pk) if pk else None
    initial = {}
    if entry is None and request.GET.get("category"):
        found = category_resolve(request.GET["category"])
        initial["category"] = found.pk if found else None
    if entry is None and kind.code == "template" and request.GET.get("stage") in TemplateStage.values:
        initial["stage"] = request.GET["stage"]
    form = kind.form(request.POST or None, instance=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if entry is None:
                entry = services.entry_create(kind.model, actor=request.user, **fields)
                messages.success(request, _("Saved."))
            else:
                before = entry.version
                entry = services.entry_update(entry, actor=request.user, **fields)
                if entry.version == before:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, _("Saved as version %(n)d.") % {"n": entry.version})
        except DomainError as exc:
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            return redirect(f"knowledge:{kind.code}", pk=entry.pk)
    return render(request, "knowledge/edit.html", {"kind": kind, "entry": entry, "form": form})


@login_required
@require_POST
def entry_retire(request, pk, kind="article"):
    """Retire (no longer offered) or, with ``restore``, bring back."""
    _manager_required(request)
    kind = KINDS[kind]
    entry = _entry(kind, pk)
    restore = request.POST.get("restore") == "1"
    services.entry_set_active(entry, actor=request.user, active=restore)
    messages.success(request, _("Restored.") if restore else _("Retired: it is no longer offered."))
    return redirect(f"knowledge:{kind.code}", pk=entry.pk)


@login_required
@require_POST
def template_use(request, pk):
    """Counts one use of a template (the order page's picker posts here when one is chosen)."""
    template = get_object_or_404(ReplyTemplate, pk=pk, is_active=True)
    services.template_count_use(template=template)
    return HttpResponse(status=204)


@login_required
def intake_panel(request):
    """The intake page's panel (htmx): the articles and intake scripts of the chosen category."""
    category = category_resolve(request.GET.get("category"))
    articles = scripts = []
    if category is not None:
        articles = sorted(article_search(category=category), key=lambda a: (-a.category.level, a.title, a.pk))
        scripts = sorted(
            template_search(category=category, stage=TemplateStage.INTAKE),
            key=lambda t: (-t.category.level, t.title, t.pk),
        )
    return render(
        request,
        "knowledge/partials/intake_panel.html",
        {"category": category, "articles": articles, "scripts": scripts},
    )
