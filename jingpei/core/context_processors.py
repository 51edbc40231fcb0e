from functools import cache

from jingpei.core.navigation import items_for
from jingpei.core.permissions import Role
from jingpei.core.scoping import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Worked out only when a template shows them (not for htmx fragments), and then once.
    items = cache(lambda: items_for(user, request.path))
    return {
        "nav_items": items,
        "nav_alerts": lambda: [i for i in items() if i["top"] and i["count"]],
        "user_role_labels": lambda: [Role(r).label for r in Role.values if r in user_roles(user)],
    }
