from jingpei.core.navigation import items_for
from jingpei.core.permissions import Role
from jingpei.core.scoping import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {
        "nav_items": items_for(user, request.path),
        "user_role_labels": [Role(r).label for r in Role.values if r in roles],
    }
