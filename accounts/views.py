from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import Role


@login_required
def home(request):
    """Who am I: name, department (with its chain) and roles."""
    user = request.user
    roles = [label for value, label in Role.choices if value in user.roles]
    chain = list(user.department.ancestors()) if user.department_id else []
    return render(request, "accounts/home.html", {"roles": roles, "department_chain": chain})
